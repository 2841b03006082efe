import { sql } from 'kysely';
import type { SearchProvider } from '../../api/routes/search.js';
import './tables.js';

/** The search box's customers: by id, external id or part of the name (exact matches first). */
export const customerSearch: SearchProvider = {
  kind: 'customer',
  permission: 'receivables:read',
  async search(db, { q, like, limit }) {
    const rows = await db
      .selectFrom('customers')
      .select(['id', 'external_id', 'name', 'segment'])
      .where((eb) =>
        eb.or([
          eb('id', '=', q),
          eb('external_id', '=', q),
          eb('name', 'ilike', `%${like}%`),
          eb('external_id', 'ilike', `${like}%`),
        ]),
      )
      .orderBy(sql`case when id = ${q} or external_id = ${q} then 0 else 1 end`)
      .orderBy('name')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      kind: 'customer' as const,
      id: r.id,
      label: r.name,
      detail: [r.external_id, r.segment].filter(Boolean).join(' · '),
    }));
  },
};

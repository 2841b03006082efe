import { sql } from 'kysely';
import type { SearchProvider } from '../../api/routes/search.js';
import '../customers/tables.js';
import './tables.js';

/** The search box's credit applications: by id or the customer (id, external id or part of the name). */
export const applicationSearch: SearchProvider = {
  kind: 'application',
  permission: 'credit:read',
  async search(db, { q, like, limit }) {
    const rows = await db
      .selectFrom('credit_applications as a')
      .innerJoin('customers as c', 'c.id', 'a.customer_id')
      .select(['a.id', 'a.status', 'a.product', 'c.name as customer', 'c.external_id as customer_external_id'])
      .where((eb) =>
        eb.or([
          eb('a.id', '=', q),
          eb('a.customer_id', '=', q),
          eb('c.external_id', '=', q),
          eb('c.name', 'ilike', `%${like}%`),
        ]),
      )
      .orderBy(sql`case when a.id = ${q} then 0 else 1 end`)
      .orderBy('a.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      kind: 'application' as const,
      id: r.id,
      label: `${r.customer} · ${r.product}`,
      detail: `${r.customer_external_id} · ${r.status}`,
    }));
  },
};

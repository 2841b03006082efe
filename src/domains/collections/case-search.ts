import { sql } from 'kysely';
import type { SearchProvider } from '../../api/routes/search.js';
import '../customers/tables.js';
import '../receivables/tables.js';
import './tables.js';

/**
 * The search box's collection cases: by case id, the account (receivable id or external id) or the
 * customer (external id or part of the name); open cases first, then the newest.
 */
export const caseSearch: SearchProvider = {
  kind: 'case',
  permission: 'collections:read',
  async search(db, { q, like, limit }) {
    const rows = await db
      .selectFrom('collection_cases as k')
      .innerJoin('receivables as r', 'r.id', 'k.receivable_id')
      .innerJoin('customers as c', 'c.id', 'k.customer_id')
      .select(['k.id', 'k.status', 'k.segment', 'r.external_id as account', 'c.name as customer'])
      .where((eb) =>
        eb.or([
          eb('k.id', '=', q),
          eb('k.receivable_id', '=', q),
          eb('r.external_id', '=', q),
          eb('c.external_id', '=', q),
          eb('c.name', 'ilike', `%${like}%`),
        ]),
      )
      .orderBy(sql`case when k.id = ${q} then 0 else 1 end`)
      .orderBy(sql`case when k.status = 'open' then 0 else 1 end`)
      .orderBy('k.id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      kind: 'case' as const,
      id: r.id,
      label: `${r.customer} · ${r.account}`,
      detail: `${r.status} · ${r.segment}`,
    }));
  },
};

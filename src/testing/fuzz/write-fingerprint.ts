import { sql } from 'kysely';
import type { Database } from '../../storage/database.js';

/**
 * A fingerprint of everything finflow stores: per table, its row count and its row versions.
 * Equal fingerprints before and after a refused request prove it wrote nothing — no insert, no
 * update, no delete, no audit row — not only that it added no row.
 */
export async function fingerprintOf(database: Database): Promise<Record<string, string>> {
  // The seal of audit rows committed before now (audit-seal.ts) belongs to those earlier writes.
  await database.auditSealer.settled();
  const tables = await tablesOf(database);
  const columns = tables
    .map((t) => `(SELECT count(*) || ':' || ${t === 'api_keys' ? KEY_ROWS : ROW_VERSIONS} FROM "${t}" x) AS "${t}"`)
    .join(', ');
  const result = await sql.raw<Record<string, string>>(`SELECT ${columns}`).execute(database.db);
  return result.rows[0]!;
}

/**
 * Every committed insert or update gives the row a new `xmin` (the writing transaction's id) and a
 * delete lowers the count, so count and the sum of xmins change with any write that committed —
 * and a rolled-back one leaves them as they were. Cheaper than hashing every row's text.
 */
const ROW_VERSIONS = `coalesce(sum(x.xmin::text::bigint), 0)`;
/**
 * API keys are hashed without their last use: authenticating a request that is then refused
 * records when the key was used (at most once a minute), which is bookkeeping, not a write.
 */
const KEY_ROWS = `coalesce(md5(string_agg(md5((to_jsonb(x) - 'last_used_at')::text), '' ORDER BY x.id)), '')`;

const cache = new WeakMap<Database, string[]>();

async function tablesOf(database: Database): Promise<string[]> {
  const known = cache.get(database);
  if (known) return known;
  const result = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(database.db);
  const names = result.rows.map((r) => r.name).filter((n) => /^[a-z_0-9]+$/.test(n));
  cache.set(database, names);
  return names;
}

/** The tables whose fingerprint differs. */
export function changedTables(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(after).filter((t) => before[t] !== after[t]);
}

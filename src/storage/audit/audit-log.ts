import type { Queryable } from '../schema.js';

// The audit chain's entry type and its reading side. Appending is in audit-append.ts, which only the
// engine and the audited units of work (audited-unit.ts, domains/unit-of-work.ts) import: every other
// writer records its audit rows through a unit, so they are appended once, just before commit.

/** Who did it: an API key (`key_…`), a user, the system, or a workflow instance. */
export interface AuditEntry {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
  requestId?: string | null;
}

/** Before/after documents as stored: bigints (money) become decimal strings, Dates ISO strings. */
export function toJsonValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown;
}

export interface AuditFilter {
  entityType?: string | undefined;
  entityId?: string | undefined;
  /** Who did it, exactly (`usr_…`, `key_…`, `system:…`). */
  actor?: string | undefined;
  /** What happened: exactly, or every action starting with a prefix when it ends in `*` (`user.*`). */
  action?: string | undefined;
  /** One row by its id (`aud_…`). */
  id?: string | undefined;
  /** Rows that occurred at or after this instant. */
  from?: Date | undefined;
  /** Rows that occurred before this instant. */
  to?: Date | undefined;
  /** Keyset paging: only rows after this insertion number (oldest first). */
  afterSeq?: bigint | undefined;
  /** Keyset paging: only rows before this insertion number (newest first). */
  beforeSeq?: bigint | undefined;
  /** `asc` (default): in the order rows were written; `desc`: newest first. */
  order?: 'asc' | 'desc' | undefined;
  limit?: number | undefined;
}

/** A LIKE pattern matching `prefix` literally at the start (`%`, `_` and `\` escaped). */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Reads audit rows in the order they were written (insertion number), or newest first, optionally
 * filtered by entity, actor, action and time — sealed or not yet sealed (audit-seal.ts).
 */
export async function readAuditLog(db: Queryable, filter: AuditFilter = {}) {
  let query = db
    .selectFrom('audit_log')
    .selectAll()
    .orderBy('seq', filter.order ?? 'asc');
  if (filter.entityType !== undefined) query = query.where('entity_type', '=', filter.entityType);
  if (filter.entityId !== undefined) query = query.where('entity_id', '=', filter.entityId);
  if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
  if (filter.action !== undefined) {
    query = filter.action.endsWith('*')
      ? query.where('action', 'like', likePrefix(filter.action.slice(0, -1)))
      : query.where('action', '=', filter.action);
  }
  if (filter.id !== undefined) query = query.where('id', '=', filter.id);
  if (filter.from !== undefined) query = query.where('occurred_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('occurred_at', '<', filter.to);
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', filter.beforeSeq);
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return query.execute();
}

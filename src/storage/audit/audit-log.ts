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
  /** Keyset paging: only rows after this insertion number. */
  afterSeq?: bigint | undefined;
  limit?: number | undefined;
}

/**
 * Reads audit rows in the order they were written (insertion number), optionally for one entity type
 * or entity — sealed or not yet sealed (audit-seal.ts).
 */
export async function readAuditLog(db: Queryable, filter: AuditFilter = {}) {
  let query = db.selectFrom('audit_log').selectAll().orderBy('seq');
  if (filter.entityType !== undefined) query = query.where('entity_type', '=', filter.entityType);
  if (filter.entityId !== undefined) query = query.where('entity_id', '=', filter.entityId);
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', filter.afterSeq);
  if (filter.limit !== undefined) query = query.limit(filter.limit);
  return query.execute();
}

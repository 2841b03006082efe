import { sql, type RawBuilder } from 'kysely';

/**
 * The stored events of one type, as a row source for a domain's report SQL
 * (`FROM ${storedEventsOfType('receivable.bucket_changed')} e JOIN …`): columns `id`, `type`, `key`,
 * `data`, `published_at`. Domains read the engine's event log through this and never name its
 * table; PostgreSQL folds the subquery into the caller's plan, so the query is the same one.
 */
export function storedEventsOfType(type: string): RawBuilder<unknown> {
  return sql`(SELECT id, type, key, data, published_at FROM wf_events WHERE type = ${type})`;
}

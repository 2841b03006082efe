import type { Clock } from '../core/clock.js';
import { appendAudit } from '../storage/audit/audit-log.js';
import type { Tx } from '../storage/schema.js';
import './settings-tables.js';

/**
 * Settings operations staff edit without a deploy (delinquency buckets, the waterfall, contact
 * rules) live as JSON documents in `domain_settings`, one per key. Every change is written here:
 * the row and an audit entry with before and after, in the caller's transaction. An unchanged value
 * writes nothing.
 */
export async function putDomainSetting(
  tx: Tx,
  change: { key: string; before: unknown; after: unknown },
  who: { actor: string; requestId: string | null },
  clock: Clock,
): Promise<boolean> {
  const value = JSON.stringify(change.after);
  if (value === JSON.stringify(change.before)) return false;
  const now = clock.now();
  await tx
    .insertInto('domain_settings')
    .values({ key: change.key, value, updated_at: now, updated_by: who.actor })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now, updated_by: who.actor }))
    .execute();
  await appendAudit(
    tx,
    {
      actor: who.actor,
      action: 'settings.updated',
      entityType: 'setting',
      entityId: change.key,
      before: change.before,
      after: change.after,
      requestId: who.requestId,
    },
    clock,
  );
  return true;
}

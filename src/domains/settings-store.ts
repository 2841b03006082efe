import type { AuditedUnit } from '../storage/audit/audited-unit.js';
import './settings-tables.js';

/**
 * Settings operations staff edit without a deploy (delinquency buckets, the waterfall, contact
 * rules) live as JSON documents in `domain_settings`, one per key. Every change is written here, in
 * the caller's unit of work: the row now, an audit entry with before and after at the unit's end. An
 * unchanged value writes nothing.
 */
export async function putDomainSetting(
  unit: AuditedUnit,
  change: { key: string; before: unknown; after: unknown },
): Promise<boolean> {
  const value = JSON.stringify(change.after);
  if (value === JSON.stringify(change.before)) return false;
  const now = unit.clock.now();
  await unit.tx
    .insertInto('domain_settings')
    .values({ key: change.key, value, updated_at: now, updated_by: unit.actor })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now, updated_by: unit.actor }))
    .execute();
  unit.audit({
    action: 'settings.updated',
    entityType: 'setting',
    entityId: change.key,
    before: change.before,
    after: change.after,
  });
  return true;
}

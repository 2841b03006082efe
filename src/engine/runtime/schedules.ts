import type { EngineServices } from './services.js';
import { nextFiring } from './deploy.js';
import { startTriggeredInstance } from './triggered-start.js';
import { renderTemplate } from '../expressions.js';
import '../store/tables.js';

/**
 * Fires due schedule triggers. Each due row is claimed with FOR UPDATE SKIP LOCKED and moved to its
 * next firing in the same transaction that starts the instance, so a firing starts exactly one
 * instance however many workers run. Firings missed while no worker ran are caught up once, not
 * once per missed period.
 */
export async function fireDueSchedules(services: EngineServices, limit = 10): Promise<number> {
  return services.database.transaction(async (tx) => {
    const now = services.clock.now();
    const due = await tx
      .selectFrom('wf_schedules')
      .selectAll()
      .where('next_fire_at', '<=', now)
      .orderBy('next_fire_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
    for (const schedule of due) {
      const deployed = await services.definitions.latest(tx, schedule.workflow_key);
      const trigger = deployed.definition.triggers[schedule.trigger_index];
      const scheduledFor = schedule.next_fire_at.toISOString();
      await startTriggeredInstance(tx, services, {
        workflowKey: schedule.workflow_key,
        trigger: `schedule ${schedule.cron} (${scheduledFor})`,
        actor: `schedule:${schedule.workflow_key}`,
        now,
        prepare: () => ({
          input:
            trigger && 'schedule' in trigger && trigger.input !== undefined
              ? renderTemplate(trigger.input, { schedule: { firedAt: scheduledFor } })
              : { scheduledFor },
          correlationKey: null,
        }),
      });
      const next = nextFiring(schedule.cron, schedule.timezone, now);
      if (next) {
        await tx
          .updateTable('wf_schedules')
          .set({ next_fire_at: next })
          .where('workflow_key', '=', schedule.workflow_key)
          .where('trigger_index', '=', schedule.trigger_index)
          .execute();
      } else {
        await tx
          .deleteFrom('wf_schedules')
          .where('workflow_key', '=', schedule.workflow_key)
          .where('trigger_index', '=', schedule.trigger_index)
          .execute();
      }
    }
    return due.length;
  });
}

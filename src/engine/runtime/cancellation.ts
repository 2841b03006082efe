import { sql } from 'kysely';
import { appendAudit } from '../../storage/audit/audit-append.js';
import type { Tx } from '../../storage/schema.js';
import type { InstanceRow, InstanceRun, TokenRow, TokenWait } from './instance-run.js';
import { recordInstanceEvent } from './history.js';
import { ACTIVE_TOKEN_STATUSES, isFinished } from '../store/tables.js';
import { noteInstanceWritten } from './written-instances.js';

/** Stops a token: its open task is cancelled and its child instance (with the child's own children) too. */
export async function cancelToken(run: InstanceRun, token: TokenRow, reason: string): Promise<void> {
  const wait = token.wait as TokenWait | null;
  await cancelWaitTarget(run.tx, wait, run.now, reason);
  run.update(token, { status: 'cancelled', run_at: null, wait_event_type: null, wait_event_key: null });
  run.record({
    tokenId: token.id,
    stepId: token.step_id,
    stepType: run.step(token.step_id).type,
    event: 'cancelled',
    data: { reason },
  });
}

async function cancelWaitTarget(tx: Tx, wait: TokenWait | null, now: Date, reason: string): Promise<void> {
  if (wait?.kind === 'task' && wait.taskId) {
    await tx
      .updateTable('wf_tasks')
      .set({ status: 'cancelled', completed_at: now })
      .where('id', '=', wait.taskId)
      .where('status', '=', 'open')
      .execute();
  }
  if (wait?.kind === 'child' && wait.childId && wait.resumed === undefined) {
    await cancelInstanceTree(tx, wait.childId, { actor: 'system:engine', reason, now, notifyParent: false });
  }
}

/**
 * Cancels an instance and everything below it (tasks, child instances) in the caller's transaction.
 * When the instance is itself a child and the cancel comes from outside, its parent is woken so its
 * call step can fail with the reason.
 */
export async function cancelInstanceTree(
  tx: Tx,
  instanceId: string,
  options: { actor: string; reason: string; now: Date; notifyParent: boolean; requestId?: string | null },
): Promise<InstanceRow | undefined> {
  const instance = await tx
    .selectFrom('wf_instances')
    .selectAll()
    .where('id', '=', instanceId)
    .forUpdate()
    .executeTakeFirst();
  if (!instance || isFinished(instance.status)) return instance;
  const tokens = await tx
    .selectFrom('wf_tokens')
    .selectAll()
    .where('instance_id', '=', instanceId)
    .where('status', 'in', ACTIVE_TOKEN_STATUSES)
    .execute();
  for (const token of tokens) await cancelWaitTarget(tx, token.wait as TokenWait | null, options.now, options.reason);
  noteInstanceWritten(tx, instanceId);
  await tx
    .updateTable('wf_tokens')
    .set({ status: 'cancelled', run_at: null, wait_event_type: null, wait_event_key: null, updated_at: options.now })
    .where('instance_id', '=', instanceId)
    .where('status', 'in', ACTIVE_TOKEN_STATUSES)
    .execute();
  const updated = await tx
    .updateTable('wf_instances')
    .set({
      status: 'cancelled',
      next_run_at: null,
      ended_at: options.now,
      updated_at: options.now,
      outcome: 'cancelled',
    })
    .where('id', '=', instanceId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordInstanceEvent(tx, {
    instanceId: instanceId,
    event: 'instance.cancelled',
    at: options.now,
    actor: options.actor,
    data: { reason: options.reason },
  });
  await appendAudit(
    tx,
    {
      actor: options.actor,
      action: 'workflow.instance.cancelled',
      entityType: 'workflow_instance',
      entityId: instanceId,
      before: { status: instance.status },
      after: { status: 'cancelled' },
      reason: options.reason,
      requestId: options.requestId ?? null,
    },
    { now: () => options.now },
  );
  if (options.notifyParent && updated.parent_id) await resumeParentOfChild(tx, updated, options.now);
  return updated;
}

/** A child ended (completed or cancelled): wake the parent's waiting call step with the result. */
export async function resumeParentOfChild(tx: Tx, child: InstanceRow, now: Date): Promise<void> {
  if (!child.parent_id || !child.parent_token_id) return;
  await tx.selectFrom('wf_instances').select('id').where('id', '=', child.parent_id).forUpdate().execute();
  const token = await tx
    .selectFrom('wf_tokens')
    .selectAll()
    .where('id', '=', child.parent_token_id)
    .where('status', '=', 'waiting')
    .executeTakeFirst();
  if (!token) return;
  const wait: TokenWait = {
    ...(token.wait as TokenWait),
    resumed: { childId: child.id, status: child.status, outcome: child.outcome, output: child.output },
  };
  await tx
    .updateTable('wf_tokens')
    .set({ status: 'ready', run_at: now, wait: JSON.stringify(wait), updated_at: now })
    .where('id', '=', token.id)
    .execute();
  await markDue(tx, child.parent_id, now);
}

/** Makes an instance claimable now (keeps an earlier due time if it has one). */
export async function markDue(tx: Tx, instanceId: string, now: Date): Promise<void> {
  noteInstanceWritten(tx, instanceId);
  await tx
    .updateTable('wf_instances')
    .set({ next_run_at: sql<Date>`least(coalesce(next_run_at, ${now}), ${now})`, updated_at: now })
    .where('id', '=', instanceId)
    .execute();
}

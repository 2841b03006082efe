import { AppError, conflict, notFound, validationError, type FieldIssue } from '../../core/errors.js';
import { appendAudit } from '../../storage/audit/audit-append.js';
import type { Tx } from '../../storage/schema.js';
import type { FormField } from '../definition/types.js';
import { markDue } from './cancellation.js';
import type { TokenWait } from './instance-run.js';
import type { EngineServices } from './services.js';
import '../store/tables.js';

export interface CompleteTaskRequest {
  taskId: string;
  outcome: string;
  data?: Record<string, unknown> | undefined;
  /** Who did the work: matched against the assignee and recorded as completed_by (default: actor). */
  user?: string | undefined;
  /** Who is accountable in the audit log (an API key id). */
  actor: string;
  requestId?: string | null;
  /**
   * A person's claim: an unassigned task of a queue with members may be taken only by a member
   * (managers and systems are not held to it; the caller decides who is a person).
   */
  membersOnly?: boolean | undefined;
}

async function lockOpenTask(tx: Tx, taskId: string) {
  const task = await tx.selectFrom('wf_tasks').selectAll().where('id', '=', taskId).forUpdate().executeTakeFirst();
  if (!task) throw notFound('task', taskId);
  // Lock the instance too (task, then instance: the order every task operation uses).
  await tx.selectFrom('wf_instances').select('id').where('id', '=', task.instance_id).forUpdate().execute();
  if (task.status !== 'open') {
    throw conflict(
      'task_not_open',
      `task ${taskId} is ${task.status}${task.completed_by ? ` (by ${task.completed_by})` : ''}`,
      { state: task.status },
    );
  }
  return task;
}

/** Four eyes: a user the task excludes (the maker, the first approver) may not take or finish it. */
function checkSeparationOfDuties(task: { id: string; excluded_users: unknown }, user: string): void {
  const excluded = (task.excluded_users as string[] | null) ?? [];
  if (excluded.includes(user)) {
    throw conflict(
      'separation_of_duties',
      `${user} may not work task ${task.id}: it requires a different person (four eyes)`,
      { user, excludedUsers: excluded },
    );
  }
}

/** A queue with members is worked by its members: anyone else gets 403 `not_queue_member`. */
async function checkQueueMember(tx: Tx, task: { id: string; queue: string; assignee: string | null }, user: string) {
  if (task.assignee === user) return;
  const queue = await tx.selectFrom('wf_queues').select('members').where('name', '=', task.queue).executeTakeFirst();
  const members = (queue?.members as string[] | undefined) ?? [];
  if (members.length > 0 && !members.includes(user)) {
    throw new AppError(
      'not_queue_member',
      403,
      `${user} is not a member of queue ${task.queue}, which task ${task.id} belongs to`,
      {
        details: { queue: task.queue },
      },
    );
  }
}

/** Takes an open task: unassigned, or already the caller's. */
export async function claimTask(
  tx: Tx,
  services: EngineServices,
  request: {
    taskId: string;
    actor: string;
    user?: string | undefined;
    requestId?: string | null;
    membersOnly?: boolean | undefined;
  },
) {
  const { taskId, actor, requestId } = request;
  const user = request.user ?? actor;
  const task = await lockOpenTask(tx, taskId);
  checkSeparationOfDuties(task, user);
  if (request.membersOnly) await checkQueueMember(tx, task, user);
  if (task.assignee && task.assignee !== user) {
    throw conflict('task_assigned', `task ${taskId} is assigned to ${task.assignee}`, { assignee: task.assignee });
  }
  const now = services.clock.now();
  await tx.updateTable('wf_tasks').set({ assignee: user, claimed_at: now }).where('id', '=', taskId).execute();
  await appendAudit(
    tx,
    {
      actor,
      action: 'task.claimed',
      entityType: 'task',
      entityId: taskId,
      before: { assignee: task.assignee },
      after: { assignee: user },
      requestId: requestId ?? null,
    },
    services.clock,
  );
}

/**
 * A manager moves an open task to another person of its queue, or back to the queue (`assignee`
 * null). Four eyes holds: a user the task excludes cannot be given it. In a queue with members the
 * new assignee must be one of them (422 naming `body.assignee`).
 */
export async function reassignTask(
  tx: Tx,
  services: EngineServices,
  request: {
    taskId: string;
    assignee: string | null;
    actor: string;
    requestId?: string | null;
    reason?: string | null;
  },
) {
  const task = await lockOpenTask(tx, request.taskId);
  const { assignee } = request;
  if (assignee !== null) {
    checkSeparationOfDuties(task, assignee);
    const queue = await tx.selectFrom('wf_queues').select('members').where('name', '=', task.queue).executeTakeFirst();
    const members = (queue?.members as string[] | undefined) ?? [];
    if (members.length > 0 && !members.includes(assignee)) {
      throw validationError([
        { field: 'body.assignee', message: `is not a member of queue ${task.queue} (members: ${members.join(', ')})` },
      ]);
    }
  }
  if (task.assignee === assignee) return;
  const now = services.clock.now();
  await tx
    .updateTable('wf_tasks')
    .set({ assignee, claimed_at: assignee === null ? null : now })
    .where('id', '=', task.id)
    .execute();
  await appendAudit(
    tx,
    {
      actor: request.actor,
      action: 'task.reassigned',
      entityType: 'task',
      entityId: task.id,
      before: { assignee: task.assignee },
      after: { assignee, ...(request.reason ? { reason: request.reason } : {}) },
      requestId: request.requestId ?? null,
    },
    services.clock,
  );
}

/**
 * Completes a task with one of its allowed outcomes and form data, and wakes its instance. The task
 * row is locked, so a second completion (a double click, two people) gets 409 instead of running twice.
 */
export async function completeTask(tx: Tx, services: EngineServices, request: CompleteTaskRequest) {
  const task = await lockOpenTask(tx, request.taskId);
  const user = request.user ?? request.actor;
  checkSeparationOfDuties(task, user);
  if (request.membersOnly) await checkQueueMember(tx, task, user);
  if (task.assignee && task.assignee !== user) {
    throw conflict('task_assigned', `task ${request.taskId} is assigned to ${task.assignee}`, {
      assignee: task.assignee,
    });
  }
  const outcomes = task.outcomes as string[];
  if (!outcomes.includes(request.outcome)) {
    throw new AppError('validation_failed', 422, `body.outcome: must be one of ${outcomes.join(', ')}`, {
      issues: [{ field: 'body.outcome', message: `must be one of ${outcomes.join(', ')}` }],
    });
  }
  const data = request.data ?? {};
  const issues = checkForm(task.form as FormField[], data);
  if (issues.length) throw validationError(issues);

  const now = services.clock.now();
  await tx
    .updateTable('wf_tasks')
    .set({
      status: 'completed',
      outcome: request.outcome,
      result: JSON.stringify(data),
      completed_by: user,
      completed_at: now,
    })
    .where('id', '=', task.id)
    .execute();
  const token = await tx
    .selectFrom('wf_tokens')
    .selectAll()
    .where('id', '=', task.token_id)
    .where('status', '=', 'waiting')
    .executeTakeFirst();
  if (token) {
    const resumed = {
      taskId: task.id,
      outcome: request.outcome,
      data,
      completedBy: user,
      completedAt: now.toISOString(),
    };
    await tx
      .updateTable('wf_tokens')
      .set({
        status: 'ready',
        run_at: now,
        wait: JSON.stringify({ ...(token.wait as TokenWait), resumed }),
        updated_at: now,
      })
      .where('id', '=', token.id)
      .execute();
    await markDue(tx, task.instance_id, now);
  }
  await appendAudit(
    tx,
    {
      actor: request.actor,
      action: 'task.completed',
      entityType: 'task',
      entityId: task.id,
      before: { status: 'open', assignee: task.assignee },
      after: { status: 'completed', outcome: request.outcome, data, instanceId: task.instance_id },
      requestId: request.requestId ?? null,
    },
    services.clock,
  );
}

/** Form data against the task's fields: required ones present, types and choices respected, nothing unknown. */
export function checkForm(form: FormField[], data: Record<string, unknown>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const known = new Set(form.map((f) => f.name));
  for (const name of Object.keys(data)) {
    if (form.length && !known.has(name))
      issues.push({ field: `body.data.${name}`, message: 'is not a field of this task' });
  }
  for (const field of form) {
    const value = data[field.name];
    const at = `body.data.${field.name}`;
    if (value === undefined || value === null || value === '') {
      if (field.required) issues.push({ field: at, message: 'is required' });
      continue;
    }
    const typeOk =
      field.type === 'string'
        ? typeof value === 'string'
        : field.type === 'number'
          ? typeof value === 'number' && Number.isFinite(value)
          : field.type === 'integer'
            ? Number.isInteger(value)
            : field.type === 'boolean'
              ? typeof value === 'boolean'
              : field.type === 'date'
                ? typeof value === 'string' && !Number.isNaN(Date.parse(value))
                : typeof value === 'object';
    if (!typeOk) issues.push({ field: at, message: `must be ${field.type === 'integer' ? 'an' : 'a'} ${field.type}` });
    else if (field.options && !field.options.includes(value as string | number)) {
      issues.push({ field: at, message: `must be one of ${field.options.join(', ')}` });
    }
  }
  return issues;
}

import { sql } from 'kysely';
import { newId } from '../../core/ids.js';
import type { Tx } from '../../storage/schema.js';
import type { Assignment, TaskStep } from '../definition/types.js';
import { NonRetryableError } from '../actions.js';
import { renderTemplate } from '../expressions.js';
import type { InstanceRun, TokenRow } from './instance-run.js';
import '../store/tables.js';

export interface CreatedTask {
  id: string;
  queue: string;
  assignee: string | null;
  dueAt: string | null;
}

/** Creates the human task of a task step and assigns it by the step's rule. */
export async function createTask(
  run: InstanceRun,
  token: TokenRow,
  step: TaskStep,
  due: Date | null,
): Promise<CreatedTask> {
  const rendered = renderTemplate(step.title, run.context);
  const title =
    typeof rendered === 'string'
      ? rendered
      : rendered === null || rendered === undefined
        ? step.id
        : JSON.stringify(rendered);
  const data = step.data === undefined ? null : renderTemplate(step.data, run.context);
  const queue = renderQueue(step.queue, run.context);
  const excluded = excludedUsers(step.excludeUsers === undefined ? [] : renderTemplate(step.excludeUsers, run.context));
  const assignee = await assign(
    run.tx,
    queue,
    step.assign ?? { strategy: 'unassigned' },
    run.context,
    new Set(excluded),
  );
  const id = newId('tsk', run.now.getTime());
  await run.tx
    .insertInto('wf_tasks')
    .values({
      id,
      instance_id: run.instance.id,
      token_id: token.id,
      step_id: step.id,
      queue,
      title,
      description: step.description ?? null,
      form: JSON.stringify(step.form ?? []),
      outcomes: JSON.stringify(step.outcomes ?? ['done']),
      data: data === null ? null : JSON.stringify(data),
      assignee,
      status: 'open',
      due_at: due,
      escalated_at: null,
      outcome: null,
      result: null,
      completed_by: null,
      created_at: run.now,
      claimed_at: null,
      completed_at: null,
      excluded_users: JSON.stringify(excluded),
    })
    .execute();
  return { id, queue, assignee, dueAt: due?.toISOString() ?? null };
}

/** A templated queue (`'{{ steps.plan.queue }}'`) must name one; a plain name passes through. */
function renderQueue(queue: string, context: unknown): string {
  if (!queue.includes('{{')) return queue;
  const rendered = renderTemplate(queue, context);
  if (typeof rendered !== 'string' || rendered.trim() === '') {
    throw new NonRetryableError(`queue ${queue} gave ${JSON.stringify(rendered ?? null)}, not a queue name`);
  }
  return rendered;
}

/** The rendered `excludeUsers`: one id or a list; empty values (a step not yet run) drop out. */
function excludedUsers(rendered: unknown): string[] {
  const list = Array.isArray(rendered) ? (rendered as unknown[]) : [rendered];
  return [...new Set(list.filter((u): u is string => typeof u === 'string' && u.trim() !== '').map((u) => u.trim()))];
}

/**
 * Picks the assignee: a named user, the next member of the queue in turn (the cursor lives on the
 * queue row, locked, so two workers never hand out the same turn), or the member with the fewest
 * open tasks. A queue without members leaves the task unassigned for anyone in the queue to claim.
 * Excluded users (four eyes) are never picked: their turn passes to the next member.
 */
async function assign(
  tx: Tx,
  queue: string,
  rule: Assignment,
  context: unknown,
  excluded: ReadonlySet<string>,
): Promise<string | null> {
  if ('user' in rule) {
    // Templated, so a case can stay with its current collector: user: "{{ input.collector }}".
    const user = renderTemplate(rule.user, context);
    return typeof user === 'string' && user !== '' && !excluded.has(user) ? user : null;
  }
  if (rule.strategy === 'unassigned') return null;
  const row = await tx
    .selectFrom('wf_queues')
    .select(['members', 'rr_cursor'])
    .where('name', '=', queue)
    .forUpdate()
    .executeTakeFirst();
  const members = (row?.members as string[] | undefined) ?? [];
  const eligible = members.filter((m) => !excluded.has(m));
  if (!row || eligible.length === 0) return null;
  if (rule.strategy === 'round-robin') {
    let turn = row.rr_cursor % members.length;
    while (excluded.has(members[turn]!)) turn = (turn + 1) % members.length;
    await tx
      .updateTable('wf_queues')
      .set({ rr_cursor: (turn + 1) % members.length })
      .where('name', '=', queue)
      .execute();
    return members[turn]!;
  }
  const load = await tx
    .selectFrom('wf_tasks')
    .select(['assignee', sql<string>`count(*)`.as('open')])
    .where('status', '=', 'open')
    .where('assignee', 'in', eligible)
    .groupBy('assignee')
    .execute();
  const openBy = new Map(load.map((r) => [r.assignee, Number(r.open)]));
  return eligible.reduce((best, m) => ((openBy.get(m) ?? 0) < (openBy.get(best) ?? 0) ? m : best), eligible[0]!);
}

/** SLA breached: move the task to the escalation queue, or cancel it and continue at a step. */
export async function escalateTask(
  run: InstanceRun,
  token: TokenRow,
  step: TaskStep,
  taskId: string,
): Promise<{ next?: string }> {
  const task = await run.tx
    .selectFrom('wf_tasks')
    .select(['status', 'queue', 'assignee'])
    .where('id', '=', taskId)
    .executeTakeFirst();
  if (!task || task.status !== 'open') return {};
  const escalate = step.escalate;
  if (escalate && 'next' in escalate) {
    await run.tx
      .updateTable('wf_tasks')
      .set({ status: 'cancelled', escalated_at: run.now, completed_at: run.now })
      .where('id', '=', taskId)
      .execute();
    run.context.steps[step.id] = { escalated: true, outcome: null };
    run.record({
      tokenId: token.id,
      stepId: step.id,
      stepType: step.type,
      event: 'escalated',
      data: { taskId, next: escalate.next },
    });
    return { next: escalate.next };
  }
  const queue = escalate && 'queue' in escalate ? escalate.queue : task.queue;
  await run.tx
    .updateTable('wf_tasks')
    .set({ queue, assignee: null, escalated_at: run.now })
    .where('id', '=', taskId)
    .execute();
  run.record({
    tokenId: token.id,
    stepId: step.id,
    stepType: step.type,
    event: 'escalated',
    data: { taskId, from: { queue: task.queue, assignee: task.assignee }, to: { queue } },
  });
  return {};
}

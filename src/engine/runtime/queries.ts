import { sql, type SelectQueryBuilder } from 'kysely';
import { notFound } from '../../core/errors.js';
import type { Queryable, Tables } from '../../storage/schema.js';
import { ACTIVE_TOKEN_STATUSES, type InstanceStatus, type TaskStatus } from '../store/tables.js';

/** Read models for the API and CLI. */

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export async function listDefinitions(db: Queryable) {
  const rows = await db
    .selectFrom('wf_definitions as d')
    .select(['d.key', 'd.version', 'd.name', 'd.deployed_at', 'd.deployed_by'])
    .where((eb) =>
      eb(
        'd.version',
        '=',
        eb
          .selectFrom('wf_definitions as l')
          .select((e) => e.fn.max('l.version').as('v'))
          .whereRef('l.key', '=', 'd.key'),
      ),
    )
    .orderBy('d.key')
    .execute();
  return rows.map((r) => ({
    key: r.key,
    latestVersion: r.version,
    name: r.name,
    deployedAt: iso(r.deployed_at),
    deployedBy: r.deployed_by,
  }));
}

export async function getDefinitionVersions(db: Queryable, key: string) {
  const rows = await db
    .selectFrom('wf_definitions')
    .select(['version', 'name', 'checksum', 'deployed_at', 'deployed_by'])
    .where('key', '=', key)
    .orderBy('version', 'desc')
    .execute();
  if (rows.length === 0) throw notFound('workflow', key);
  return rows.map((r) => ({
    version: r.version,
    name: r.name,
    checksum: r.checksum,
    deployedAt: iso(r.deployed_at),
    deployedBy: r.deployed_by,
  }));
}

/** Whether any version of a workflow is deployed: a domain installs what it ships only when absent. */
export async function definitionExists(db: Queryable, key: string): Promise<boolean> {
  const workflow = await db
    .selectFrom('wf_definitions')
    .select('version')
    .where('key', '=', key)
    .limit(1)
    .executeTakeFirst();
  return workflow !== undefined;
}

export async function getDefinition(db: Queryable, key: string, version?: number) {
  let query = db.selectFrom('wf_definitions').selectAll().where('key', '=', key);
  query = version === undefined ? query.orderBy('version', 'desc').limit(1) : query.where('version', '=', version);
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('workflow', version === undefined ? key : `${key}@${version}`);
  return {
    key: row.key,
    version: row.version,
    name: row.name,
    format: row.format,
    checksum: row.checksum,
    deployedAt: iso(row.deployed_at),
    deployedBy: row.deployed_by,
    definition: row.document,
    source: row.source,
  };
}

export interface InstanceFilter {
  status?: InstanceStatus | undefined;
  workflow?: string | undefined;
  correlationKey?: string | undefined;
  /** Only instances on this version of their workflow. */
  version?: number | undefined;
  /**
   * Free text: an instance id, or a piece of the correlation key, the workflow key or the error
   * (case-insensitive).
   */
  q?: string | undefined;
  /** Keyset paging on id (ids sort by creation time). */
  after?: string | undefined;
  limit?: number | undefined;
}

export async function listInstances(db: Queryable, filter: InstanceFilter = {}) {
  let query = db
    .selectFrom('wf_instances')
    .select([
      'id',
      'workflow_key',
      'version',
      'status',
      'correlation_key',
      'outcome',
      'parent_id',
      'next_run_at',
      'created_at',
      'updated_at',
      'ended_at',
    ])
    .orderBy('id')
    .limit(Math.min(filter.limit ?? 100, 1000));
  query = whereInstances(query, filter);
  if (filter.after) query = query.where('id', '>', filter.after);
  return (await query.execute()).map((r) => ({
    id: r.id,
    workflow: r.workflow_key,
    version: r.version,
    status: r.status,
    correlationKey: r.correlation_key,
    outcome: r.outcome,
    parentId: r.parent_id,
    nextRunAt: iso(r.next_run_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    endedAt: iso(r.ended_at),
  }));
}

/** `%`, `_` and `\\` taken literally in a LIKE pattern. */
const likeLiteral = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The filter of the instance list (paging aside), on any query over wf_instances. */
function whereInstances<Q extends SelectQueryBuilder<Tables, 'wf_instances', object>>(
  query: Q,
  filter: InstanceFilter,
): Q {
  let q = query;
  if (filter.status) q = q.where('status', '=', filter.status) as Q;
  if (filter.workflow) q = q.where('workflow_key', '=', filter.workflow) as Q;
  if (filter.correlationKey) q = q.where('correlation_key', '=', filter.correlationKey) as Q;
  if (filter.version !== undefined) q = q.where('version', '=', filter.version) as Q;
  const text = filter.q?.trim();
  if (text) {
    const pattern = `%${likeLiteral(text)}%`;
    q = q.where((eb) =>
      eb.or([
        eb('id', '=', text),
        eb('correlation_key', 'ilike', pattern),
        eb('workflow_key', 'ilike', pattern),
        eb(sql<string>`error::text`, 'ilike', pattern),
      ]),
    ) as Q;
  }
  return q;
}

/** How many instances match the list's filter (`after` and `limit` ignored), counted up to `cap`. */
export async function countInstances(db: Queryable, filter: InstanceFilter, cap = 1_000_000): Promise<number> {
  const inner = whereInstances(db.selectFrom('wf_instances').select('id'), filter).limit(cap);
  const row = await db
    .selectFrom(inner.as('m'))
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The ids of the instances matching the list's filter, oldest first, at most `limit` of them. */
export async function matchingInstanceIds(db: Queryable, filter: InstanceFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let after = '';
  while (ids.length < limit) {
    const want = Math.min(1000, limit - ids.length);
    const rows = await whereInstances(db.selectFrom('wf_instances').select('id'), filter)
      .where('id', '>', after)
      .orderBy('id')
      .limit(want)
      .execute();
    for (const row of rows) ids.push(row.id);
    if (rows.length < want) break;
    after = rows[rows.length - 1]!.id;
  }
  return ids;
}

/** An instance with where it stands (its active tokens), its context and its whole timeline. */
export async function getInstance(db: Queryable, id: string) {
  const row = await db.selectFrom('wf_instances').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('instance', id);
  const tokens = await db
    .selectFrom('wf_tokens')
    .select(['id', 'step_id', 'status', 'run_at', 'attempt', 'branch_id', 'wait', 'wait_event_type', 'wait_event_key'])
    .where('instance_id', '=', id)
    .where('status', 'in', ACTIVE_TOKEN_STATUSES)
    .orderBy('id')
    .execute();
  const history = await db.selectFrom('wf_history').selectAll().where('instance_id', '=', id).orderBy('seq').execute();
  const tasks = await db
    .selectFrom('wf_tasks')
    .select(['id', 'step_id', 'queue', 'status', 'assignee', 'outcome'])
    .where('instance_id', '=', id)
    .orderBy('id')
    .execute();
  return {
    id: row.id,
    workflow: row.workflow_key,
    version: row.version,
    status: row.status,
    correlationKey: row.correlation_key,
    parentId: row.parent_id,
    outcome: row.outcome,
    output: row.output,
    error: row.error,
    context: row.context,
    startedBy: row.started_by,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
    endedAt: iso(row.ended_at),
    nextRunAt: iso(row.next_run_at),
    at: tokens.map((t) => ({
      tokenId: t.id,
      step: t.step_id,
      status: t.status,
      runAt: iso(t.run_at),
      attempt: t.attempt,
      branch: t.branch_id,
      waitingFor: t.wait_event_type
        ? { event: t.wait_event_type, key: t.wait_event_key }
        : ((t.wait as { kind?: string } | null)?.kind ?? null),
    })),
    tasks: tasks.map((t) => ({
      id: t.id,
      step: t.step_id,
      queue: t.queue,
      status: t.status,
      assignee: t.assignee,
      outcome: t.outcome,
    })),
    timeline: history.map((h) => ({
      seq: Number(h.seq),
      at: iso(h.at)!,
      step: h.step_id,
      type: h.step_type,
      event: h.event,
      attempt: h.attempt,
      actor: h.actor,
      data: h.data,
    })),
  };
}

export interface TaskFilter {
  queue?: string | undefined;
  assignee?: string | undefined;
  status?: TaskStatus | undefined;
  instanceId?: string | undefined;
  after?: string | undefined;
  limit?: number | undefined;
}

function presentTask(t: {
  id: string;
  instance_id: string;
  step_id: string;
  queue: string;
  title: string;
  description: string | null;
  form: unknown;
  outcomes: unknown;
  data: unknown;
  assignee: string | null;
  status: TaskStatus;
  due_at: Date | null;
  escalated_at: Date | null;
  outcome: string | null;
  result: unknown;
  completed_by: string | null;
  created_at: Date;
  claimed_at: Date | null;
  completed_at: Date | null;
  excluded_users: unknown;
}) {
  return {
    id: t.id,
    instanceId: t.instance_id,
    step: t.step_id,
    queue: t.queue,
    title: t.title,
    description: t.description,
    form: t.form,
    outcomes: t.outcomes,
    data: t.data,
    assignee: t.assignee,
    status: t.status,
    dueAt: iso(t.due_at),
    escalatedAt: iso(t.escalated_at),
    outcome: t.outcome,
    result: t.result,
    completedBy: t.completed_by,
    createdAt: iso(t.created_at)!,
    claimedAt: iso(t.claimed_at),
    completedAt: iso(t.completed_at),
    excludedUsers: (t.excluded_users as string[] | null) ?? [],
  };
}

export async function listTasks(db: Queryable, filter: TaskFilter = {}) {
  let query = db
    .selectFrom('wf_tasks')
    .selectAll()
    .orderBy('id')
    .limit(Math.min(filter.limit ?? 100, 1000));
  if (filter.queue) query = query.where('queue', '=', filter.queue);
  if (filter.assignee) query = query.where('assignee', '=', filter.assignee);
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.instanceId) query = query.where('instance_id', '=', filter.instanceId);
  if (filter.after) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(presentTask);
}

/**
 * Where a page of a person's work list starts: after the task `id` due at `dueAt` (the exact
 * timestamp as PostgreSQL keeps it, to the microsecond, so no task is skipped or repeated; null for
 * a task without a due time, which come last).
 */
export interface WorkListCursor {
  dueAt: string | null;
  id: string;
}

/** `<due time to the microsecond, UTC>~<task id>`, or `none~<task id>` past the tasks with a due time. */
const WORK_LIST_CURSOR =
  /^(?:([1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})\d{3}Z|none)~(tsk_[0-9A-HJKMNP-TV-Z]{26})$/;

/** The work list's cursor as text (a page's `next`). */
export const formatWorkListCursor = (cursor: WorkListCursor): string => `${cursor.dueAt ?? 'none'}~${cursor.id}`;

/** A `next` of the work list read back, or null when the text cannot be one (a date that does not exist, too). */
export function parseWorkListCursor(text: string): WorkListCursor | null {
  const match = WORK_LIST_CURSOR.exec(text);
  if (!match) return null;
  const [, millis, id] = match;
  if (millis === undefined) return { dueAt: null, id: id! };
  const date = new Date(`${millis}Z`);
  // 2026-02-30 parses as 2 March: a date that does not round-trip does not exist.
  if (Number.isNaN(date.getTime()) || date.toISOString() !== `${millis}Z`) return null;
  return { dueAt: text.slice(0, text.indexOf('~')), id: id! };
}

/**
 * A person's work list: open tasks assigned to `user`, and open unassigned tasks of the queues
 * `user` is a member of (theirs to claim) — the ones due first first, tasks without a due time last,
 * a page at a time after `after`. Each half reads its own index in this order
 * (wf_tasks_assignee_due_idx, wf_tasks_queue_due_idx) up to a page, and the page is the first
 * `limit` of the two: a later page does not sort every task of the person again. Each task comes
 * with its cursor (the page's `next` when it is the page's last).
 */
export async function tasksOfUser(
  db: Queryable,
  user: string,
  page: { after?: WorkListCursor | undefined; limit?: number | undefined } = {},
) {
  const limit = Math.min(page.limit ?? 200, 1000);
  const after = page.after;
  const dueKey = sql<string | null>`to_char(due_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('due_key');
  const half = () => {
    let query = db.selectFrom('wf_tasks').selectAll().select(dueKey).where('status', '=', 'open');
    if (after?.dueAt === null) query = query.where('due_at', 'is', null).where('id', '>', after.id);
    else if (after) {
      const { dueAt, id } = after;
      // (due_at, id) after the cursor's, and every task without a due time (they come last).
      query = query.where((eb) =>
        eb.or([sql<boolean>`(due_at, id) > (${dueAt}::timestamptz, ${id}::text)`, eb('due_at', 'is', null)]),
      );
    }
    return query
      .orderBy(sql`due_at asc nulls last`)
      .orderBy('id')
      .limit(limit);
  };
  const assigned = half().where('assignee', '=', user);
  const queued = half()
    .where('assignee', 'is', null)
    .where((eb) =>
      eb(
        'queue',
        'in',
        eb
          .selectFrom('wf_queues')
          .select('name')
          .where(sql<boolean>`members @> ${JSON.stringify([user])}::jsonb`),
      ),
    );
  const rows = await db
    .selectFrom(
      db
        .selectFrom(assigned.as('a'))
        .selectAll()
        .unionAll(db.selectFrom(queued.as('q')).selectAll())
        .as('t'),
    )
    .selectAll()
    .orderBy(sql`due_at asc nulls last`)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    task: presentTask(row),
    cursor: formatWorkListCursor({ dueAt: row.due_key, id: row.id }),
  }));
}

export async function getTask(db: Queryable, id: string) {
  const row = await db.selectFrom('wf_tasks').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('task', id);
  return presentTask(row);
}

/** How many open tasks each of these users holds (users with none are absent): a least-loaded pick. */
export async function openTaskCounts(db: Queryable, assignees: readonly string[]): Promise<Map<string, number>> {
  const loads = await db
    .selectFrom('wf_tasks')
    .select(['assignee', sql<string>`count(*)`.as('n')])
    .where('status', '=', 'open')
    .where('assignee', 'in', assignees)
    .groupBy('assignee')
    .execute();
  return new Map(loads.map((r) => [r.assignee!, Number(r.n)]));
}

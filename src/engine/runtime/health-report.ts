import { sql } from 'kysely';
import type { Queryable } from '../../storage/schema.js';

/** An instance's statuses, in the order the report lists them. */
export const INSTANCE_STATUSES_ALL = ['running', 'suspended', 'failed', 'completed', 'cancelled'] as const;

/**
 * The engine's health at a glance (dashboards): instances by workflow and status, the failed ones
 * (dead letters) with the oldest, and each queue's task backlog with its SLA breaches — open tasks
 * past their due time now, and tasks completed after it over the last `days` days. Counted in SQL, one
 * query per figure, whatever the size of the tables.
 */

export interface EngineHealth {
  asOf: string;
  days: number;
  instances: Array<{ status: string; count: number }>;
  byWorkflow: Array<{ workflow: string } & Record<(typeof INSTANCE_STATUSES_ALL)[number], number>>;
  failed: { count: number; oldestAt: string | null };
  queues: Array<{
    queue: string;
    open: number;
    unassigned: number;
    overdue: number;
    escalated: number;
    oldestOpenAt: string | null;
    completed: number;
    completedLate: number;
  }>;
}

const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());

export async function engineHealth(db: Queryable, now: Date, days: number): Promise<EngineHealth> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const { rows: byStatus } = await sql<{ status: string; count: number }>`
    SELECT status, count(*)::int AS count FROM wf_instances GROUP BY status`.execute(db);
  const { rows: byWorkflow } = await sql<{ workflow: string } & Record<string, number>>`
    SELECT workflow_key AS workflow,
           ${sql.join(
             INSTANCE_STATUSES_ALL.map((s) => sql`count(*) FILTER (WHERE status = ${s})::int AS ${sql.ref(s)}`),
           )}
      FROM wf_instances GROUP BY workflow_key ORDER BY count(*) DESC, workflow_key LIMIT 50`.execute(db);
  const { rows: failed } = await sql<{ count: number; oldest: Date | null }>`
    SELECT count(*)::int AS count, min(updated_at) AS oldest FROM wf_instances WHERE status = 'failed'`.execute(db);
  const { rows: queues } = await sql<{
    queue: string;
    open: number;
    unassigned: number;
    overdue: number;
    escalated: number;
    oldest_open: Date | null;
    completed: number;
    completed_late: number;
  }>`
    SELECT queue,
           count(*) FILTER (WHERE status = 'open')::int AS open,
           count(*) FILTER (WHERE status = 'open' AND assignee IS NULL)::int AS unassigned,
           count(*) FILTER (WHERE status = 'open' AND due_at < ${now}::timestamptz)::int AS overdue,
           count(*) FILTER (WHERE status = 'open' AND escalated_at IS NOT NULL)::int AS escalated,
           min(created_at) FILTER (WHERE status = 'open') AS oldest_open,
           count(*) FILTER (WHERE status = 'completed' AND completed_at >= ${since}::timestamptz)::int AS completed,
           count(*) FILTER (WHERE status = 'completed' AND completed_at >= ${since}::timestamptz
                              AND completed_at > due_at)::int AS completed_late
      FROM wf_tasks
     WHERE status = 'open' OR completed_at >= ${since}::timestamptz
     GROUP BY queue ORDER BY queue`.execute(db);
  return {
    asOf: now.toISOString(),
    days,
    instances: INSTANCE_STATUSES_ALL.map((status) => ({
      status,
      count: byStatus.find((r) => r.status === status)?.count ?? 0,
    })),
    byWorkflow: byWorkflow.map((r) => ({
      workflow: r.workflow,
      running: r.running ?? 0,
      suspended: r.suspended ?? 0,
      failed: r.failed ?? 0,
      completed: r.completed ?? 0,
      cancelled: r.cancelled ?? 0,
    })),
    failed: { count: failed[0]?.count ?? 0, oldestAt: iso(failed[0]?.oldest ?? null) },
    queues: queues.map((q) => ({
      queue: q.queue,
      open: q.open,
      unassigned: q.unassigned,
      overdue: q.overdue,
      escalated: q.escalated,
      oldestOpenAt: iso(q.oldest_open),
      completed: q.completed,
      completedLate: q.completed_late,
    })),
  };
}

import type { Selectable } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { validationError, type FieldIssue } from '../../core/errors.js';
import { appendAudit } from '../../storage/audit/audit-append.js';
import type { Database } from '../../storage/database.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import type { WfQueuesTable } from '../store/tables.js';

/** Work queues for human tasks: the members tasks may be assigned to (round-robin / least-loaded). */
export const QUEUE_NAME = /^[A-Za-z0-9._-]{1,100}$/;
const MAX_MEMBER_LENGTH = 200;

export interface Queue {
  name: string;
  /** In the order given: round-robin assignment walks them in this order. */
  members: string[];
  /** Index of the next member for round-robin assignment (taken modulo members.length). */
  rrCursor: number;
}

export interface StoredQueue extends Queue {
  updatedAt: Date;
  updatedBy: string;
}

export interface PutQueueInput {
  name: string;
  members: string[];
  actor: string;
  requestId?: string | undefined;
}

export interface PutQueueResult {
  queue: StoredQueue;
  created: boolean;
  /** false when the queue already had exactly these members (nothing written, nothing audited). */
  changed: boolean;
}

/** Creates a queue or replaces its members; the round-robin cursor of an existing queue is kept. */
export async function putQueue(
  database: Database,
  input: PutQueueInput,
  clock: Clock = systemClock,
): Promise<PutQueueResult> {
  const { name, members } = validateQueue(input);
  return database.transaction(async (tx) => {
    const before = await lockOrInsert(tx, name, members, input.actor, clock);
    if (before && sameMembers(before.members, members)) return { queue: before, created: false, changed: false };
    const now = clock.now();
    if (before) {
      await tx
        .updateTable('wf_queues')
        .set({ members: JSON.stringify(members), updated_at: now, updated_by: input.actor })
        .where('name', '=', name)
        .execute();
    }
    await appendAudit(
      tx,
      {
        actor: input.actor,
        action: 'queue.updated',
        entityType: 'queue',
        entityId: name,
        before: before ? { name, members: before.members } : null,
        after: { name, members },
        requestId: input.requestId ?? null,
      },
      clock,
    );
    const queue = { name, members, rrCursor: before?.rrCursor ?? 0, updatedAt: now, updatedBy: input.actor };
    return { queue, created: !before, changed: true };
  });
}

export async function getQueue(db: Queryable, name: string): Promise<StoredQueue | undefined> {
  const row = await db.selectFrom('wf_queues').selectAll().where('name', '=', name).executeTakeFirst();
  return row && toQueue(row);
}

export async function listQueues(db: Queryable): Promise<StoredQueue[]> {
  const rows = await db.selectFrom('wf_queues').selectAll().orderBy('name').execute();
  return rows.map(toQueue);
}

/**
 * The current row, locked until commit; or, when there is none, inserts the new queue and returns
 * undefined. If a concurrent first put wins the insert, ours does nothing and the next pass locks
 * its row, so the audit's `before` is always what this put replaced.
 */
async function lockOrInsert(
  tx: Tx,
  name: string,
  members: string[],
  actor: string,
  clock: Clock,
): Promise<StoredQueue | undefined> {
  for (;;) {
    const row = await tx.selectFrom('wf_queues').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
    if (row) return toQueue(row);
    const inserted = await tx
      .insertInto('wf_queues')
      .values({ name, members: JSON.stringify(members), rr_cursor: 0, updated_at: clock.now(), updated_by: actor })
      .onConflict((oc) => oc.column('name').doNothing())
      .returning('name')
      .executeTakeFirst();
    if (inserted) return undefined;
  }
}

function validateQueue(input: PutQueueInput): { name: string; members: string[] } {
  const issues: FieldIssue[] = [];
  if (typeof input.name !== 'string' || !QUEUE_NAME.test(input.name)) {
    issues.push({ field: 'name', message: 'must be 1-100 characters of A-Z, a-z, 0-9, ".", "_" or "-"' });
  }
  if (!Array.isArray(input.members)) issues.push({ field: 'members', message: 'must be a list of user names' });
  else {
    input.members.forEach((member: unknown, i) => {
      if (typeof member !== 'string' || member.trim() === '' || member.length > MAX_MEMBER_LENGTH) {
        issues.push({
          field: `members[${i}]`,
          message: `must be a non-empty string of at most ${MAX_MEMBER_LENGTH} characters`,
        });
      }
    });
  }
  if (issues.length > 0) throw validationError(issues);
  // Deduplicated keeping the first occurrence: order matters for round-robin.
  return { name: input.name, members: [...new Set(input.members)] };
}

const sameMembers = (a: string[], b: string[]): boolean => a.length === b.length && a.every((m, i) => m === b[i]);

function toQueue(row: Selectable<WfQueuesTable>): StoredQueue {
  return {
    name: row.name,
    members: Array.isArray(row.members) ? row.members.filter((m): m is string => typeof m === 'string') : [],
    rrCursor: row.rr_cursor,
    updatedAt: new Date(row.updated_at),
    updatedBy: row.updated_by,
  };
}

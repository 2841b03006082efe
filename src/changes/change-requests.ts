import type { Selectable } from 'kysely';
import type { Principal } from '../auth/principal.js';
import { rolesHave, type Permission } from '../auth/roles.js';
import type { Clock } from '../core/clock.js';
import { AppError, conflict, forbidden, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { AuditedUnit } from '../storage/audit/audited-unit.js';
import { joinTransaction, type Database } from '../storage/database.js';
import type { Json, Queryable, Timestamp } from '../storage/schema.js';

declare module '../storage/schema.js' {
  interface Tables {
    change_requests: ChangeRequestsTable;
  }
}

export interface ChangeRequestsTable {
  id: string;
  kind: string;
  target: string;
  payload: Json;
  reason: string | null;
  status: string;
  proposed_by: string;
  proposed_actor: string;
  proposed_at: Timestamp;
  decided_by: string | null;
  decided_actor: string | null;
  decided_at: Timestamp | null;
  decision_reason: string | null;
  result: Json | null;
}

export const CHANGE_KINDS = ['workflow', 'decision', 'user_roles'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];
export const CHANGE_STATUSES = ['proposed', 'approved', 'rejected'] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

/** What a proposer needs, and what the approver needs besides `changes:review`. */
export const CHANGE_PERMISSION: Record<ChangeKind, Permission> = {
  workflow: 'workflows:deploy',
  decision: 'decisions:manage',
  user_roles: 'users:manage',
};

/**
 * How each kind is checked when proposed (so a broken change fails at once, not at approval) and
 * applied when approved. The composition root supplies them: this module knows no engine or users.
 */
export interface ChangeKindHandler {
  /** Throws a 4xx naming the field when the payload cannot be applied; answers the target. */
  check(database: Database, payload: Record<string, unknown>, target: string): Promise<string>;
  apply(database: Database, change: ChangeRequest, who: { actor: string; requestId: string | null }): Promise<unknown>;
}
export type ChangeHandlers = Record<ChangeKind, ChangeKindHandler>;

export interface ChangeRequest {
  id: string;
  kind: ChangeKind;
  target: string;
  payload: Record<string, unknown>;
  reason: string | null;
  status: ChangeStatus;
  proposedBy: string;
  proposedActor: string;
  proposedAt: Date;
  decidedBy: string | null;
  decidedActor: string | null;
  decidedAt: Date | null;
  decisionReason: string | null;
  result: unknown;
}

const present = (row: Selectable<ChangeRequestsTable>): ChangeRequest => ({
  id: row.id,
  kind: row.kind as ChangeKind,
  target: row.target,
  payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as Record<string, unknown>,
  reason: row.reason,
  status: row.status as ChangeStatus,
  proposedBy: row.proposed_by,
  proposedActor: row.proposed_actor,
  proposedAt: new Date(row.proposed_at),
  decidedBy: row.decided_by,
  decidedActor: row.decided_actor,
  decidedAt: row.decided_at === null ? null : new Date(row.decided_at),
  decisionReason: row.decision_reason,
  result: typeof row.result === 'string' ? JSON.parse(row.result) : row.result,
});

interface Who {
  principal: Principal;
  requestId?: string | null;
}

export async function proposeChange(
  database: Database,
  handler: ChangeKindHandler,
  input: Who & { kind: ChangeKind; target: string; payload: Record<string, unknown>; reason?: string | undefined },
  clock: Clock,
): Promise<ChangeRequest> {
  const target = await handler.check(database, input.payload, input.target);
  const id = newId('chg', clock.now().getTime());
  await AuditedUnit.run(
    database,
    { actor: input.principal.id, requestId: input.requestId ?? null },
    clock,
    async (unit) => {
      await unit.tx
        .insertInto('change_requests')
        .values({
          id,
          kind: input.kind,
          target,
          payload: JSON.stringify(input.payload),
          reason: input.reason ?? null,
          status: 'proposed',
          proposed_by: input.principal.worksAs,
          proposed_actor: input.principal.id,
          proposed_at: clock.now(),
          decided_by: null,
          decided_actor: null,
          decided_at: null,
          decision_reason: null,
          result: null,
        })
        .execute();
      unit.audit({
        action: 'change.proposed',
        entityType: 'change_request',
        entityId: id,
        after: { kind: input.kind, target, proposedBy: input.principal.worksAs },
        reason: input.reason ?? null,
      });
    },
  );
  return getChange(database.db, id);
}

/**
 * The second person's answer. Approving applies the change in the same transaction. The checker is
 * never the maker (compared on `worksAs`, so not through a second key or role of one's own), never
 * the user whose roles change, and must hold the permission the change needs.
 */
export async function decideChange(
  database: Database,
  handlers: ChangeHandlers,
  input: Who & { id: string; approve: boolean; reason?: string | undefined },
  clock: Clock,
): Promise<ChangeRequest> {
  const { principal } = input;
  const requestId = input.requestId ?? null;
  await AuditedUnit.run(database, { actor: principal.id, requestId }, clock, async (unit) => {
    const row = await unit.tx
      .selectFrom('change_requests')
      .selectAll()
      .where('id', '=', input.id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound('change request', input.id);
    const change = present(row);
    const needed = CHANGE_PERMISSION[change.kind];
    if (!rolesHave(principal.roles, needed)) throw forbidden(needed, principal.roles);
    if (change.status !== 'proposed') {
      throw conflict('change_not_proposed', `change ${change.id} is already ${change.status}`, {
        state: change.status,
      });
    }
    const maker = change.proposedBy === principal.worksAs;
    // The maker may withdraw their own proposal; only approval needs a second person.
    if (input.approve && (maker || (change.kind === 'user_roles' && change.target === principal.worksAs))) {
      throw conflict(
        'separation_of_duties',
        maker
          ? `${principal.worksAs} proposed change ${change.id}: a second person must approve it (four eyes)`
          : `${principal.worksAs} may not approve a change of their own roles (four eyes)`,
        { user: principal.worksAs, proposedBy: change.proposedBy },
      );
    }
    const now = clock.now();
    const result = input.approve
      ? await handlers[change.kind].apply(joinTransaction(database, unit.tx), change, {
          actor: principal.id,
          requestId,
        })
      : null;
    await unit.tx
      .updateTable('change_requests')
      .set({
        status: input.approve ? 'approved' : 'rejected',
        decided_by: principal.worksAs,
        decided_actor: principal.id,
        decided_at: now,
        decision_reason: input.reason ?? null,
        result: result === null ? null : JSON.stringify(result),
      })
      .where('id', '=', change.id)
      .execute();
    unit.audit({
      action: input.approve ? 'change.approved' : 'change.rejected',
      entityType: 'change_request',
      entityId: change.id,
      before: { status: 'proposed', proposedBy: change.proposedBy },
      after: {
        status: input.approve ? 'approved' : 'rejected',
        kind: change.kind,
        target: change.target,
        proposedBy: change.proposedBy,
        decidedBy: principal.worksAs,
        result,
      },
      reason: input.reason ?? null,
    });
  });
  return getChange(database.db, input.id);
}

export async function getChange(db: Queryable, id: string): Promise<ChangeRequest> {
  const row = await db.selectFrom('change_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('change request', id);
  return present(row);
}

export async function listChanges(
  db: Queryable,
  filter: { status?: ChangeStatus | undefined; limit?: number | undefined } = {},
): Promise<ChangeRequest[]> {
  let query = db
    .selectFrom('change_requests')
    .selectAll()
    .orderBy('id', 'desc')
    .limit(filter.limit ?? 100);
  if (filter.status) query = query.where('status', '=', filter.status);
  return (await query.execute()).map(present);
}

/** The answer of a direct deploy route when changes need a second person. */
export const changeApprovalRequired = (kind: ChangeKind, route: string): AppError =>
  new AppError(
    'change_approval_required',
    409,
    `changes need a second person's approval here: propose it with ${route}, then another person approves it (POST /changes/{id}/approve)`,
    { details: { kind } },
  );

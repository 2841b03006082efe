import { sql, type RawBuilder, type Selectable } from 'kysely';
import { newId } from '../../core/ids.js';
import type { AuditEntry } from '../../storage/audit/audit-log.js';
import type { Tx } from '../../storage/schema.js';
import type { DeployedDefinition, Step } from '../definition/types.js';
import {
  ACTIVE_TOKEN_STATUSES,
  isActive,
  isLive,
  type InstanceStatus,
  type WfInstancesTable,
  type WfTokensTable,
} from '../store/tables.js';
import { ENGINE_ACTOR } from './engine-actor.js';

export type InstanceRow = Selectable<WfInstancesTable>;
export type TokenRow = Selectable<WfTokensTable>;
export interface InstanceState {
  instance: InstanceRow;
  tokens: TokenRow[];
}

/** What a waiting token waits for; `resumed` is set by whoever wakes it (event, task, child, join). */
export interface TokenWait {
  kind: 'timer' | 'event' | 'task' | 'join' | 'child';
  until?: string;
  taskId?: string;
  childId?: string;
  filter?: string;
  resumed?: unknown;
}

/** The context expressions and templates see. */
export interface InstanceContext {
  input: unknown;
  steps: Record<string, unknown>;
  instance: { id: string; workflow: string; version: number; correlationKey: string | null };
}

export interface HistoryEntry {
  tokenId: string | null;
  stepId: string | null;
  stepType: string | null;
  event: string;
  attempt?: number | null;
  actor?: string | null;
  data?: unknown;
}

/**
 * One instance loaded under its row lock for the length of a worker transaction. Steps change it in
 * memory; flush() writes the instance, its changed tokens, the timeline and one audit row, all in the
 * transaction that also holds the steps' own effects.
 */
export class InstanceRun {
  readonly tokens = new Map<string, TokenRow>();
  readonly #dirty = new Set<string>();
  readonly #created = new Set<string>();
  readonly #history: HistoryEntry[] = [];
  readonly #before: { status: InstanceStatus; at: string[] };
  /** The instance's next_run_at as read, and whether a step changed the instance row itself. */
  readonly #nextRunAtBefore: number | null;
  #instanceChanged = false;
  /** Events actions published; sent after flush so they see this instance's new state. */
  readonly pendingEvents: Array<{ type: string; key?: string | null; data?: unknown }> = [];

  constructor(
    readonly tx: Tx,
    readonly instance: InstanceRow,
    readonly definition: DeployedDefinition,
    readonly context: InstanceContext,
    tokens: TokenRow[],
    readonly now: Date,
  ) {
    for (const token of tokens) this.tokens.set(token.id, token);
    this.#before = { status: instance.status, at: this.activeSteps() };
    this.#nextRunAtBefore = instance.next_run_at?.getTime() ?? null;
  }

  /**
   * Reads an instance (already locked by the caller) with its active tokens in one round trip; the
   * tokens come back as JSON, so their timestamps are turned back into Dates here.
   */
  static async read(tx: Tx, id: string): Promise<InstanceState | undefined> {
    return (await InstanceRun.readMany(tx, [id])).get(id);
  }

  /** The same for several instances in one round trip (a worker's claimed batch). */
  static async readMany(tx: Tx, ids: string[]): Promise<Map<string, InstanceState>> {
    if (ids.length === 0) return new Map();
    const rows = await tx
      .selectFrom('wf_instances as i')
      .selectAll('i')
      .select(
        sql<TokenJson[]>`(select coalesce(json_agg(t order by t.created_at, t.id), '[]'::json) from wf_tokens t
                          where t.instance_id = i.id and t.status = any(${ACTIVE_TOKEN_STATUSES}))`.as('tokens'),
      )
      .where('i.id', 'in', ids)
      .execute();
    return new Map(
      rows.map(({ tokens, ...instance }) => [
        instance.id,
        {
          instance,
          tokens: tokens.map((t) => ({
            ...t,
            run_at: t.run_at === null ? null : new Date(t.run_at),
            created_at: new Date(t.created_at),
            updated_at: new Date(t.updated_at),
          })),
        },
      ]),
    );
  }

  step(stepId: string): Step {
    const location = this.definition.steps.get(stepId);
    if (!location) throw new Error(`step ${stepId} is not in ${this.definition.key}@${this.definition.version}`);
    return location.step;
  }

  activeSteps(): string[] {
    return [...this.tokens.values()].filter((t) => isActive(t.status)).map((t) => t.step_id);
  }

  /** Tokens that must run now: ready ones, and waiting ones whose timer or timeout has passed. */
  dueTokens(): TokenRow[] {
    return [...this.tokens.values()]
      .filter((t) => isLive(t.status) && t.run_at !== null && t.run_at <= this.now)
      .sort((a, b) => a.run_at!.getTime() - b.run_at!.getTime() || a.id.localeCompare(b.id));
  }

  update(token: TokenRow, change: Partial<TokenRow>): void {
    Object.assign(token, change, { updated_at: this.now });
    this.#dirty.add(token.id);
  }

  createToken(fields: { stepId: string; parentTokenId?: string | null; branchId?: string | null }): TokenRow {
    const token: TokenRow = {
      id: newId('tok', this.now.getTime()),
      instance_id: this.instance.id,
      step_id: fields.stepId,
      status: 'ready',
      run_at: this.now,
      attempt: 0,
      visit: 1,
      parent_token_id: fields.parentTokenId ?? null,
      branch_id: fields.branchId ?? null,
      wait: null,
      wait_event_type: null,
      wait_event_key: null,
      created_at: this.now,
      updated_at: this.now,
    };
    this.tokens.set(token.id, token);
    this.#created.add(token.id);
    return token;
  }

  record(entry: HistoryEntry): void {
    this.#history.push(entry);
  }

  setInstance(change: Partial<InstanceRow>): void {
    this.#instanceChanged = true;
    Object.assign(this.instance, change);
  }

  /**
   * Writes everything this run changed — new and changed tokens, the timeline, the instance — in one
   * statement (data-modifying CTEs), and returns the audit entry summarising it for the caller to
   * append with the other instances of its batch.
   */
  async flush(actor = ENGINE_ACTOR): Promise<AuditEntry | undefined> {
    const { tx, instance, now } = this;
    const created = [...this.#created].map((id) => this.tokens.get(id)!);
    const changed = [...this.#dirty].filter((id) => !this.#created.has(id)).map((id) => this.tokens.get(id)!);
    this.#created.clear();
    this.#dirty.clear();

    const due = [...this.tokens.values()]
      .filter((t) => isLive(t.status) && t.run_at !== null)
      .map((t) => t.run_at!.getTime());
    const nextRunAt = instance.status === 'running' && due.length ? new Date(Math.min(...due)) : null;
    instance.next_run_at = nextRunAt;

    // Claimed but nothing ran (its next step calls out and waits for a transaction of its own): the
    // row stays as it is — no write, no timeline, no audit row.
    const unchanged =
      created.length === 0 &&
      changed.length === 0 &&
      this.#history.length === 0 &&
      !this.#instanceChanged &&
      !instance.fresh &&
      (nextRunAt?.getTime() ?? null) === this.#nextRunAtBefore;
    if (unchanged) return undefined;

    const ctes: RawBuilder<unknown>[] = [];
    if (created.length) {
      ctes.push(sql`new_tokens as (
        insert into wf_tokens (id, instance_id, step_id, status, run_at, attempt, visit, parent_token_id, branch_id,
                               wait, wait_event_type, wait_event_key, created_at, updated_at)
        values ${sql.join(
          created.map(
            (
              t,
            ) => sql`(${t.id}, ${t.instance_id}, ${t.step_id}, ${t.status}, ${t.run_at}::timestamptz, ${t.attempt}, ${t.visit},
                        ${t.parent_token_id}, ${t.branch_id}, ${jsonOrNull(t.wait)}::jsonb, ${t.wait_event_type}, ${t.wait_event_key},
                        ${t.created_at}::timestamptz, ${t.updated_at}::timestamptz)`,
          ),
        )})`);
    }
    if (changed.length) {
      ctes.push(sql`changed_tokens as (
        update wf_tokens t set step_id = v.step_id, status = v.status, run_at = v.run_at, attempt = v.attempt, visit = v.visit,
               wait = v.wait, wait_event_type = v.wait_event_type, wait_event_key = v.wait_event_key, updated_at = v.updated_at
        from (values ${sql.join(
          changed.map(
            (
              t,
            ) => sql`(${t.id}::text, ${t.step_id}::text, ${t.status}::text, ${t.run_at}::timestamptz, ${t.attempt}::int,
                        ${t.visit}::int, ${jsonOrNull(t.wait)}::jsonb, ${t.wait_event_type}::text, ${t.wait_event_key}::text,
                        ${t.updated_at}::timestamptz)`,
          ),
        )}) as v (id, step_id, status, run_at, attempt, visit, wait, wait_event_type, wait_event_key, updated_at)
        where t.id = v.id)`);
    }
    const history = this.#history.splice(0);
    if (history.length) {
      ctes.push(sql`timeline as (
        insert into wf_history (instance_id, token_id, step_id, step_type, event, attempt, at, actor, data)
        values ${sql.join(
          history.map(
            (h) => sql`(${instance.id}, ${h.tokenId}, ${h.stepId}, ${h.stepType}, ${h.event}, ${h.attempt ?? null}::int,
                        ${now}::timestamptz, ${h.actor ?? null}, ${h.data === undefined ? null : JSON.stringify(h.data)}::jsonb)`,
          ),
        )})`);
    }
    await sql`
      ${ctes.length ? sql`with ${sql.join(ctes)}` : sql``}
      update wf_instances set
        status = ${instance.status}, context = ${JSON.stringify(this.context)}::jsonb, outcome = ${instance.outcome},
        output = ${jsonOrNull(instance.output)}::jsonb, error = ${jsonOrNull(instance.error)}::jsonb,
        next_run_at = ${nextRunAt}::timestamptz, updated_at = ${now}::timestamptz, ended_at = ${instance.ended_at}::timestamptz,
        version = ${instance.version}, fresh = false
      where id = ${instance.id}`.execute(tx);

    if (history.length === 0) return undefined;
    // The audit row summarises this transaction's timeline; the timeline keeps the details.
    return {
      actor,
      action: 'workflow.instance.advanced',
      entityType: 'workflow_instance',
      entityId: instance.id,
      before: this.#before,
      after: {
        status: instance.status,
        at: this.activeSteps(),
        steps: history.map((h) => ({ step: h.stepId, event: h.event })),
      },
    };
  }
}

const jsonOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

type TokenJson = Omit<TokenRow, 'run_at' | 'created_at' | 'updated_at'> & {
  run_at: string | null;
  created_at: string;
  updated_at: string;
};

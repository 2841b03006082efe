import type { Selectable } from 'kysely';
import { newId } from '../../core/ids.js';
import { appendAudit } from '../../storage/audit/audit-log.js';
import type { Tx } from '../../storage/schema.js';
import type { DeployedDefinition, Step } from '../definition/types.js';
import type { InstanceStatus, TokenStatus, WfInstancesTable, WfTokensTable } from '../store/tables.js';
import '../store/tables.js';
import { ENGINE_ACTOR } from './services.js';

export type InstanceRow = Selectable<WfInstancesTable>;
export type TokenRow = Selectable<WfTokensTable>;

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
  }

  static async load(tx: Tx, instance: InstanceRow, definition: DeployedDefinition, now: Date): Promise<InstanceRun> {
    const tokens = await tx
      .selectFrom('wf_tokens')
      .selectAll()
      .where('instance_id', '=', instance.id)
      .where('status', 'in', ['ready', 'waiting', 'failed'])
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return new InstanceRun(tx, instance, definition, instance.context as InstanceContext, tokens, now);
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
      .filter((t) => (t.status === 'ready' || t.status === 'waiting') && t.run_at !== null && t.run_at <= this.now)
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
    Object.assign(this.instance, change);
  }

  async flush(actor = ENGINE_ACTOR): Promise<void> {
    const { tx, instance, now } = this;
    const created = [...this.#created].map((id) => this.tokens.get(id)!);
    if (created.length) await tx.insertInto('wf_tokens').values(created.map(tokenValues)).execute();
    for (const id of this.#dirty) {
      if (this.#created.has(id)) continue;
      const t = this.tokens.get(id)!;
      await tx
        .updateTable('wf_tokens')
        .set({
          step_id: t.step_id,
          status: t.status,
          run_at: t.run_at,
          attempt: t.attempt,
          visit: t.visit,
          wait: t.wait === null ? null : JSON.stringify(t.wait),
          wait_event_type: t.wait_event_type,
          wait_event_key: t.wait_event_key,
          updated_at: t.updated_at,
        })
        .where('id', '=', id)
        .execute();
    }
    this.#created.clear();
    this.#dirty.clear();

    const due = [...this.tokens.values()]
      .filter((t) => (t.status === 'ready' || t.status === 'waiting') && t.run_at !== null)
      .map((t) => t.run_at!.getTime());
    const nextRunAt = instance.status === 'running' && due.length ? new Date(Math.min(...due)) : null;
    await tx
      .updateTable('wf_instances')
      .set({
        status: instance.status,
        context: JSON.stringify(this.context),
        outcome: instance.outcome,
        output: instance.output === null ? null : JSON.stringify(instance.output),
        error: instance.error === null ? null : JSON.stringify(instance.error),
        next_run_at: nextRunAt,
        updated_at: now,
        ended_at: instance.ended_at,
        version: instance.version,
      })
      .where('id', '=', instance.id)
      .execute();
    instance.next_run_at = nextRunAt;

    if (this.#history.length) {
      await tx
        .insertInto('wf_history')
        .values(
          this.#history.map((h) => ({
            instance_id: instance.id,
            token_id: h.tokenId,
            step_id: h.stepId,
            step_type: h.stepType,
            event: h.event,
            attempt: h.attempt ?? null,
            at: now,
            actor: h.actor ?? null,
            data: h.data === undefined ? null : JSON.stringify(h.data),
          })),
        )
        .execute();
      // The audit row summarises this transaction's timeline; the timeline keeps the details.
      await appendAudit(
        tx,
        {
          actor,
          action: 'workflow.instance.advanced',
          entityType: 'workflow_instance',
          entityId: instance.id,
          before: this.#before,
          after: {
            status: instance.status,
            at: this.activeSteps(),
            steps: this.#history.map((h) => ({ step: h.stepId, event: h.event })),
          },
        },
        { now: () => now },
      );
      this.#history.length = 0;
    }
  }
}

export const isActive = (status: TokenStatus): boolean =>
  status === 'ready' || status === 'waiting' || status === 'failed';

function tokenValues(t: TokenRow) {
  return { ...t, wait: t.wait === null ? null : JSON.stringify(t.wait) };
}

import { sql } from 'kysely';
import { appendAuditBatch } from '../../storage/audit/audit-append.js';
import type { AuditEntry } from '../../storage/audit/audit-log.js';
import type { Tx } from '../../storage/schema.js';
import { markDue } from './cancellation.js';
import { offerToOwnWaits, publishEventInTx, takePublished, takeResumed } from './publish-event.js';
import { InstanceRun, type InstanceContext, type InstanceState, type TokenRow } from './instance-run.js';
import { wasInstanceWritten } from './written-instances.js';
import { ENGINE_ACTOR } from './engine-actor.js';
import type { EngineServices } from './services.js';
import { runToken } from './step-executor.js';
import { message } from './values.js';
import { recordInstanceEvent } from './history.js';
import '../store/tables.js';

export interface ClaimOptions {
  /** Instances claimed per transaction. Default 1. */
  batchSize?: number;
  /** A batch stops taking its next instance after this long; the rest are released unchanged. */
  batchTimeMs?: number;
}

/**
 * Claims due instances and runs each until all its tokens wait (or its step budget is spent), in one
 * transaction. `FOR UPDATE SKIP LOCKED` lets any number of workers claim side by side without ever
 * taking the same instance. The row lock is the claim and the transaction its lease: a crashed
 * worker's connection drops and PostgreSQL rolls back and releases at once; a hung one is cut off by
 * the server's idle_in_transaction_session_timeout, which openDatabase() sets on every connection.
 *
 * Several instances per transaction share its begin, claim, audit insert and commit — the costs
 * that dominate a short step. Each instance is re-read just before it runs (an earlier one in the
 * batch may have woken or cancelled it) and written just after, so instances of one batch never see
 * each other's stale state. Returns the ids it ran.
 */
export async function claimAndRun(services: EngineServices, options: ClaimOptions = {}): Promise<string[]> {
  const { database, clock } = services;
  const batchSize = Math.max(1, options.batchSize ?? 1);
  const deadline = Date.now() + (options.batchTimeMs ?? 250);
  let claimed: string[] = [];
  const callOuts: string[] = [];
  try {
    const ran = await database.transaction(async (tx) => {
      const now = clock.now();
      // In-flight instances first (their timers and wake-ups are due now), then fresh starts.
      const lane = async (fresh: boolean, limit: number) =>
        (
          await tx
            .selectFrom('wf_instances')
            .select('id')
            .where('status', '=', 'running')
            .where(fresh ? sql<boolean>`fresh` : sql<boolean>`not fresh`) // literal, so the partial index applies
            .where('next_run_at', '<=', now)
            .orderBy('next_run_at')
            .limit(limit)
            .forUpdate()
            .skipLocked()
            .execute()
        ).map((r) => r.id);
      claimed = await lane(false, batchSize);
      if (claimed.length < batchSize) claimed.push(...(await lane(true, batchSize - claimed.length)));
      const ran: string[] = [];
      const audit: AuditEntry[] = [];
      const batch: TransactionState = { stepsRun: 0 };
      // All claimed instances in one read; one that an earlier run of the batch wrote (woke it,
      // cancelled it) is read again just before it runs.
      const states = await InstanceRun.readMany(tx, claimed);
      for (const id of claimed) {
        if (ran.length > 0 && Date.now() > deadline) break;
        const known = wasInstanceWritten(tx, id) ? undefined : states.get(id);
        const { entry, callsOutNext } = await runClaimed(tx, services, id, now, batch, known);
        if (entry) audit.push(entry);
        if (callsOutNext) callOuts.push(id);
        ran.push(id);
      }
      await appendAuditBatch(tx, audit, { now: () => now });
      return ran;
    });
    // The instances that stopped at a call-out, each in a transaction of its own where the call runs
    // first, side by side: one slow far end holds up neither the batch nor the other calls.
    if (callOuts.length > 0) await runCallOuts(services, callOuts);
    return ran;
  } catch (error) {
    if (isTransient(error)) throw error;
    if (claimed.length <= 1) {
      if (claimed[0]) await quarantine(services, claimed[0], error);
      else throw error;
      return claimed;
    }
    // Something unexpected broke the batch: run its instances one by one, so one bad instance
    // cannot hold the others back.
    const ran: string[] = [];
    for (const id of claimed) ran.push(...(await runOne(services, id)));
    return ran;
  }
}

/** Call-outs run at once per worker; each holds a connection (and its instance's row lock) while it waits. */
const CALL_OUT_CONCURRENCY = 4;

async function runCallOuts(services: EngineServices, ids: string[]): Promise<void> {
  // PGlite has one connection: the calls would only queue for it.
  const width = services.database.kind === 'pglite' ? 1 : CALL_OUT_CONCURRENCY;
  let next = 0;
  const lane = async () => {
    while (next < ids.length) await runOne(services, ids[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, ids.length) }, lane));
}

async function runOne(services: EngineServices, id: string): Promise<string[]> {
  try {
    return await services.database.transaction(async (tx) => {
      const now = services.clock.now();
      const row = await tx
        .selectFrom('wf_instances')
        .select('id')
        .where('id', '=', id)
        .where('status', '=', 'running')
        .where('next_run_at', '<=', now)
        .forUpdate()
        .skipLocked()
        .executeTakeFirst();
      if (!row) return [];
      const { entry } = await runClaimed(tx, services, id, now, { stepsRun: 0 });
      await appendAuditBatch(tx, entry ? [entry] : [], { now: () => now });
      return [id];
    });
  } catch (error) {
    if (isTransient(error)) throw error;
    await quarantine(services, id, error);
    return [id];
  }
}

/** Deadlocks, serialization failures, lost connections, server shutdown: try again later, blame no instance. */
function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(40|08|57|53)/.test(code)) return true;
  return /ECONNRESET|ECONNREFUSED|EPIPE|Connection terminated|connection is closed/i.test(message(error));
}

/** What the worker's transaction has done so far, across the instances of its batch. */
interface TransactionState {
  stepsRun: number;
}

/**
 * A token at an action that calls out (http.request, email.send…) waits for a transaction of its own
 * when this one has already run steps: those may hold row locks — ledger accounts, customers — that
 * other writers need, and must not be held across a network round trip. claimAndRun runs such
 * instances right after its batch commits, each in a fresh transaction where the call runs first.
 */
function mustWaitForFreshTransaction(
  services: EngineServices,
  run: InstanceRun,
  token: TokenRow,
  batch: TransactionState,
): boolean {
  if (batch.stepsRun === 0 || token.status !== 'ready') return false;
  const step = run.step(token.step_id);
  return step.type === 'action' && services.actions.get(step.action)?.callsOut === true;
}

interface ClaimedRun {
  /** The audit entry summarising what the run did (none when it did nothing). */
  entry: AuditEntry | undefined;
  /** It stopped at a call-out that must run in a transaction of its own (mustWaitForFreshTransaction). */
  callsOutNext: boolean;
}

/** Runs one claimed (locked) instance. */
async function runClaimed(
  tx: Tx,
  services: EngineServices,
  id: string,
  now: Date,
  batch: TransactionState,
  known?: InstanceState,
): Promise<ClaimedRun> {
  const state = known ?? (await InstanceRun.read(tx, id));
  if (state?.instance.status !== 'running') return { entry: undefined, callsOutNext: false };
  const { instance, tokens } = state;
  const definition = await services.definitions.get(tx, instance.workflow_key, instance.version);
  const run = new InstanceRun(tx, instance, definition, instance.context as InstanceContext, tokens, now);
  takePublished(tx); // what earlier instances of the batch published met the waits then written
  let budget = services.maxStepsPerTransaction;
  for (;;) {
    const due = run.dueTokens().filter((t) => !mustWaitForFreshTransaction(services, run, t, batch));
    if (due.length === 0 || budget <= 0 || run.instance.status !== 'running') break;
    for (const token of due) {
      if (run.instance.status !== 'running') break;
      if (token.status !== 'ready' && token.status !== 'waiting') continue;
      if (mustWaitForFreshTransaction(services, run, token, batch)) continue;
      await runToken(services, run, token);
      batch.stepsRun += 1;
      budget -= 1;
    }
  }
  // An event published inside one of this run's steps may have woken another of its branches, which
  // the run's own write of the instance does not know about: make it due again after the write.
  const wokenByOwnStep = takeResumed(tx, instance.id);
  const publishedByOwnSteps = takePublished(tx);
  const entry = await run.flush();
  if (wokenByOwnStep) await markDue(tx, instance.id, now);
  // …and one published by a step may match a wait this run began before it, now written.
  const waiting = [...run.tokens.values()].filter((t) => t.status === 'waiting' && t.wait_event_type !== null);
  const matching = publishedByOwnSteps.filter((e) =>
    waiting.some((t) => t.wait_event_type === e.type && (t.wait_event_key === null || t.wait_event_key === e.key)),
  );
  if (matching.length > 0 && run.instance.status === 'running') {
    await offerToOwnWaits(tx, instance.id, matching, now);
  }
  for (const event of run.pendingEvents) {
    await publishEventInTx(tx, services, { ...event, actor: `workflow:${instance.id}` });
  }
  const callsOutNext =
    run.instance.status === 'running' &&
    run.dueTokens().some((t) => mustWaitForFreshTransaction(services, run, t, batch));
  return { entry, callsOutNext };
}

/**
 * An instance whose run throws outside any step (an engine bug, a token on a step its definition
 * lacks) must not be claimed first forever and starve the rest: it is failed with the error in its
 * timeline, for an operator to retry. Transient database errors never get here (isTransient).
 */
async function quarantine(services: EngineServices, id: string, error: unknown): Promise<void> {
  const now = services.clock.now();
  try {
    await services.database.transaction(async (tx) => {
      const row = await tx
        .selectFrom('wf_instances')
        .select(['status'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
      if (row?.status !== 'running') return;
      const reason = `engine error: ${message(error)}`;
      await tx
        .updateTable('wf_instances')
        .set({
          status: 'failed',
          error: JSON.stringify({ step: null, message: reason }),
          next_run_at: null,
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
      await recordInstanceEvent(tx, {
        instanceId: id,
        event: 'failed',
        at: now,
        actor: ENGINE_ACTOR,
        data: { error: reason },
      });
      await appendAuditBatch(
        tx,
        [
          {
            actor: ENGINE_ACTOR,
            action: 'workflow.instance.failed',
            entityType: 'workflow_instance',
            entityId: id,
            before: { status: 'running' },
            after: { status: 'failed' },
            reason,
          },
        ],
        services.clock,
      );
    });
  } catch {
    // Could not even record the failure: report the original error; the worker backs off and retries.
    throw error;
  }
}

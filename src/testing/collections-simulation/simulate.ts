import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import type { ManualClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { inDomainTransaction } from '../../domains/unit-of-work.js';
import type { DomainContext } from '../../domains/contract.js';
import type { Engine } from '../../engine/engine.js';
import { putQueue } from '../../engine/tasks/queue-store.js';
import { runCloseOfBusiness } from '../../domains/receivables/delinquency/close-of-business.js';
import { addDays } from '../../domains/receivables/schedule/due-dates.js';
import type { Database } from '../../storage/database.js';
import { syncRows, MAX_SYNC_ROWS, type SyncKind } from '../../domains/sync/sync-service.js';
import { updateCollectionsSettings, type Collector } from '../../domains/collections/collections-settings.js';
import { proposePlan } from '../../domains/collections/plans.js';
import { random, type Random } from './prng.js';
import { generatePortfolio, type Account } from './portfolio.js';

/**
 * Drives a running finflow through days of fake time over a seeded portfolio, the way a lender and
 * its customers would: the core system loads customers and receivables through the bulk sync,
 * customers pay (one sync of the day's payments), close of business runs every evening, the engine
 * worker runs whatever is due at a few moments of each day (so timers and quiet-hour deferrals
 * fire), and collectors work their call tasks and supervisors their approvals through the engine's
 * task API. Everything the simulated people did is recorded, so a test can hold finflow's records
 * against it. It changes finflow only through finflow's own services (sync, settings, queues, the
 * task API, plan proposals, close of business); it reads the tables to know what to do next.
 */

export interface SimulationTarget {
  database: Database;
  engine: Engine;
  clock: ManualClock;
}

export interface SimulationOptions {
  seed: number;
  accounts: number;
  days: number;
  /** The first simulated business date (default 2026-03-02). */
  start?: string;
  /** Rows per bulk sync call while loading (default 2 000, at most 10 000). */
  chunk?: number;
  /** Progress lines (a day every `logEvery` days; default none). */
  log?: (line: string) => void;
  logEvery?: number;
  /**
   * Claim loops of the worker that drains each hour (default 1). The test keeps 1, so that the order
   * in which instances run — and with it the round-robin assignment of tasks — is the same every run.
   */
  workerConcurrency?: number;
}

export interface SimulatedPayment {
  externalId: string;
  accountIndex: number;
  receivableId: string;
  amount: bigint;
  currency: string;
  receivedOn: string;
  /** The clock when the sync that posted it committed. */
  postedAt: Date;
  reason: 'installment' | 'ahead' | 'late' | 'promise' | 'plan' | 'regular';
}

export interface SimulatedPromise {
  caseId: string;
  accountIndex: number;
  receivableId: string;
  taskId: string;
  collector: string;
  amount: bigint;
  date: string;
  madeAt: Date;
  /** Whether the customer pays on the date. */
  keep: boolean;
}

export interface SimulatedPlan {
  caseId: string;
  accountIndex: number;
  receivableId: string;
  by: string;
  installments: Array<{ date: string; amount: bigint }>;
  proposedAt: Date;
  /** Whether the customer pays every part (otherwise only the first, then nothing). */
  keep: boolean;
  /** finflow refused the proposal (with why): the customer then pays nothing more. */
  refused: string | null;
}

export interface SimulatedTask {
  taskId: string;
  caseId: string;
  accountIndex: number;
  step: string;
  outcome: string;
  user: string;
  at: Date;
}

export interface DayRecord {
  date: string;
  payments: number;
  calls: number;
  approvals: number;
  promises: number;
  plans: number;
  /** Receivables whose DPD or bucket changed at close of business, and the events it published. */
  cobChanged: number;
  cobEvents: Record<string, number>;
  /** Worker rounds (claims) run during the day. */
  workerRounds: number;
  ms: number;
}

export interface SimulationResult {
  seed: number;
  start: string;
  /** The last simulated business date. */
  end: string;
  accounts: Account[];
  /** Receivable id by account index. */
  receivableIds: string[];
  customerIds: string[];
  payments: SimulatedPayment[];
  promises: SimulatedPromise[];
  plans: SimulatedPlan[];
  tasks: SimulatedTask[];
  days: DayRecord[];
  collectors: Collector[];
  supervisors: string[];
  timings: {
    loadMs: number;
    daysMs: number;
    totalMs: number;
    /** Of the load: posting the payments made ahead. */
    aheadMs: number;
    /** Where the days went: posting payments, the engine worker, working tasks, close of business. */
    paymentsMs: number;
    workerMs: number;
    tasksMs: number;
    cobMs: number;
  };
}

/** Who works calls: a collector per language, and one for business accounts. */
export const SIMULATION_COLLECTORS: Collector[] = [
  { user: 'ana', languages: ['es'], segments: ['consumer-low', 'consumer-medium', 'consumer-high'], active: true },
  { user: 'bob', languages: ['en'], segments: ['consumer-low', 'consumer-medium', 'consumer-high'], active: true },
  { user: 'chen', languages: ['zh'], segments: ['consumer-low', 'consumer-medium', 'consumer-high'], active: true },
  { user: 'dora', languages: ['en', 'es', 'zh'], segments: ['b2b'], active: true },
];
export const SIMULATION_SUPERVISORS = ['sam', 'sue'];
export const SIMULATION_MANAGERS = ['max'];

/** The moments of each day (UTC) the worker runs; payments post at PAY_HOUR, tasks are worked then. */
const HOURS = ['02:00', '09:00', '13:00', '19:00'] as const;
const PAY_HOUR = '13:00';
const COB_HOUR = '23:00';
const ACTOR = 'system:simulation';

interface Scheduled {
  index: number;
  /** null: everything unpaid that is due on or before the day. */
  amount: bigint | null;
  reason: SimulatedPayment['reason'];
}

interface AccountState {
  /** Installments falling due within the simulation: due date and amount. */
  installments: Array<{ dueDate: string; amount: bigint }>;
  promisesMade: number;
  planProposed: boolean;
}

export async function simulatePortfolio(
  target: SimulationTarget,
  options: SimulationOptions,
): Promise<SimulationResult> {
  const began = performance.now();
  const start = options.start ?? '2026-03-02';
  const end = addDays(start, options.days - 1);
  const chunk = Math.min(options.chunk ?? 2000, MAX_SYNC_ROWS);
  const log = options.log ?? (() => undefined);
  const { database, engine, clock } = target;
  const context: DomainContext = { database, engine, clock };
  const rng: Random = random(options.seed ^ 0x5eed);
  const accounts = generatePortfolio({ seed: options.seed, accounts: options.accounts, start });
  const result: SimulationResult = {
    seed: options.seed,
    start,
    end,
    accounts,
    receivableIds: [],
    customerIds: [],
    payments: [],
    promises: [],
    plans: [],
    tasks: [],
    days: [],
    collectors: SIMULATION_COLLECTORS,
    supervisors: [...SIMULATION_SUPERVISORS, ...SIMULATION_MANAGERS],
    timings: { loadMs: 0, daysMs: 0, totalMs: 0, aheadMs: 0, paymentsMs: 0, workerMs: 0, tasksMs: 0, cobMs: 0 },
  };

  // ---- Setup and load, the morning of the first day.
  clock.set(`${start}T00:30:00.000Z`);
  await inDomainTransaction(context, { actor: ACTOR }, (unit) =>
    updateCollectionsSettings(unit, { collectors: SIMULATION_COLLECTORS }),
  );
  await putQueue(database, { name: 'collections-supervisors', members: SIMULATION_SUPERVISORS, actor: ACTOR }, clock);
  await putQueue(database, { name: 'collections-managers', members: SIMULATION_MANAGERS, actor: ACTOR }, clock);

  const sync = async (kind: SyncKind, rows: unknown[], size = chunk) => {
    for (let i = 0; i < rows.length; i += size) {
      const report = await syncRows(context, kind, rows.slice(i, i + size), { mode: 'all_or_nothing', actor: ACTOR });
      if (!report.committed) {
        const bad = report.rows.find((r) => r.status === 'error');
        throw new Error(`sync of ${kind} refused row ${i + (bad?.index ?? 0)}: ${JSON.stringify(bad?.errors)}`);
      }
    }
  };
  const customers = new Map(accounts.map((a) => [a.customerExternalId, a.customer]));
  await sync('customers', [...customers.values()]);
  await sync(
    'receivables',
    accounts.map((a) => a.receivable),
  );
  const tag = `S${options.seed}-`;
  const indexOf = (externalId: string) => Number(externalId.slice(externalId.lastIndexOf('-') + 2));
  const loaded = await database.db
    .selectFrom('receivables')
    .select(['id', 'external_id', 'customer_id'])
    .where('external_id', 'like', `${tag}R%`)
    .execute();
  const byReceivableId = new Map<string, number>();
  for (const row of loaded) {
    const index = indexOf(row.external_id);
    result.receivableIds[index] = row.id;
    result.customerIds[index] = row.customer_id;
    byReceivableId.set(row.id, index);
  }
  if (loaded.length !== accounts.length) throw new Error(`loaded ${loaded.length} of ${accounts.length} receivables`);

  const states: AccountState[] = accounts.map(() => ({ installments: [], promisesMade: 0, planProposed: false }));
  const installments = await database.db
    .selectFrom('installments as i')
    .innerJoin('receivables as r', 'r.id', 'i.receivable_id')
    .select([
      'r.external_id',
      'i.due_date',
      sql<string>`(i.principal_due + i.interest_due + i.fee_due)::text`.as('amount'),
    ])
    .where('r.external_id', 'like', `${tag}R%`)
    .where('i.due_date', '<=', end)
    .orderBy('i.receivable_id')
    .orderBy('i.seq')
    .execute();
  for (const row of installments) {
    states[indexOf(row.external_id)]!.installments.push({ dueDate: row.due_date, amount: BigInt(row.amount) });
  }

  // ---- The payments each behaviour makes by itself, by date.
  const schedule = new Map<string, Scheduled[]>();
  const plan = (date: string, item: Scheduled) => {
    if (date > end) return;
    const list = schedule.get(date);
    if (list) list.push(item);
    else schedule.set(date, [item]);
  };
  const ahead: Scheduled[] = [];
  for (const account of accounts) {
    const dues = states[account.index]!.installments;
    if (account.behaviour === 'on_time' && account.payAhead) {
      const total = dues.reduce((sum, due) => sum + due.amount, 0n);
      ahead.push({ index: account.index, amount: total, reason: 'ahead' });
      continue;
    }
    for (const due of dues) {
      if (account.behaviour === 'on_time') {
        plan(due.dueDate, { index: account.index, amount: due.amount, reason: 'installment' });
      }
      if (account.behaviour === 'late') {
        plan(addDays(due.dueDate, account.lateDays), { index: account.index, amount: due.amount, reason: 'late' });
      }
    }
  }
  /** From the day after `after`, the account pays each installment on its due date again. */
  const resumePaying = (index: number, after: string) => {
    for (const due of states[index]!.installments) {
      if (due.dueDate > after) plan(due.dueDate, { index, amount: due.amount, reason: 'regular' });
    }
  };

  /** What each receivable has unpaid in installments due on or before `date`. */
  const unpaidBy = async (receivableIds: string[], date: string): Promise<Map<string, bigint>> => {
    const unpaid = new Map<string, bigint>();
    for (let i = 0; i < receivableIds.length; i += 5000) {
      const rows = await database.db
        .selectFrom('installments')
        .select([
          'receivable_id',
          sql<string>`SUM(principal_due + interest_due + fee_due - principal_paid - interest_paid - fee_paid)::text`.as(
            'unpaid',
          ),
        ])
        .where('receivable_id', 'in', receivableIds.slice(i, i + 5000))
        .where('due_date', '<=', date)
        .groupBy('receivable_id')
        .execute();
      for (const row of rows) unpaid.set(row.receivable_id, BigInt(row.unpaid));
    }
    return unpaid;
  };

  /** Posts payments received on `date` through the bulk sync (one call, more above its row limit). */
  let paymentSeq = 0;
  const postPayments = async (date: string, due: Scheduled[]): Promise<number> => {
    const paying = performance.now();
    const open = due.filter((d) => d.amount === null).map((d) => result.receivableIds[d.index]!);
    const unpaid = open.length ? await unpaidBy(open, date) : new Map<string, bigint>();
    const rows: Array<Record<string, unknown>> = [];
    const paid: SimulatedPayment[] = [];
    for (const item of due) {
      const account = accounts[item.index]!;
      const receivableId = result.receivableIds[item.index]!;
      const amount = item.amount ?? unpaid.get(receivableId) ?? 0n;
      if (amount <= 0n) continue;
      paymentSeq += 1;
      const externalId = `${tag}P${paymentSeq}`;
      rows.push({
        externalId,
        receivableExternalId: account.receivableExternalId,
        amount: amount.toString(),
        currency: account.currency,
        receivedOn: date,
      });
      paid.push({
        externalId,
        accountIndex: item.index,
        receivableId,
        amount,
        currency: account.currency,
        receivedOn: date,
        postedAt: clock.now(),
        reason: item.reason,
      });
    }
    if (rows.length) await sync('payments', rows, MAX_SYNC_ROWS);
    result.payments.push(...paid);
    result.timings.paymentsMs += performance.now() - paying;
    return rows.length;
  };

  // Those who pay ahead pay the period's installments before it starts (no reminder, no due date missed).
  clock.set(`${start}T00:45:00.000Z`);
  const aheadPaid = await postPayments(start, ahead);
  result.timings.aheadMs = result.timings.paymentsMs;
  result.timings.paymentsMs = 0;
  const worker = engine.createWorker({ concurrency: options.workerConcurrency ?? 1 });
  result.timings.loadMs = performance.now() - began;
  log(
    `loaded ${accounts.length} accounts of ${customers.size} customers (${installments.length} installments due by ${end}) and ${aheadPaid} payments ahead in ${(result.timings.loadMs / 1000).toFixed(1)} s`,
  );

  // ---- The days.
  const daysBegan = performance.now();
  for (let day = 0; day < options.days; day++) {
    const dayBegan = performance.now();
    const date = addDays(start, day);
    const record: DayRecord = {
      date,
      payments: 0,
      calls: 0,
      approvals: 0,
      promises: 0,
      plans: 0,
      cobChanged: 0,
      cobEvents: {},
      workerRounds: 0,
      ms: 0,
    };
    const drain = async () => {
      const t = performance.now();
      record.workerRounds += await worker.runUntilIdle();
      result.timings.workerMs += performance.now() - t;
    };
    for (const hour of HOURS) {
      clock.set(`${date}T${hour}:00.000Z`);
      await drain();
      if (hour !== PAY_HOUR) continue;

      // The day's payments, in one sync; then collectors work their calls and supervisors their
      // approvals (what they do can create more work: an approval for a plan).
      record.payments = await postPayments(date, schedule.get(date) ?? []);
      schedule.delete(date);
      await drain();
      for (let pass = 0; pass < 4; pass++) {
        const working = performance.now();
        const worked = await workTasks(date, record);
        result.timings.tasksMs += performance.now() - working;
        if (worked === 0) break;
        await drain();
      }
    }
    clock.set(`${date}T${COB_HOUR}:00.000Z`);
    const closing = performance.now();
    const cob = await runCloseOfBusiness(context, { asOf: date, actor: ACTOR });
    result.timings.cobMs += performance.now() - closing;
    record.cobChanged = cob.changed;
    record.cobEvents = cob.events;
    await drain();
    record.ms = performance.now() - dayBegan;
    result.days.push(record);
    if (options.logEvery && (day + 1) % options.logEvery === 0) {
      const recent = result.days.slice(-options.logEvery);
      const sum = (pick: (d: DayRecord) => number) => recent.reduce((total, d) => total + pick(d), 0);
      log(
        `day ${day + 1}/${options.days} ${date}: ${sum((d) => d.payments)} payments, ${sum((d) => d.calls)} calls, ${sum((d) => d.workerRounds)} worker rounds in the last ${options.logEvery} days; ${((performance.now() - daysBegan) / 1000).toFixed(1)} s so far`,
      );
    }
  }
  result.timings.daysMs = performance.now() - daysBegan;
  result.timings.totalMs = performance.now() - began;
  return result;

  /** Works every open collections task once; returns how many it completed. */
  async function workTasks(date: string, record: DayRecord): Promise<number> {
    const open = await database.db
      .selectFrom('wf_tasks as t')
      .innerJoin('collection_cases as k', 'k.instance_id', 't.instance_id')
      .select([
        't.id',
        't.step_id',
        't.queue',
        't.assignee',
        't.excluded_users',
        'k.id as case_id',
        'k.receivable_id',
        'k.collector',
        'k.status as case_status',
      ])
      .where('t.status', '=', 'open')
      .orderBy('t.created_at')
      .orderBy('t.id')
      .execute();
    const mine = open.filter((t) => byReceivableId.has(t.receivable_id));
    if (mine.length === 0) return 0;
    const calls = mine.filter((t) => t.step_id === 'call');
    const unpaid = await unpaidBy(
      calls.map((t) => t.receivable_id),
      date,
    );
    let worked = 0;
    for (const task of mine) {
      const index = byReceivableId.get(task.receivable_id)!;
      const account = accounts[index]!;
      const state = states[index]!;
      const now = clock.now();
      if (task.step_id === 'approve') {
        const excluded = (task.excluded_users as string[] | null) ?? [];
        const members = task.queue === 'collections-managers' ? SIMULATION_MANAGERS : SIMULATION_SUPERVISORS;
        const user = task.assignee ?? members.find((m) => !excluded.includes(m)) ?? members[0]!;
        await engine.completeTask({
          taskId: task.id,
          outcome: 'approve',
          data: { comment: 'Affordable for the customer' },
          user,
          actor: ACTOR,
        });
        result.tasks.push({
          taskId: task.id,
          caseId: task.case_id,
          accountIndex: index,
          step: 'approve',
          outcome: 'approve',
          user,
          at: now,
        });
        record.approvals += 1;
        worked += 1;
        continue;
      }
      if (task.step_id !== 'call') continue;
      const user = task.assignee ?? task.collector ?? collectorFor(account);
      const owed = unpaid.get(task.receivable_id) ?? 0n;
      let outcome = 'reached';
      let data: Record<string, unknown> = { rightParty: true, willingness: 'willing' };
      let promise: SimulatedPromise | null = null;
      let proposal: SimulatedPlan | null = null;
      if (account.behaviour === 'defaulter') {
        outcome = 'no_answer';
        data = {};
      } else if (account.behaviour === 'promiser' && owed > 0n) {
        const promiseDate = addDays(date, rng.int(3, 10));
        const keep = !(account.breaker && state.promisesMade === 0);
        state.promisesMade += 1;
        outcome = 'promise';
        data = {
          rightParty: true,
          willingness: 'willing',
          delayReason: 'waiting for salary',
          promiseAmount: owed.toString(),
          promiseDate,
        };
        promise = {
          caseId: task.case_id,
          accountIndex: index,
          receivableId: task.receivable_id,
          taskId: task.id,
          collector: user,
          amount: owed,
          date: promiseDate,
          madeAt: now,
          keep,
        };
      } else if (account.behaviour === 'plan_taker' && owed > 0n && !state.planProposed) {
        state.planProposed = true;
        data = { rightParty: true, willingness: 'unable', delayReason: 'reduced income' };
        const first = owed / 2n;
        proposal = {
          caseId: task.case_id,
          accountIndex: index,
          receivableId: task.receivable_id,
          by: user,
          installments: [
            { date: addDays(date, 7), amount: first },
            { date: addDays(date, 21), amount: owed - first },
          ].filter((line) => line.amount > 0n),
          proposedAt: now,
          keep: !account.breaker,
          refused: null,
        };
      } else if (rng.chance(0.25)) {
        outcome = 'no_answer';
        data = {};
      }
      await engine.completeTask({ taskId: task.id, outcome, data, user, actor: ACTOR });
      result.tasks.push({
        taskId: task.id,
        caseId: task.case_id,
        accountIndex: index,
        step: 'call',
        outcome,
        user,
        at: now,
      });
      record.calls += 1;
      worked += 1;
      if (promise) {
        result.promises.push(promise);
        record.promises += 1;
        if (promise.keep) {
          plan(promise.date, { index, amount: null, reason: 'promise' });
          resumePaying(index, promise.date);
        }
      }
      if (proposal) {
        const input = {
          installments: proposal.installments.map((line) => ({ date: line.date, amount: line.amount.toString() })),
        };
        try {
          await inDomainTransaction(context, { actor: ACTOR }, (unit) =>
            proposePlan(unit, proposal.caseId, input, proposal.by),
          );
          if (proposal.keep) {
            for (const line of proposal.installments) plan(line.date, { index, amount: line.amount, reason: 'plan' });
            resumePaying(index, date);
          } else {
            plan(proposal.installments[0]!.date, { index, amount: proposal.installments[0]!.amount, reason: 'plan' });
          }
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          proposal.refused = error.message;
        }
        result.plans.push(proposal);
        record.plans += 1;
      }
    }
    return worked;
  }
}

/** The collector who would take a call nobody holds: by segment and language, as settings say. */
function collectorFor(account: Account): string {
  if (account.customer.segment === 'business') return 'dora';
  const language = account.customer.language.split('-')[0];
  return SIMULATION_COLLECTORS.find((c) => c.languages.includes(language!))?.user ?? 'bob';
}

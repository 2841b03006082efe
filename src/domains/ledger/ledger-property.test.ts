import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { ManualClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Database } from '../../storage/database.js';
import { Engine } from '../../engine/engine.js';
import { inDomainTransaction, type DomainWork } from '../unit-of-work.js';
import { openTestDatabase } from '../../testing/test-database.js';
import { createAccount } from './accounts.js';
import { expirePendingTransfers } from './expiry.js';
import { postJournal } from './journal.js';
import type { AccountSpec, JournalRequest } from './ledger-model.js';
import { accountBalance, getAccount, trialBalance } from './ledger-queries.js';
import { resolvePending } from './pending.js';
import { reverseJournal } from './reversal.js';

/**
 * Random sequences of ledger operations (journals of posted and pending transfers, post/void of
 * holds, expiry, reversals, repeats) on a handful of accounts, some with a no-overdraft flag, checked
 * against a model after every operation: which operations are refused and with what, every balance
 * counter, the number of transfers and audit rows. After each sequence: the trial balance holds per
 * currency, balances recomputed from the transfers equal the account rows, no flag is violated.
 */

const MINUTE = 60_000;
let database: Database;
// One clock for all runs, only ever moving forward: each run ends by expiring its own holds, so a
// later run never finds an earlier run's holds due.
const clock = new ManualClock('2026-01-05T09:00:00.000Z');

let engine: Engine;

before(async () => {
  database = await openTestDatabase();
  engine = new Engine({ database, clock });
});

/** One unit of work, as the routes and workflow steps run the ledger. */
const inTx = <T>(work: (unit: DomainWork) => Promise<T>) =>
  inDomainTransaction({ database, clock, engine }, { actor: 'test' }, work);
after(() => database.close());

const CHART: Omit<AccountSpec, 'code'>[] = [
  { currency: 'EUR', normalSide: 'debit' }, // 0 cash
  { currency: 'EUR', normalSide: 'credit', debitsMustNotExceedCredits: true }, // 1 customer wallet
  { currency: 'EUR', normalSide: 'credit' }, // 2 revenue
  { currency: 'EUR', normalSide: 'debit', creditsMustNotExceedDebits: true }, // 3 prepaid
  { currency: 'EUR', normalSide: 'credit', debitsMustNotExceedCredits: true }, // 4 another wallet
  { currency: 'USD', normalSide: 'debit' }, // 5 cash USD
  { currency: 'USD', normalSide: 'credit', debitsMustNotExceedCredits: true }, // 6 wallet USD
];

type Leg = { d: number; c: number; amount: number; pending: boolean; expiresIn: number | null };
type Op =
  | { kind: 'post'; legs: Leg[] }
  | { kind: 'resolve'; pick: number; action: 'post' | 'void'; fraction: number }
  | { kind: 'expire'; minutes: number }
  | { kind: 'reverse'; pick: number }
  | { kind: 'repeat'; pick: number };

const legArb: fc.Arbitrary<Leg> = fc.record({
  d: fc.nat(CHART.length - 1),
  c: fc.nat(CHART.length - 2),
  amount: fc.integer({ min: 1, max: 400 }),
  pending: fc.constantFrom(false, false, true),
  expiresIn: fc.option(fc.integer({ min: 1, max: 90 }), { nil: null }),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('post' as const),
      legs: fc.array(legArb, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('resolve' as const),
      pick: fc.nat(50),
      action: fc.constantFrom('post' as const, 'void' as const),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('expire' as const), minutes: fc.integer({ min: 0, max: 60 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat(50) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('repeat' as const), pick: fc.nat(50) }) },
);

// ---------------------------------------------------------------------------------------------
// The model

interface Counters {
  dp: bigint;
  dpo: bigint;
  cp: bigint;
  cpo: bigint;
}
interface MTransfer {
  id: string;
  d: number;
  c: number;
  amount: bigint;
}
interface MPending extends MTransfer {
  expiresAt: number | null;
  resolvedBy: 'post' | 'void' | 'expire' | null;
}
interface MJournal {
  id: string;
  /** posted and post_pending transfers: what a reversal reverses */
  reversible: MTransfer[];
  pendings: MPending[];
  reversed: boolean;
  request: JournalRequest;
}

class Model {
  readonly counters: Counters[] = CHART.map(() => ({ dp: 0n, dpo: 0n, cp: 0n, cpo: 0n }));
  readonly pendings: MPending[] = [];
  readonly journals: MJournal[] = [];
  transfers = 0;
  audits = 0;

  /** The refusal a change with these deltas gets, or null; applies it when accepted. */
  apply(deltas: Map<number, Counters>): string | null {
    for (const [i, d] of deltas) {
      const a = this.counters[i]!;
      const dp = a.dp + d.dp;
      const dpo = a.dpo + d.dpo;
      const cp = a.cp + d.cp;
      const cpo = a.cpo + d.cpo;
      if (CHART[i]!.debitsMustNotExceedCredits && dp + dpo > cpo) return 'balance_limit_exceeded';
      if (CHART[i]!.creditsMustNotExceedDebits && cp + cpo > dpo) return 'balance_limit_exceeded';
    }
    for (const [i, d] of deltas) {
      const a = this.counters[i]!;
      a.dp += d.dp;
      a.dpo += d.dpo;
      a.cp += d.cp;
      a.cpo += d.cpo;
    }
    return null;
  }
}

function delta(deltas: Map<number, Counters>, i: number): Counters {
  let d = deltas.get(i);
  if (!d) deltas.set(i, (d = { dp: 0n, dpo: 0n, cp: 0n, cpo: 0n }));
  return d;
}

function release(deltas: Map<number, Counters>, p: MPending, posted: bigint) {
  delta(deltas, p.d).dp -= p.amount;
  delta(deltas, p.c).cp -= p.amount;
  delta(deltas, p.d).dpo += posted;
  delta(deltas, p.c).cpo += posted;
}

// ---------------------------------------------------------------------------------------------

/** Runs one operation in its own unit of work; a refusal is caught inside it and the unit commits
 *  anyway, so anything a refused operation wrote (or left to the unit) would stay and be caught by the checks. */
async function attempt<T>(work: (unit: DomainWork) => Promise<T>): Promise<{ ok: T } | { error: string }> {
  return inTx(async (unit) => {
    try {
      return { ok: await work(unit) };
    } catch (error) {
      if (error instanceof AppError) return { error: error.code };
      throw error;
    }
  });
}

const auditCount = async () =>
  Number(
    (
      await database.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

let runNo = 0;

async function runSequence(ops: Op[]): Promise<void> {
  const run = `r${++runNo}`;
  // A run that failed half-way (fast-check then shrinks it) may have left holds due: clear them.
  clock.advance(24 * 60 * MINUTE);
  await inTx((unit) => expirePendingTransfers(unit));
  const ids = await inTx(async (unit) => {
    const created: string[] = [];
    for (const [i, spec] of CHART.entries()) {
      created.push((await createAccount(unit, { ...spec, code: `${run}:${i}` }, 'test')).id);
    }
    return created;
  });
  const model = new Model();
  const auditsAtStart = await auditCount();
  let n = 0;
  const nextId = () => `${run}-${++n}`;

  const check = async (label: string) => {
    const rows = await database.db
      .selectFrom('ledger_accounts')
      .selectAll()
      .where('id', 'in', ids)
      .orderBy('code')
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    ids.forEach((id, i) => {
      const r = byId.get(id)!;
      const m = model.counters[i]!;
      assert.deepEqual(
        [r.debits_pending, r.debits_posted, r.credits_pending, r.credits_posted],
        [m.dp, m.dpo, m.cp, m.cpo],
        `${label}: account ${i}`,
      );
    });
    const count = await database.db
      .selectFrom('ledger_transfers')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('id', 'like', `${run}-%`)
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), model.transfers, `${label}: transfers`);
    assert.equal((await auditCount()) - auditsAtStart, model.audits, `${label}: audit rows`);
  };

  for (const op of ops) {
    const label = `${run} ${JSON.stringify(op)}`;
    if (op.kind === 'post') {
      const legs = op.legs.map((l) => ({ ...l, c: (l.d + 1 + l.c) % CHART.length }));
      const journalId = nextId();
      const request: JournalRequest = {
        journalId,
        actor: 'test',
        transfers: legs.map((l) => ({
          id: nextId(),
          debitAccountId: ids[l.d]!,
          creditAccountId: ids[l.c]!,
          amount: BigInt(l.amount),
          currency: CHART[l.d]!.currency,
          pending: l.pending,
          expiresAt: l.pending && l.expiresIn !== null ? new Date(clock.now().getTime() + l.expiresIn * MINUTE) : null,
        })),
      };
      const outcome = await attempt((unit) => postJournal(unit, request));
      let expected: string | null;
      if (legs.some((l) => CHART[l.d]!.currency !== CHART[l.c]!.currency)) expected = 'currency_mismatch';
      else {
        const deltas = new Map<number, Counters>();
        for (const l of legs) {
          if (l.pending) {
            delta(deltas, l.d).dp += BigInt(l.amount);
            delta(deltas, l.c).cp += BigInt(l.amount);
          } else {
            delta(deltas, l.d).dpo += BigInt(l.amount);
            delta(deltas, l.c).cpo += BigInt(l.amount);
          }
        }
        expected = model.apply(deltas);
      }
      assert.equal('error' in outcome ? outcome.error : null, expected, label);
      if (expected === null) {
        const journal: MJournal = { id: journalId, reversible: [], pendings: [], reversed: false, request };
        legs.forEach((l, i) => {
          const t = request.transfers[i]!;
          if (l.pending) {
            const p: MPending = {
              id: t.id,
              d: l.d,
              c: l.c,
              amount: t.amount,
              expiresAt: t.expiresAt?.getTime() ?? null,
              resolvedBy: null,
            };
            journal.pendings.push(p);
            model.pendings.push(p);
          } else journal.reversible.push({ id: t.id, d: l.d, c: l.c, amount: t.amount });
        });
        model.journals.push(journal);
        model.transfers += legs.length;
        model.audits += 1;
      }
    } else if (op.kind === 'resolve') {
      if (model.pendings.length === 0) continue;
      const p = model.pendings[op.pick % model.pendings.length]!;
      const over = op.action === 'post' && op.fraction > 0.95;
      const amount =
        op.action === 'void' || op.fraction < 0.3
          ? undefined
          : over
            ? p.amount + 1n
            : 1n + BigInt(Math.floor(op.fraction * Number(p.amount - 1n)));
      const id = nextId();
      const outcome = await attempt((unit) =>
        resolvePending(unit, {
          id,
          pendingId: p.id,
          action: op.action,
          ...(amount !== undefined ? { amount } : {}),
          actor: 'test',
        }),
      );
      let expected: string | null;
      if (p.resolvedBy === 'expire') expected = 'pending_expired';
      else if (p.resolvedBy) expected = 'pending_already_resolved';
      else if (p.expiresAt !== null && p.expiresAt <= clock.now().getTime()) {
        expected = 'pending_expired'; // and expired on the spot
        const deltas = new Map<number, Counters>();
        release(deltas, p, 0n);
        assert.equal(model.apply(deltas), null);
        p.resolvedBy = 'expire';
        model.transfers += 1;
        model.audits += 1;
      } else if (over) expected = 'amount_exceeds_pending';
      else {
        const deltas = new Map<number, Counters>();
        const posted = op.action === 'post' ? (amount ?? p.amount) : 0n;
        release(deltas, p, posted);
        expected = model.apply(deltas);
        assert.equal(expected, null, 'resolving a hold never breaks a limit');
        p.resolvedBy = op.action;
        if (op.action === 'post')
          model.journals.find((j) => j.pendings.includes(p))!.reversible.push({ ...p, id, amount: posted });
        model.transfers += 1;
        model.audits += 1;
      }
      assert.equal('error' in outcome ? outcome.error : null, expected, label);
    } else if (op.kind === 'expire') {
      clock.advance(op.minutes * MINUTE);
      const outcome = await attempt((unit) => expirePendingTransfers(unit));
      const due = model.pendings.filter(
        (p) => !p.resolvedBy && p.expiresAt !== null && p.expiresAt <= clock.now().getTime(),
      );
      const deltas = new Map<number, Counters>();
      for (const p of due) {
        release(deltas, p, 0n);
        p.resolvedBy = 'expire';
      }
      assert.equal(model.apply(deltas), null);
      model.transfers += due.length;
      model.audits += due.length;
      assert.deepEqual(outcome, { ok: due.length }, label);
    } else if (op.kind === 'reverse') {
      if (model.journals.length === 0) continue;
      const j = model.journals[op.pick % model.journals.length]!;
      const open = j.pendings.filter((p) => !p.resolvedBy);
      const newJournalId = nextId();
      const outcome = await attempt((unit) =>
        reverseJournal(unit, { journalId: j.id, newJournalId, actor: 'test', reason: 'property' }),
      );
      let expected: string | null;
      if (j.reversed) expected = 'journal_already_reversed';
      else if (j.reversible.length === 0 && open.length === 0) expected = 'nothing_to_reverse';
      else {
        const deltas = new Map<number, Counters>();
        for (const t of j.reversible) {
          delta(deltas, t.c).dpo += t.amount;
          delta(deltas, t.d).cpo += t.amount;
        }
        for (const p of open) release(deltas, p, 0n);
        expected = model.apply(deltas);
        if (expected === null) {
          j.reversed = true;
          for (const p of open) p.resolvedBy = 'void';
          model.transfers += j.reversible.length + open.length;
          model.audits += 1;
        }
      }
      assert.equal('error' in outcome ? outcome.error : null, expected, label);
    } else {
      if (model.journals.length === 0) continue;
      const j = model.journals[op.pick % model.journals.length]!;
      const outcome = await attempt((unit) => postJournal(unit, j.request));
      assert.ok('ok' in outcome && !outcome.ok.created, label);
    }
    await check(label);
  }

  // End of the run: let every hold with an expiry lapse, as a later run's clock would.
  clock.advance(24 * 60 * MINUTE);
  const expired = await inTx((unit) => expirePendingTransfers(unit));
  const due = model.pendings.filter((p) => !p.resolvedBy && p.expiresAt !== null);
  assert.equal(expired, due.length);
  const deltas = new Map<number, Counters>();
  for (const p of due) {
    release(deltas, p, 0n);
    p.resolvedBy = 'expire';
  }
  model.apply(deltas);
  model.transfers += due.length;
  model.audits += due.length;
  await check(`${run} final expiry`);

  // The books balance, per currency, posted and pending.
  for (const line of await trialBalance(database.db)) {
    assert.equal(line.debits, line.credits, `trial balance ${line.currency}`);
    assert.equal(line.debitsPending, line.creditsPending, `trial balance (pending) ${line.currency}`);
  }
  // Balances recomputed from the transfers equal the account rows, and no flag is broken.
  for (const id of ids) {
    const account = await getAccount(database.db, id);
    const { rows } = await sql<{ dpo: string; cpo: string; dp: string; cp: string }>`
      SELECT
        coalesce(sum(amount) FILTER (WHERE debit_account_id = ${id} AND kind IN ('posted', 'post_pending', 'reversal')), 0)::text AS dpo,
        coalesce(sum(amount) FILTER (WHERE credit_account_id = ${id} AND kind IN ('posted', 'post_pending', 'reversal')), 0)::text AS cpo,
        coalesce(sum(amount) FILTER (WHERE debit_account_id = ${id} AND kind = 'pending' AND NOT resolved), 0)::text AS dp,
        coalesce(sum(amount) FILTER (WHERE credit_account_id = ${id} AND kind = 'pending' AND NOT resolved), 0)::text AS cp
      FROM (
        SELECT t.*, EXISTS (SELECT 1 FROM ledger_transfers r WHERE r.pending_id = t.id) AS resolved
        FROM ledger_transfers t WHERE t.debit_account_id = ${id} OR t.credit_account_id = ${id}
      ) t`.execute(database.db);
    const r = rows[0]!;
    assert.deepEqual(
      [BigInt(r.dpo), BigInt(r.cpo), BigInt(r.dp), BigInt(r.cp)],
      [account.debitsPosted, account.creditsPosted, account.debitsPending, account.creditsPending],
      `${run} recomputed ${account.code}`,
    );
    const asOfNow = await accountBalance(database.db, id, clock.now());
    const stored = await accountBalance(database.db, id);
    assert.deepEqual({ ...asOfNow, asOf: null }, stored, `${run} as of now ${account.code}`);
    if (account.debitsMustNotExceedCredits) {
      assert.ok(account.debitsPending + account.debitsPosted <= account.creditsPosted, account.code);
    }
    if (account.creditsMustNotExceedDebits) {
      assert.ok(account.creditsPending + account.creditsPosted <= account.debitsPosted, account.code);
    }
  }
}

test('random ledger operations keep the books balanced and the limits unbroken', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), (ops) => runSequence(ops)),
    // LEDGER_PROPERTY_SEED=<seed> replays a failure fast-check reported.
    { numRuns: 40, ...(process.env.LEDGER_PROPERTY_SEED ? { seed: Number(process.env.LEDGER_PROPERTY_SEED) } : {}) },
  );
});

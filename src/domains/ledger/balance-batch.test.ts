import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ManualClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { Engine } from '../../engine/engine.js';
import { beforeCommit, heldMark, rollbackHeld } from '../../storage/commit-hooks.js';
import type { Database } from '../../storage/database.js';
import type { Tx } from '../../storage/schema.js';
import { openTestDatabase } from '../../testing/test-database.js';
import type { DomainContext } from '../contract.js';
import { DomainWork, inDomainTransaction } from '../unit-of-work.js';
import { createAccount } from './accounts.js';
import { postJournal, postJournals } from './journal.js';
import type { LedgerAccount } from './ledger-model.js';
import { addDelta, applyDeltas, type Deltas } from './ledger-balances.js';
import { getAccount } from './ledger-queries.js';
import { reverseJournal } from './reversal.js';

// A bulk sync posts thousands of journals in one unit of work; their balance moves are held in the
// transaction's BalanceBatch and written once, just before it commits. These tests hold the batch to
// what posting one by one would do: the same final balances, the same limit refusals against the
// running balance, and a failed row (rolled back to its savepoint) leaving no trace.

let database: Database;
let context: DomainContext;
const clock = new ManualClock('2026-03-02T09:00:00.000Z');
before(async () => {
  database = await openTestDatabase();
  context = { database, clock, engine: new Engine({ database, clock }) };
});
after(() => database.close());

/** A unit of work in a transaction of the test's own, flushed by the test. */
const unitIn = (tx: Tx) => new DomainWork(tx, context, 'test', null);

let seq = 0;
async function accounts() {
  const p = `bb${++seq}`;
  return inDomainTransaction(context, { actor: 'test' }, async (unit) => ({
    cash: await createAccount(unit, { code: `${p}:cash`, currency: 'EUR', normalSide: 'debit' }, 'test'),
    wallet: await createAccount(
      unit,
      { code: `${p}:wallet`, currency: 'EUR', normalSide: 'credit', debitsMustNotExceedCredits: true },
      'test',
    ),
  }));
}

const journal = (id: string, debit: LedgerAccount, credit: LedgerAccount, amount: bigint) => ({
  journalId: id,
  transfers: [{ id, debitAccountId: debit.id, creditAccountId: credit.id, amount, currency: 'EUR' }],
  actor: 'test',
});

const posted = async (account: LedgerAccount) => {
  const a = await getAccount(database.db, account.id);
  return { debits: a.debitsPosted, credits: a.creditsPosted };
};

describe('ledger balance batch', () => {
  test('balances move once, at commit, by the sum of the journals; a reversal in the batch counts', async () => {
    const { cash, wallet } = await accounts();
    let updates = -1;
    await database.transaction(async (tx) => {
      const unit = unitIn(tx);
      for (let i = 0; i < 50; i++) await postJournal(unit, journal(`${cash.code}.${i}`, cash, wallet, 100n));
      await reverseJournal(unit, { journalId: `${cash.code}.7`, newJournalId: `${cash.code}.7.rev`, actor: 'test' });
      await unit.flush();
      // Nothing written to the accounts yet, not even by the unit's flush: the rows are as they were.
      const before = await tx.selectFrom('ledger_accounts').select('debits_posted').where('id', '=', cash.id).execute();
      assert.equal(before[0]!.debits_posted, 0n);
      // Registered after the ledger's, this runs after it, just before COMMIT.
      beforeCommit(tx, 'test.count', async () => {
        const { rows } = await sql<{ n: string }>`SELECT n_tup_upd::text AS n FROM pg_stat_xact_user_tables
          WHERE relname = 'ledger_accounts'`.execute(tx);
        updates = Number(rows[0]?.n ?? 0);
      });
    });
    assert.deepEqual(await posted(cash), { debits: 5000n, credits: 100n });
    assert.deepEqual(await posted(wallet), { debits: 100n, credits: 5000n });
    // One UPDATE statement for the two accounts, not one per journal.
    assert.equal(updates, 2, 'ledger_accounts rows updated in the transaction');
  });

  test('the no-overdraft limit is checked against the running balance, the batch included', async () => {
    const { cash, wallet } = await accounts();
    await database.transaction(async (tx) => {
      const unit = unitIn(tx);
      await postJournal(unit, journal(`${cash.code}.in`, cash, wallet, 300n));
      await postJournal(unit, journal(`${cash.code}.out1`, wallet, cash, 200n));
      // 300 in, 200 out so far (all in the batch): another 200 would overdraw the wallet.
      await assert.rejects(
        postJournal(unit, journal(`${cash.code}.out2`, wallet, cash, 200n)),
        (error: unknown) => error instanceof AppError && error.code === 'balance_limit_exceeded',
      );
      await postJournal(unit, journal(`${cash.code}.out3`, wallet, cash, 100n));
      await unit.flush();
    });
    assert.deepEqual(await posted(wallet), { debits: 300n, credits: 300n });
  });

  test('rolling back to a mark drops the moves since, and the locks taken since', async () => {
    const { cash, wallet } = await accounts();
    const other = await accounts();
    await database.transaction(async (tx) => {
      const unit = unitIn(tx);
      await postJournal(unit, journal(`${cash.code}.a`, cash, wallet, 500n));
      const mark = unit.mark();
      await sql`SAVEPOINT row`.execute(tx);
      await postJournal(unit, journal(`${cash.code}.b`, cash, wallet, 70n));
      await postJournal(unit, journal(`${other.cash.code}.b`, other.cash, other.wallet, 9n));
      await sql`ROLLBACK TO SAVEPOINT row`.execute(tx);
      unit.rollbackTo(mark);
      // The account first locked in the rolled-back row is locked (and read) again when next used.
      await postJournal(unit, journal(`${other.cash.code}.c`, other.cash, other.wallet, 11n));
      await unit.flush();
    });
    assert.deepEqual(await posted(cash), { debits: 500n, credits: 0n });
    assert.deepEqual(await posted(wallet), { debits: 0n, credits: 500n });
    assert.deepEqual(await posted(other.cash), { debits: 11n, credits: 0n });
  });

  test("a workflow action's rolled-back savepoint takes back the balance moves it held for the commit", async () => {
    // As the engine runs a failed action (engine/runtime/steps/action-step.ts): its unit flushed, then
    // its savepoint rolled back, then the transaction's held writes taken back to the mark.
    const { cash, wallet } = await accounts();
    await database.transaction(async (tx) => {
      const kept = unitIn(tx);
      await postJournal(kept, journal(`${cash.code}.kept`, cash, wallet, 5n));
      await kept.flush();
      await sql`SAVEPOINT wf_action`.execute(tx);
      const mark = heldMark(tx);
      const failed = unitIn(tx);
      await postJournal(failed, journal(`${cash.code}.failed`, cash, wallet, 7n));
      await failed.flush();
      await sql`ROLLBACK TO SAVEPOINT wf_action`.execute(tx);
      rollbackHeld(tx, mark);
    });
    // Only the kept journal's move: without the rollback the balance would say 12 beside one transfer of 5.
    assert.deepEqual(await posted(cash), { debits: 5n, credits: 0n });
    assert.deepEqual(await posted(wallet), { debits: 0n, credits: 5n });
  });

  test('a batch of 5 000 journals is written whole: more transfers than one statement has parameters for', async () => {
    // 16 columns a transfer: 5 000 of them as bind parameters would be 80 000, past PostgreSQL's 65 535.
    const { cash, wallet } = await accounts();
    const requests = Array.from({ length: 5000 }, (_, i) => journal(`${cash.code}.bulk${i}`, cash, wallet, 3n));
    const results = await inDomainTransaction(context, { actor: 'test' }, (unit) => postJournals(unit, requests));
    assert.equal(results.length, 5000);
    assert.equal(results[4999]!.transfers[0]!.id, `${cash.code}.bulk4999`);
    assert.equal(results[4999]!.transfers[0]!.amount, 3n);
    assert.deepEqual(await posted(cash), { debits: 15000n, credits: 0n });
    const stored = await database.db
      .selectFrom('ledger_transfers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('debit_account_id', '=', cash.id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(stored.n), 5000);
  });

  test('the balance moves of 14 000 accounts are one statement: more than its parameters would allow', async () => {
    // A close of business may expire holds on thousands of accounts; five values an account as bind
    // parameters would be 70 000, past PostgreSQL's 65 535. Ids that name no account move nothing.
    const { cash, wallet } = await accounts();
    const deltas: Deltas = new Map();
    addDelta(deltas, cash.id, 'debit', 'posted', 40n);
    addDelta(deltas, wallet.id, 'credit', 'posted', 40n);
    for (let i = 0; i < 14_000; i++) addDelta(deltas, `lac_none${i}`, 'debit', 'pending', 1n);
    await database.transaction((tx) => applyDeltas(tx, deltas, new Map()));
    assert.deepEqual(await posted(cash), { debits: 40n, credits: 0n });
    assert.deepEqual(await posted(wallet), { debits: 0n, credits: 40n });
  });
});

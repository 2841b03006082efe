import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ManualClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Database } from '../../storage/database.js';
import { openTestDatabase } from '../../testing/test-database.js';
import { BalanceBatch } from './balance-batch.js';
import { createAccount, getAccount, postJournal, reverseJournal, type LedgerAccount } from './ledger-service.js';

// A bulk sync posts thousands of journals in one transaction; their balance moves are held in a
// BalanceBatch and written once. These tests hold the batch to what posting one by one would do:
// the same final balances, the same limit refusals against the running balance, and a failed row
// (rolled back to its savepoint) leaving no trace.

let database: Database;
const clock = new ManualClock('2026-03-02T09:00:00.000Z');
before(async () => {
  database = await openTestDatabase();
});
after(() => database.close());

let seq = 0;
async function accounts() {
  const p = `bb${++seq}`;
  return database.transaction(async (tx) => ({
    cash: await createAccount(tx, { code: `${p}:cash`, currency: 'EUR', normalSide: 'debit' }, 'test', clock),
    wallet: await createAccount(
      tx,
      { code: `${p}:wallet`, currency: 'EUR', normalSide: 'credit', debitsMustNotExceedCredits: true },
      'test',
      clock,
    ),
  }));
}

const journal = (id: string, debit: LedgerAccount, credit: LedgerAccount, amount: bigint, batch: BalanceBatch) => ({
  journalId: id,
  transfers: [{ id, debitAccountId: debit.id, creditAccountId: credit.id, amount, currency: 'EUR' }],
  actor: 'test',
  balances: batch,
});

const posted = async (account: LedgerAccount) => {
  const a = await getAccount(database.db, account.id);
  return { debits: a.debitsPosted, credits: a.creditsPosted };
};

describe('ledger balance batch', () => {
  test('balances move once, at flush, by the sum of the journals; a reversal in the batch counts', async () => {
    const { cash, wallet } = await accounts();
    const updates = await database.transaction(async (tx) => {
      const batch = new BalanceBatch();
      for (let i = 0; i < 50; i++)
        await postJournal(tx, journal(`${cash.code}.${i}`, cash, wallet, 100n, batch), clock);
      await reverseJournal(
        tx,
        { journalId: `${cash.code}.7`, newJournalId: `${cash.code}.7.rev`, actor: 'test', balances: batch },
        clock,
      );
      // Nothing written to the accounts yet: the rows are as they were.
      const before = await tx.selectFrom('ledger_accounts').select('debits_posted').where('id', '=', cash.id).execute();
      assert.equal(before[0]!.debits_posted, 0n);
      await batch.flush(tx);
      const { rows } = await sql<{ n: string }>`SELECT n_tup_upd::text AS n FROM pg_stat_xact_user_tables
        WHERE relname = 'ledger_accounts'`.execute(tx);
      return Number(rows[0]?.n ?? 0);
    });
    assert.deepEqual(await posted(cash), { debits: 5000n, credits: 100n });
    assert.deepEqual(await posted(wallet), { debits: 100n, credits: 5000n });
    // One UPDATE statement for the two accounts, not one per journal.
    assert.equal(updates, 2, 'ledger_accounts rows updated in the transaction');
  });

  test('the no-overdraft limit is checked against the running balance, the batch included', async () => {
    const { cash, wallet } = await accounts();
    await database.transaction(async (tx) => {
      const batch = new BalanceBatch();
      await postJournal(tx, journal(`${cash.code}.in`, cash, wallet, 300n, batch), clock);
      await postJournal(tx, journal(`${cash.code}.out1`, wallet, cash, 200n, batch), clock);
      // 300 in, 200 out so far (all in the batch): another 200 would overdraw the wallet.
      await assert.rejects(
        postJournal(tx, journal(`${cash.code}.out2`, wallet, cash, 200n, batch), clock),
        (error: unknown) => error instanceof AppError && error.code === 'balance_limit_exceeded',
      );
      await postJournal(tx, journal(`${cash.code}.out3`, wallet, cash, 100n, batch), clock);
      await batch.flush(tx);
    });
    assert.deepEqual(await posted(wallet), { debits: 300n, credits: 300n });
  });

  test('rolling back to a mark drops the moves since, and the locks taken since', async () => {
    const { cash, wallet } = await accounts();
    const other = await accounts();
    await database.transaction(async (tx) => {
      const batch = new BalanceBatch();
      await postJournal(tx, journal(`${cash.code}.a`, cash, wallet, 500n, batch), clock);
      const mark = batch.mark();
      await sql`SAVEPOINT row`.execute(tx);
      await postJournal(tx, journal(`${cash.code}.b`, cash, wallet, 70n, batch), clock);
      await postJournal(tx, journal(`${other.cash.code}.b`, other.cash, other.wallet, 9n, batch), clock);
      await sql`ROLLBACK TO SAVEPOINT row`.execute(tx);
      batch.rollbackTo(mark);
      // The account first locked in the rolled-back row is locked (and read) again when next used.
      await postJournal(tx, journal(`${other.cash.code}.c`, other.cash, other.wallet, 11n, batch), clock);
      await batch.flush(tx);
    });
    assert.deepEqual(await posted(cash), { debits: 500n, credits: 0n });
    assert.deepEqual(await posted(wallet), { debits: 0n, credits: 500n });
    assert.deepEqual(await posted(other.cash), { debits: 11n, credits: 0n });
  });
});

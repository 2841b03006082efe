import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { ManualClock, type Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { readAuditLog } from '../../storage/audit/audit-log.js';
import type { Database } from '../../storage/database.js';
import { Engine } from '../../engine/engine.js';
import { DomainWork, inDomainTransaction } from '../unit-of-work.js';
import { onPostgres, openTestDatabase } from '../../testing/test-database.js';
import { addDelta, applyDeltas, lockAccounts, type Deltas } from './ledger-balances.js';
import { createAccount, ensureAccount } from './accounts.js';
import { expirePendingTransfers } from './expiry.js';
import { postJournal } from './journal.js';
import type { LedgerAccount, TransferInput } from './ledger-model.js';
import {
  accountBalance,
  getAccount,
  getTransfer,
  listAccounts,
  listTransfers,
  trialBalance,
} from './ledger-queries.js';
import { resolvePending } from './pending.js';
import { reverseJournal } from './reversal.js';

const HOUR = 60 * 60 * 1000;
let database: Database;
const clock = new ManualClock('2026-03-02T09:00:00.000Z');

let engine: Engine;

before(async () => {
  database = await openTestDatabase();
  engine = new Engine({ database, clock });
});
after(() => database.close());

/** One unit of work (as the routes and workflow steps run the ledger), on `on`'s time, as `actor`. */
const inTx = <T>(work: (unit: DomainWork) => Promise<T>, on: Clock = clock, actor = 'test') =>
  inDomainTransaction({ database, clock: on, engine }, { actor }, work);

/** Asserts an AppError with this code (and status, and field). */
async function refused(promise: Promise<unknown>, code: string, status: number, field?: string): Promise<AppError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof AppError, `expected AppError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.equal(caught.status, status, caught.message);
  if (field !== undefined) assert.equal(caught.field, field, caught.message);
  return caught;
}

let seq = 0;
/** Fresh accounts for one test: cash (debit), revenue (credit), wallet (credit, no overdraft), all EUR; usd (debit). */
async function chart() {
  const p = `t${++seq}`;
  return inTx(async (unit) => ({
    p,
    cash: await createAccount(unit, { code: `${p}:cash`, currency: 'EUR', normalSide: 'debit' }, 'test'),
    revenue: await createAccount(unit, { code: `${p}:revenue`, currency: 'EUR', normalSide: 'credit' }, 'test'),
    vat: await createAccount(unit, { code: `${p}:vat`, currency: 'EUR', normalSide: 'credit' }, 'test'),
    wallet: await createAccount(
      unit,
      { code: `${p}:wallet`, currency: 'EUR', normalSide: 'credit', debitsMustNotExceedCredits: true },
      'test',
    ),
    usd: await createAccount(unit, { code: `${p}:usd`, currency: 'USD', normalSide: 'debit' }, 'test'),
  }));
}

const t = (
  id: string,
  debit: LedgerAccount,
  credit: LedgerAccount,
  amount: bigint,
  extra: Partial<TransferInput> = {},
) => ({
  id,
  debitAccountId: debit.id,
  creditAccountId: credit.id,
  amount,
  currency: debit.currency,
  ...extra,
});

const post = (transfers: TransferInput[], journalId?: string) =>
  inTx((unit) => postJournal(unit, { ...(journalId ? { journalId } : {}), transfers, actor: 'test' }));

const account = (a: LedgerAccount) => getAccount(database.db, a.id);
const transferCount = async () =>
  Number(
    (
      await database.db
        .selectFrom('ledger_transfers')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('accounts', () => {
  test('create, get-or-create, conflicts and validation', async () => {
    const c = await chart();
    assert.match(c.cash.id, /^acc_[0-9A-Z]{26}$/);
    assert.equal(c.cash.debitsPosted, 0n);
    assert.equal(c.wallet.debitsMustNotExceedCredits, true);

    const again = await inTx((unit) =>
      ensureAccount(
        unit,
        { code: `${c.p}:wallet`, currency: 'EUR', normalSide: 'credit', debitsMustNotExceedCredits: true },
        'test',
      ),
    );
    assert.equal(again.id, c.wallet.id);
    const fresh = await inTx((unit) =>
      ensureAccount(unit, { code: `${c.p}:fees`, currency: 'EUR', normalSide: 'credit' }, 'test'),
    );
    assert.match(fresh.id, /^acc_/);
    const audit = await readAuditLog(database.db, { entityType: 'ledger_account', entityId: fresh.id });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.action, 'ledger.account.created');

    const conflict = await refused(
      inTx((unit) => ensureAccount(unit, { code: `${c.p}:wallet`, currency: 'EUR', normalSide: 'credit' }, 'test')),
      'account_conflict',
      409,
    );
    assert.match(conflict.message, /debitsMustNotExceedCredits=true/);
    await refused(
      inTx((unit) => ensureAccount(unit, { code: `${c.p}:cash`, currency: 'EUR', normalSide: 'credit' }, 'test')),
      'account_conflict',
      409,
    );
    await refused(
      inTx((unit) => createAccount(unit, { code: `${c.p}:cash`, currency: 'EUR', normalSide: 'debit' }, 'test')),
      'account_exists',
      409,
    );
    await refused(
      inTx((unit) =>
        createAccount(unit, { id: c.cash.id, code: `${c.p}:other`, currency: 'EUR', normalSide: 'debit' }, 'test'),
      ),
      'account_exists',
      409,
    );
    // The same code in another currency is another account.
    const gbp = await inTx((unit) =>
      createAccount(unit, { id: `${c.p}-gbp-cash`, code: `${c.p}:cash`, currency: 'GBP', normalSide: 'debit' }, 'test'),
    );
    assert.equal(gbp.id, `${c.p}-gbp-cash`);
    await refused(
      inTx((unit) =>
        createAccount(
          unit,
          {
            code: `${c.p}:both`,
            currency: 'EUR',
            normalSide: 'debit',
            debitsMustNotExceedCredits: true,
            creditsMustNotExceedDebits: true,
          },
          'test',
        ),
      ),
      'validation_failed',
      400,
      'creditsMustNotExceedDebits',
    );
    await refused(
      inTx((unit) => createAccount(unit, { code: `${c.p}:x`, currency: 'EUX', normalSide: 'debit' }, 'test')),
      'validation_failed',
      400,
      'currency',
    );

    const byCode = await listAccounts(database.db, { code: `${c.p}:cash` });
    assert.deepEqual(byCode.map((a) => a.currency).sort(), ['EUR', 'GBP']);
    const page1 = await listAccounts(database.db, { limit: 2 });
    const page2 = await listAccounts(database.db, { limit: 2, cursor: page1[1]!.id });
    assert.equal(page1.length, 2);
    assert.ok(page2[0]!.id > page1[1]!.id);
    await refused(getAccount(database.db, 'acc_nope'), 'not_found', 404);
  });
});

describe('journal entries', () => {
  test('a balanced journal moves every account, once, with one audit row', async () => {
    const c = await chart();
    const result = await post(
      [
        t(`${c.p}-sale.net`, c.cash, c.revenue, 10_000n, { reference: 'INV-1', code: 'sale' }),
        t(`${c.p}-sale.vat`, c.cash, c.vat, 2_100n),
      ],
      `${c.p}-sale`,
    );
    assert.equal(result.created, true);
    assert.equal(result.journalId, `${c.p}-sale`);
    assert.deepEqual(
      result.transfers.map((x) => [x.id, x.kind, x.amount]),
      [
        [`${c.p}-sale.net`, 'posted', 10_000n],
        [`${c.p}-sale.vat`, 'posted', 2_100n],
      ],
    );
    assert.equal((await account(c.cash)).debitsPosted, 12_100n);
    assert.equal((await account(c.revenue)).creditsPosted, 10_000n);
    const cash = await accountBalance(database.db, c.cash.id);
    assert.equal(cash.balance, 12_100n);
    const vat = await accountBalance(database.db, c.vat.id);
    assert.equal(vat.balance, 2_100n);

    const audit = await readAuditLog(database.db, { entityType: 'ledger_journal', entityId: `${c.p}-sale` });
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.action, 'ledger.journal.posted');
    const after = audit[0]!.after as { postings: Array<{ id: string; amount: unknown }> };
    assert.deepEqual(
      after.postings.map((p) => [p.id, p.amount]),
      [
        [`${c.p}-sale.net`, '10000'],
        [`${c.p}-sale.vat`, '2100'],
      ],
    );

    // The journal id defaults to the first transfer's id.
    const single = await post([t(`${c.p}-single`, c.cash, c.revenue, 5n)]);
    assert.equal(single.journalId, `${c.p}-single`);
    assert.deepEqual(
      (await listTransfers(database.db, { journalId: `${c.p}-sale` })).map((x) => x.id),
      [`${c.p}-sale.net`, `${c.p}-sale.vat`],
    );
    assert.deepEqual(
      (await listTransfers(database.db, { reference: 'INV-1' })).map((x) => x.id),
      [`${c.p}-sale.net`],
    );
    const cashTransfers = await listTransfers(database.db, { accountId: c.cash.id, limit: 2 });
    const rest = await listTransfers(database.db, { accountId: c.cash.id, afterSeq: cashTransfers[1]!.seq });
    assert.deepEqual(
      [...cashTransfers, ...rest].map((x) => x.id),
      [`${c.p}-sale.net`, `${c.p}-sale.vat`, `${c.p}-single`],
    );

    for (const line of await trialBalance(database.db)) {
      assert.equal(line.debits, line.credits, line.currency);
      assert.equal(line.debitsPending, line.creditsPending, line.currency);
    }
  });

  test('the same request again changes nothing; a reused id with other content is refused', async () => {
    const c = await chart();
    const transfers = [
      t(`${c.p}-a`, c.cash, c.revenue, 100n, { metadata: { b: 1, a: [1, 2] } }),
      t(`${c.p}-b`, c.cash, c.vat, 20n),
    ];
    const first = await post(transfers);
    const before = { count: await transferCount(), audit: (await readAuditLog(database.db)).length };
    // Metadata keys in another order are the same content.
    const repeat = await post([{ ...transfers[0]!, metadata: { a: [1, 2], b: 1 } }, transfers[1]!]);
    assert.equal(repeat.created, false);
    assert.deepEqual(
      repeat.transfers.map((x) => [x.id, x.seq]),
      first.transfers.map((x) => [x.id, x.seq]),
    );
    assert.equal(await transferCount(), before.count);
    assert.equal((await readAuditLog(database.db)).length, before.audit);
    assert.equal((await account(c.cash)).debitsPosted, 120n);

    await refused(
      post([{ ...transfers[0]!, amount: 101n }, transfers[1]!]),
      'transfer_id_reused',
      409,
      'transfers[0].id',
    );
    await refused(
      post([transfers[0]!, { ...transfers[1]!, reference: 'x' }]),
      'transfer_id_reused',
      409,
      'transfers[1].id',
    );
    // Only some ids exist: not a retry of the same request.
    await refused(
      post([transfers[0]!, t(`${c.p}-c`, c.cash, c.vat, 1n)]),
      'transfer_id_reused',
      409,
      'transfers[0].id',
    );
    // A journal id is written once.
    await refused(post([t(`${c.p}-d`, c.cash, c.vat, 1n)], `${c.p}-a`), 'journal_id_reused', 409, 'journalId');
    assert.equal(await transferCount(), before.count);
  });

  test('malformed transfers, unknown accounts and currency mismatches name the field', async () => {
    const c = await chart();
    await refused(post([t(`${c.p}-0`, c.cash, c.revenue, 0n)]), 'validation_failed', 400, 'transfers[0].amount');
    await refused(
      post([t(`${c.p}-1`, c.cash, c.revenue, 1n), t(`${c.p}-2`, c.cash, c.cash, 1n)]),
      'validation_failed',
      400,
      'transfers[1].creditAccountId',
    );
    await refused(
      post([t(`${c.p}-1`, c.cash, c.revenue, 1n), t(`${c.p}-1`, c.cash, c.vat, 1n)]),
      'validation_failed',
      400,
      'transfers[1].id',
    );
    await refused(
      post([t(`${c.p}-1`, c.cash, c.revenue, 1n, { expiresAt: new Date(clock.now().getTime() + HOUR) })]),
      'validation_failed',
      400,
      'transfers[0].expiresAt',
    );
    await refused(
      post([t(`${c.p}-1`, c.cash, c.revenue, 1n, { pending: true, expiresAt: clock.now() })]),
      'validation_failed',
      400,
      'transfers[0].expiresAt',
    );
    const unknown = await refused(
      post([
        t(`${c.p}-1`, c.cash, c.revenue, 1n),
        t(`${c.p}-2`, c.cash, c.revenue, 1n),
        { ...t(`${c.p}-3`, c.cash, c.revenue, 1n), creditAccountId: 'acc_missing' },
      ]),
      'unknown_account',
      422,
      'transfers[2].creditAccountId',
    );
    assert.match(unknown.message, /acc_missing/);
    const mismatch = await refused(
      post([
        t(`${c.p}-1`, c.cash, c.revenue, 1n),
        { ...t(`${c.p}-2`, c.cash, c.revenue, 1n), creditAccountId: c.usd.id },
      ]),
      'currency_mismatch',
      422,
      'transfers[1].currency',
    );
    assert.match(mismatch.message, /USD/);
    await refused(
      post([{ ...t(`${c.p}-1`, c.usd, c.revenue, 1n), currency: 'EUR' }]),
      'currency_mismatch',
      422,
      'transfers[0].currency',
    );
    assert.equal((await listTransfers(database.db, { accountId: c.cash.id })).length, 0);
  });
});

describe('balance limits', () => {
  test('a flagged account cannot be overdrawn: refused cleanly, and by the database itself', async () => {
    const c = await chart();
    await post([t(`${c.p}-topup`, c.cash, c.wallet, 100n)]);
    const count = await transferCount();
    await inTx(async (unit) => {
      // Refused in the caller's transaction, which stays usable.
      const error = await refused(
        postJournal(unit, {
          transfers: [t(`${c.p}-spend.a`, c.revenue, c.cash, 500n), t(`${c.p}-spend.b`, c.wallet, c.revenue, 150n)],
          actor: 'test',
        }),
        'balance_limit_exceeded',
        422,
        'transfers[1].debitAccountId',
      );
      assert.equal(error.details?.accountId, c.wallet.id);
      assert.equal(error.details?.constraint, 'ledger_debits_exceed_credits');
      const ok = await postJournal(unit, { transfers: [t(`${c.p}-spend`, c.wallet, c.revenue, 100n)], actor: 'test' });
      assert.equal(ok.created, true);
    });
    assert.equal(await transferCount(), count + 1);
    assert.equal((await accountBalance(database.db, c.wallet.id)).balance, 0n);
    assert.equal((await account(c.cash)).creditsPosted, 0n); // nothing of the refused journal stayed

    // A pending debit counts against the limit too.
    await refused(
      post([t(`${c.p}-hold`, c.wallet, c.revenue, 1n, { pending: true })]),
      'balance_limit_exceeded',
      422,
      'transfers[0].debitAccountId',
    );

    // The CHECK constraint refuses a direct write that would break the limit.
    await assert.rejects(
      sql`UPDATE ledger_accounts SET debits_posted = debits_posted + 1 WHERE id = ${c.wallet.id}`.execute(database.db),
      (e: { code?: string; constraint?: string }) =>
        e.code === '23514' && e.constraint === 'ledger_debits_exceed_credits',
    );
    // …and its violation, should the pre-check ever miss one, still comes back as the ledger's 422.
    const violation = await refused(
      inTx(async (unit) => {
        const locked = await lockAccounts(unit.tx, [c.wallet.id]);
        const deltas: Deltas = new Map();
        addDelta(deltas, c.wallet.id, 'debit', 'posted', 1n);
        await applyDeltas(unit.tx, deltas, locked);
      }),
      'balance_limit_exceeded',
      422,
    );
    assert.equal(violation.details?.accountId, c.wallet.id);
    assert.equal((await account(c.wallet)).debitsPosted, 100n); // unchanged
  });

  test('transfers are immutable', async () => {
    const c = await chart();
    await post([t(`${c.p}-x`, c.cash, c.revenue, 5n)]);
    for (const statement of [
      sql`UPDATE ledger_transfers SET amount = 6 WHERE id = ${`${c.p}-x`}`,
      sql`DELETE FROM ledger_transfers WHERE id = ${`${c.p}-x`}`,
      sql`TRUNCATE ledger_transfers CASCADE`,
    ]) {
      await assert.rejects(statement.execute(database.db), (e: { code?: string; message?: string }) => {
        assert.equal(e.code, '42501');
        assert.match(e.message ?? '', /append-only/);
        return true;
      });
    }
    assert.equal((await getTransfer(database.db, `${c.p}-x`)).amount, 5n);
  });
});

describe('two-phase transfers', () => {
  test('pending, partial post (the rest released), void', async () => {
    const c = await chart();
    await post([t(`${c.p}-fund`, c.cash, c.wallet, 1_000n)]);
    await post([t(`${c.p}-hold`, c.wallet, c.revenue, 800n, { pending: true, reference: 'ORDER-1' })]);
    let wallet = await accountBalance(database.db, c.wallet.id);
    assert.deepEqual([wallet.balance, wallet.available, wallet.debitsPending], [1_000n, 200n, 800n]);
    // The hold blocks spending beyond the available balance.
    await refused(post([t(`${c.p}-spend`, c.wallet, c.revenue, 201n)]), 'balance_limit_exceeded', 422);

    const resolve = (id: string, action: 'post' | 'void', pendingId: string, amount?: bigint) =>
      inTx((unit) =>
        resolvePending(unit, { id, pendingId, action, ...(amount !== undefined ? { amount } : {}), actor: 'test' }),
      );
    await refused(resolve(`${c.p}-hold.post`, 'post', `${c.p}-hold`, 801n), 'amount_exceeds_pending', 422, 'amount');
    const posted = await resolve(`${c.p}-hold.post`, 'post', `${c.p}-hold`, 600n);
    assert.equal(posted.created, true);
    assert.deepEqual(
      [
        posted.transfer.kind,
        posted.transfer.amount,
        posted.transfer.pendingId,
        posted.transfer.journalId,
        posted.transfer.reference,
      ],
      ['post_pending', 600n, `${c.p}-hold`, `${c.p}-hold`, 'ORDER-1'],
    );
    wallet = await accountBalance(database.db, c.wallet.id);
    assert.deepEqual([wallet.balance, wallet.available, wallet.debitsPending], [400n, 400n, 0n]);
    assert.equal((await accountBalance(database.db, c.revenue.id)).balance, 600n);

    const repeat = await resolve(`${c.p}-hold.post`, 'post', `${c.p}-hold`, 600n);
    assert.equal(repeat.created, false);
    assert.equal(repeat.transfer.seq, posted.transfer.seq);
    await refused(resolve(`${c.p}-hold.post`, 'post', `${c.p}-hold`, 500n), 'transfer_id_reused', 409, 'id');
    const again = await refused(resolve(`${c.p}-hold.void`, 'void', `${c.p}-hold`), 'pending_already_resolved', 409);
    assert.equal(again.details?.resolvedBy, `${c.p}-hold.post`);
    await refused(resolve(`${c.p}-x`, 'post', `${c.p}-fund`), 'not_pending', 409, 'pendingId');
    await refused(resolve(`${c.p}-x`, 'post', `${c.p}-nope`), 'not_found', 404);

    await post([t(`${c.p}-hold2`, c.wallet, c.revenue, 300n, { pending: true })]);
    await refused(resolve(`${c.p}-hold2.void`, 'void', `${c.p}-hold2`, 1n), 'validation_failed', 400, 'amount');
    const voided = await resolve(`${c.p}-hold2.void`, 'void', `${c.p}-hold2`);
    assert.deepEqual([voided.transfer.kind, voided.transfer.amount], ['void_pending', 300n]);
    wallet = await accountBalance(database.db, c.wallet.id);
    assert.deepEqual(
      [wallet.balance, wallet.available, wallet.debitsPending, wallet.debitsPosted],
      [400n, 400n, 0n, 600n],
    );
  });

  test('expiry releases holds; a post after expiry is refused', async () => {
    const c = await chart();
    const clk = new ManualClock('2026-04-01T10:00:00.000Z');
    const postAt = (transfers: TransferInput[]) => inTx((unit) => postJournal(unit, { transfers, actor: 'test' }), clk);
    const resolve = (id: string, pendingId: string) =>
      inTx((unit) => resolvePending(unit, { id, pendingId, action: 'post', actor: 'test' }), clk);
    await postAt([t(`${c.p}-fund`, c.cash, c.wallet, 1_000n)]);
    await postAt([
      t(`${c.p}-h1`, c.wallet, c.revenue, 100n, { pending: true, expiresAt: new Date('2026-04-01T11:00:00Z') }),
      t(`${c.p}-h2`, c.wallet, c.revenue, 200n, { pending: true, expiresAt: new Date('2026-04-01T12:00:00Z') }),
      t(`${c.p}-h3`, c.wallet, c.revenue, 300n, { pending: true, expiresAt: new Date('2026-04-01T12:00:00Z') }),
      t(`${c.p}-h4`, c.wallet, c.revenue, 50n, { pending: true }),
    ]);
    assert.equal((await account(c.wallet)).debitsPending, 650n);

    clk.set('2026-04-01T11:00:00.000Z'); // expires_at <= now is expired
    assert.equal(await inTx((unit) => expirePendingTransfers(unit), clk, 'system:expiry'), 1);
    assert.equal(await inTx((unit) => expirePendingTransfers(unit), clk, 'system:expiry'), 0);
    const expiry = await getTransfer(database.db, `${c.p}-h1.expired`);
    assert.deepEqual(
      [expiry.kind, expiry.pendingId, expiry.amount, expiry.postedBy],
      ['expire_pending', `${c.p}-h1`, 100n, 'system:expiry'],
    );
    assert.equal((await account(c.wallet)).debitsPending, 550n);
    const refusedAfter = await refused(resolve(`${c.p}-h1.post`, `${c.p}-h1`), 'pending_expired', 409);
    assert.equal(refusedAfter.details?.resolvedBy, `${c.p}-h1.expired`);

    // Past its expiry but not yet expired by the job: refused, and expired there and then.
    clk.set('2026-04-01T12:30:00.000Z');
    const outcome = await inTx(
      async (unit) =>
        resolvePending(unit, { id: `${c.p}-h2.post`, pendingId: `${c.p}-h2`, action: 'post', actor: 'test' }).catch(
          (e: unknown) => e,
        ),
      clk,
    );
    assert.ok(outcome instanceof AppError && outcome.code === 'pending_expired', String(outcome));
    assert.equal((await getTransfer(database.db, `${c.p}-h2.expired`)).kind, 'expire_pending');
    assert.equal(await inTx((unit) => expirePendingTransfers(unit), clk, 'system:expiry'), 1); // h3
    const wallet = await account(c.wallet);
    assert.deepEqual([wallet.debitsPending, wallet.debitsPosted], [50n, 0n]);
    const audit = await readAuditLog(database.db, { entityType: 'ledger_transfer', entityId: `${c.p}-h3` });
    assert.deepEqual(
      audit.map((a) => a.action),
      ['ledger.pending.expired'],
    );
  });

  test('concurrent expiry runs resolve each pending once', async () => {
    const c = await chart();
    const clk = new ManualClock('2026-05-01T10:00:00.000Z');
    await inTx(
      (unit) => postJournal(unit, { transfers: [t(`${c.p}-fund`, c.cash, c.wallet, 10_000n)], actor: 'test' }),
      clk,
    );
    const holds = Array.from({ length: 30 }, (_, i) =>
      t(`${c.p}-h${i}`, i % 2 ? c.wallet : c.cash, i % 2 ? c.revenue : c.vat, 10n, {
        pending: true,
        expiresAt: new Date('2026-05-01T10:05:00Z'),
      }),
    );
    await inTx((unit) => postJournal(unit, { transfers: holds, actor: 'test' }), clk);
    clk.set('2026-05-01T11:00:00.000Z');
    const counts = await Promise.all(
      [1, 2, 3].map(() => inTx((unit) => expirePendingTransfers(unit), clk, 'system:expiry')),
    );
    assert.equal(
      counts.reduce((a, b) => a + b, 0),
      30,
    );
    for (const a of [c.cash, c.wallet, c.revenue, c.vat]) {
      const row = await account(a);
      assert.equal(row.debitsPending + row.creditsPending, 0n, a.code);
    }
  });
});

describe('reversals', () => {
  test('reverses posted transfers, voids open holds, once', async () => {
    const c = await chart();
    await post([t(`${c.p}-fund`, c.cash, c.wallet, 1_000n)]);
    await post(
      [
        t(`${c.p}-pay.fee`, c.wallet, c.revenue, 100n, { code: 'fee' }),
        t(`${c.p}-pay.hold`, c.wallet, c.vat, 300n, { pending: true }),
        t(`${c.p}-pay.hold2`, c.wallet, c.vat, 50n, { pending: true }),
      ],
      `${c.p}-pay`,
    );
    await inTx((unit) =>
      resolvePending(unit, {
        id: `${c.p}-pay.hold.post`,
        pendingId: `${c.p}-pay.hold`,
        action: 'post',
        amount: 200n,
        actor: 'test',
      }),
    );
    // The resolution belongs to the pending transfer's journal.
    assert.deepEqual(
      (await listTransfers(database.db, { journalId: `${c.p}-pay` })).map((x) => x.kind),
      ['posted', 'pending', 'pending', 'post_pending'],
    );
    let wallet = await accountBalance(database.db, c.wallet.id);
    assert.deepEqual([wallet.balance, wallet.debitsPending], [700n, 50n]);

    const reverse = (newJournalId: string) =>
      inTx((unit) => reverseJournal(unit, { journalId: `${c.p}-pay`, newJournalId, actor: 'test', reason: 'refund' }));
    const reversed = await reverse(`${c.p}-pay.undo`);
    assert.equal(reversed.created, true);
    assert.deepEqual(
      reversed.transfers.map((x) => [
        x.id,
        x.kind,
        x.debitAccountId,
        x.creditAccountId,
        x.amount,
        x.reversesId ?? x.pendingId,
      ]),
      [
        [`${c.p}-pay.fee.reversal`, 'reversal', c.revenue.id, c.wallet.id, 100n, `${c.p}-pay.fee`],
        [`${c.p}-pay.hold.post.reversal`, 'reversal', c.vat.id, c.wallet.id, 200n, `${c.p}-pay.hold.post`],
        [`${c.p}-pay.hold2.reversal`, 'void_pending', c.wallet.id, c.vat.id, 50n, `${c.p}-pay.hold2`],
      ],
    );
    wallet = await accountBalance(database.db, c.wallet.id);
    assert.deepEqual([wallet.balance, wallet.available, wallet.debitsPending], [1_000n, 1_000n, 0n]);
    assert.equal((await accountBalance(database.db, c.revenue.id)).balance, 0n);
    assert.equal((await accountBalance(database.db, c.vat.id)).balance, 0n);
    const audit = await readAuditLog(database.db, { entityType: 'ledger_journal', entityId: `${c.p}-pay` });
    assert.deepEqual(
      audit.map((a) => [a.action, a.reason]),
      [
        ['ledger.journal.posted', null],
        ['ledger.journal.reversed', 'refund'],
      ],
    );

    const repeat = await reverse(`${c.p}-pay.undo`);
    assert.equal(repeat.created, false);
    assert.deepEqual(
      repeat.transfers.map((x) => x.id),
      reversed.transfers.map((x) => x.id),
    );
    const twice = await refused(reverse(`${c.p}-pay.undo2`), 'journal_already_reversed', 409);
    assert.equal(twice.details?.reversedBy, `${c.p}-pay.undo`);
    await refused(reverse(`${c.p}-fund`), 'journal_id_reused', 409, 'newJournalId');
    await refused(
      inTx((unit) => reverseJournal(unit, { journalId: `${c.p}-pay.undo`, newJournalId: `${c.p}-x`, actor: 'test' })),
      'nothing_to_reverse',
      409,
    );
    await refused(
      inTx((unit) => reverseJournal(unit, { journalId: `${c.p}-none`, newJournalId: `${c.p}-x`, actor: 'test' })),
      'not_found',
      404,
    );
  });

  test('a reversal that would overdraw a flagged account is refused', async () => {
    const c = await chart();
    await post([t(`${c.p}-fund`, c.cash, c.wallet, 100n)]);
    await post([t(`${c.p}-spend`, c.wallet, c.revenue, 80n)]);
    await refused(
      inTx((unit) =>
        reverseJournal(unit, { journalId: `${c.p}-fund`, newJournalId: `${c.p}-fund.undo`, actor: 'test' }),
      ),
      'balance_limit_exceeded',
      422,
    );
    assert.equal((await listTransfers(database.db, { journalId: `${c.p}-fund.undo` })).length, 0);
  });
});

describe('balances as of a past time', () => {
  test('recomputed from the transfers written by then', async () => {
    const c = await chart();
    const clk = new ManualClock('2026-06-01T08:00:00.000Z');
    const at = (iso: string) => new Date(iso);
    const postAt = (when: string, transfers: TransferInput[]) => {
      clk.set(when);
      return inTx((unit) => postJournal(unit, { transfers, actor: 'test' }), clk);
    };
    await postAt('2026-06-01T08:00:00Z', [t(`${c.p}-1`, c.cash, c.wallet, 1_000n)]);
    await postAt('2026-06-01T09:00:00Z', [
      t(`${c.p}-2`, c.wallet, c.revenue, 400n, { pending: true }),
      t(`${c.p}-3`, c.wallet, c.vat, 100n, { pending: true, expiresAt: at('2026-06-01T11:00:00Z') }),
    ]);
    clk.set('2026-06-01T10:00:00Z');
    await inTx(
      (unit) =>
        resolvePending(unit, { id: `${c.p}-2.p`, pendingId: `${c.p}-2`, action: 'post', amount: 300n, actor: 'test' }),
      clk,
    );
    await postAt('2026-06-01T12:00:00Z', [t(`${c.p}-4`, c.wallet, c.revenue, 50n)]);

    const wallet = async (iso: string) => {
      const b = await accountBalance(database.db, c.wallet.id, at(iso));
      return [b.balance, b.available, b.debitsPending];
    };
    assert.deepEqual(await wallet('2026-06-01T07:59:59.999Z'), [0n, 0n, 0n]);
    assert.deepEqual(await wallet('2026-06-01T08:00:00Z'), [1_000n, 1_000n, 0n]);
    assert.deepEqual(await wallet('2026-06-01T09:30:00Z'), [1_000n, 500n, 500n]);
    assert.deepEqual(await wallet('2026-06-01T10:00:00Z'), [700n, 600n, 100n]);
    // The hold lapsed at its expiry, though no expiry transfer was written.
    assert.deepEqual(await wallet('2026-06-01T11:00:00Z'), [700n, 700n, 0n]);
    assert.deepEqual(await wallet('2026-06-01T12:00:00Z'), [650n, 650n, 0n]);
    const revenue = await accountBalance(database.db, c.revenue.id, at('2026-06-01T10:00:00Z'));
    assert.deepEqual(
      [revenue.balance, revenue.creditsPending, revenue.asOf?.toISOString()],
      [300n, 0n, '2026-06-01T10:00:00.000Z'],
    );

    // Once expired, now-recomputed and stored balances agree.
    await inTx((unit) => expirePendingTransfers(unit), clk);
    const now = await accountBalance(database.db, c.wallet.id, clk.now());
    const stored = await accountBalance(database.db, c.wallet.id);
    assert.deepEqual({ ...now, asOf: null }, stored);
  });
});

describe('concurrency', () => {
  test('a transaction that posted can post again while others wait for it: no deadlock', async () => {
    const c = await chart();
    let posted!: () => void;
    const aPosted = new Promise<void>((resolve) => (posted = resolve));
    const a = inTx(async (unit) => {
      await postJournal(unit, { transfers: [t(`${c.p}-a1`, c.cash, c.revenue, 1n)], actor: 'a' });
      posted();
      await new Promise((resolve) => setTimeout(resolve, 300)); // b locks the wallet and commits meanwhile
      // a now moves vat too, which b's commit may be updating: a's commit waits for b's at most, and b
      // waits for nothing a holds (accounts without a limit are locked only by the commit, in id order).
      await postJournal(unit, { transfers: [t(`${c.p}-a2`, c.cash, c.vat, 1n)], actor: 'a' });
    });
    const b = aPosted.then(() =>
      inTx((unit) => postJournal(unit, { transfers: [t(`${c.p}-b1`, c.vat, c.wallet, 1n)], actor: 'b' })),
    );
    await Promise.all([a, b]);
    assert.equal((await account(c.vat)).debitsPosted, 1n);
    assert.equal((await account(c.vat)).creditsPosted, 1n);
  });

  test('a workflow batch whose first step flushed its audit rows posts next, while another posts: no deadlock', async () => {
    const c = await chart();
    let flushed!: () => void;
    const aFlushed = new Promise<void>((resolve) => (flushed = resolve));
    const context = { database, clock, engine };
    // a: two steps in one transaction, as the engine's batch runs them (inStepTransaction).
    const a = database.transaction(async (tx) => {
      const first = new DomainWork(tx, context, 'workflow:a', null);
      first.audit({ action: 'test.step', entityType: 'test', entityId: `${c.p}-a` });
      await first.flush(); // hands its audit rows to the transaction: inserted at commit, no chain lock
      flushed();
      await new Promise((resolve) => setTimeout(resolve, 300)); // b is waiting meanwhile (on PostgreSQL)
      const second = new DomainWork(tx, context, 'workflow:a', null);
      await postJournal(second, { transfers: [t(`${c.p}-a1`, c.cash, c.wallet, 1n)], actor: 'a' });
      await second.flush();
    });
    // b: locks the wallet (an account with a limit) before or after a's second step does, and the
    // other waits for its commit; neither waits for anything the other holds.
    const b = aFlushed.then(() =>
      inTx((unit) => postJournal(unit, { transfers: [t(`${c.p}-b1`, c.cash, c.wallet, 1n)], actor: 'b' })),
    );
    await Promise.all([a, b]);
    assert.equal((await account(c.cash)).debitsPosted, 2n);
  });

  test('a failed row rolled back to its savepoint releases its account locks, and the next post retakes them', async () => {
    const c = await chart();
    const order: string[] = [];
    let posted!: () => void;
    const aPosted = new Promise<void>((resolve) => (posted = resolve));
    const a = database.transaction(async (tx) => {
      const unit = new DomainWork(tx, { database, clock, engine }, 'sync', null);
      const mark = unit.mark();
      await sql`SAVEPOINT row`.execute(tx);
      // The wallet has a limit: locked when first touched.
      await postJournal(unit, { transfers: [t(`${c.p}-a0`, c.cash, c.wallet, 1n)], actor: 'a' });
      await sql`ROLLBACK TO SAVEPOINT row`.execute(tx); // releases the wallet
      unit.rollbackTo(mark);
      await postJournal(unit, { transfers: [t(`${c.p}-a1`, c.cash, c.wallet, 1n)], actor: 'a' }); // locks it again
      posted();
      await new Promise((resolve) => setTimeout(resolve, 300)); // b is waiting meanwhile (on PostgreSQL)
      await unit.flush();
      order.push('a');
    });
    // b: waits for the wallet, which a holds again to commit; a waits for nothing b holds.
    const b = aPosted
      .then(() => inTx((unit) => postJournal(unit, { transfers: [t(`${c.p}-b1`, c.cash, c.wallet, 1n)], actor: 'b' })))
      .then(() => order.push('b'));
    await Promise.all([a, b]);
    assert.equal((await account(c.cash)).debitsPosted, 2n);
    assert.deepEqual(order, ['a', 'b'], 'b waited for the wallet a locked again');
  });

  /**
   * a posts `first` and stays open until b has committed (at most 2 s); b posts `second` once a has.
   * Returns the order of the two commits.
   */
  async function commitOrder(first: TransferInput, second: TransferInput): Promise<string[]> {
    const order: string[] = [];
    let aPosted!: () => void;
    const posted = new Promise<void>((resolve) => (aPosted = resolve));
    let bDone!: () => void;
    const done = new Promise<void>((resolve) => (bDone = resolve));
    const a = inTx(async (unit) => {
      await postJournal(unit, { transfers: [first], actor: 'a' });
      aPosted();
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 2000))]);
      order.push('a');
    });
    const b = posted
      .then(() => inTx((unit) => postJournal(unit, { transfers: [second], actor: 'b' })))
      .then(() => {
        order.push('b');
        bDone();
      });
    await Promise.all([a, b]);
    return order;
  }

  const pgOnly = { skip: !onPostgres() && 'PGlite runs one transaction at a time' };

  test(
    'an account without a limit is locked only by the commit: another transaction posts to it meanwhile',
    pgOnly,
    async () => {
      const c = await chart();
      const order = await commitOrder(t(`${c.p}-a`, c.cash, c.revenue, 5n), t(`${c.p}-b`, c.cash, c.revenue, 7n));
      assert.deepEqual(order, ['b', 'a'], 'b committed while a was open');
      assert.equal((await account(c.cash)).debitsPosted, 12n);
      assert.equal((await account(c.revenue)).creditsPosted, 12n);
    },
  );

  test('an account with a limit stays locked from its check to the commit', pgOnly, async () => {
    const c = await chart();
    // b spends what a put in the wallet: it waits for a's commit (2 s) and is checked against it.
    const order = await commitOrder(t(`${c.p}-a`, c.cash, c.wallet, 5n), t(`${c.p}-b`, c.wallet, c.revenue, 5n));
    assert.deepEqual(order, ['a', 'b'], 'b waited for a');
    assert.deepEqual([(await account(c.wallet)).debitsPosted, (await account(c.wallet)).creditsPosted], [5n, 5n]);
  });

  test('the same hold resolved twice at once is resolved once', async () => {
    const c = await chart();
    await post([t(`${c.p}-h`, c.cash, c.revenue, 40n, { pending: true })]);
    const resolve = (id: string) =>
      inTx((unit) => resolvePending(unit, { id, pendingId: `${c.p}-h`, action: 'post', actor: 'test' }));
    const same = await Promise.all([resolve(`${c.p}-p`), resolve(`${c.p}-p`), resolve(`${c.p}-p`)]);
    assert.deepEqual(same.map((r) => r.created).sort(), [false, false, true]);
    const other = await Promise.allSettled([resolve(`${c.p}-p2`), resolve(`${c.p}-p3`)]);
    for (const r of other) {
      assert.equal(r.status, 'rejected');
      assert.equal((r.reason as AppError).code, 'pending_already_resolved');
    }
    const cash = await account(c.cash);
    assert.deepEqual([cash.debitsPending, cash.debitsPosted], [0n, 40n]);
  });

  test('the same journal sent twice at once is written once', async () => {
    const c = await chart();
    const transfers = [t(`${c.p}-c1`, c.cash, c.revenue, 10n), t(`${c.p}-c2`, c.vat, c.cash, 5n)];
    const results = await Promise.all([post(transfers), post(transfers), post(transfers)]);
    assert.deepEqual(results.map((r) => r.created).sort(), [false, false, true]);
    assert.equal((await account(c.cash)).debitsPosted, 10n);
  });
});

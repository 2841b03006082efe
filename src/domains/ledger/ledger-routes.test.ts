import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { ManualClock } from '../../core/clock.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/** The ledger over HTTP: a real server on a test database, with a manual clock. */

interface Problem {
  status: number;
  code: string;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
  accountId?: string;
  permission?: string;
}

interface Account {
  id: string;
  code: string;
  currency: string;
  creditsPosted: string;
  debitsPending: string;
  balance?: { asOf: string | null; balance: string; available: string; debitsPending: string };
}

interface Transfer {
  id: string;
  journalId: string;
  seq: string;
  kind: string;
  amount: string;
  pendingId: string | null;
  reversesId: string | null;
  debitAccountId: string;
  creditAccountId: string;
  postedBy: string;
  expiresAt: string | null;
}

interface Journal {
  journalId: string;
  created: boolean;
  transfers: Transfer[];
}

const clock = new ManualClock('2026-03-02T09:00:00.000Z');
let server: TestServer;
const accounts: Record<'cash' | 'revenue' | 'wallet' | 'usd', Account> = {} as never;

async function body<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return JSON.parse(text) as T;
}

const postJson = (
  path: string,
  json: unknown,
  init: { token?: string | null; headers?: Record<string, string> } = {},
) => server.call(`/api/v1${path}`, { method: 'POST', json, ...init });
const get = (path: string, token?: string) => server.call(`/api/v1${path}`, token ? { token } : {});

const leg = (id: string, debit: Account, credit: Account, amount: string, extra: Record<string, unknown> = {}) => ({
  id,
  debitAccountId: debit.id,
  creditAccountId: credit.id,
  amount,
  currency: debit.currency,
  ...extra,
});

before(async () => {
  server = await startTestServer({ worker: false, clock });
  const specs = {
    cash: { code: 'assets:cash', currency: 'EUR', normalSide: 'debit' },
    revenue: { code: 'income:sales', currency: 'EUR', normalSide: 'credit' },
    wallet: { code: 'liabilities:wallet', currency: 'EUR', normalSide: 'credit', debitsMustNotExceedCredits: true },
    usd: { code: 'assets:cash', currency: 'USD', normalSide: 'debit' },
  };
  for (const [name, spec] of Object.entries(specs)) {
    accounts[name as keyof typeof accounts] = await body<Account>(await postJson('/ledger/accounts', spec), 201);
  }
});
after(() => server.close());

describe('ledger API', () => {
  test('accounts: create, list, get with balance, conflicts and field errors', async () => {
    assert.match(accounts.cash.id, /^acc_/);
    const dup = await body<Problem>(
      await postJson('/ledger/accounts', { code: 'assets:cash', currency: 'EUR', normalSide: 'debit' }),
      409,
    );
    assert.equal(dup.code, 'account_exists');
    const bad = await body<Problem>(
      await postJson('/ledger/accounts', { code: 'x', currency: 'eur', normalSide: 'sideways' }),
      400,
    );
    assert.deepEqual(bad.errors?.map((e) => e.field).sort(), ['body.currency', 'body.normalSide']);
    const unknownCurrency = await body<Problem>(
      await postJson('/ledger/accounts', { code: 'x', currency: 'EUX', normalSide: 'debit' }),
      400,
    );
    assert.deepEqual(
      unknownCurrency.errors?.map((e) => e.field),
      ['body.currency'],
    );

    const byCode = await body<{ data: Account[]; next: string | null }>(
      await get('/ledger/accounts?code=assets:cash'),
      200,
    );
    assert.deepEqual(byCode.data.map((a) => a.currency).sort(), ['EUR', 'USD']);
    const page = await body<{ data: Account[]; next: string | null }>(await get('/ledger/accounts?limit=3'), 200);
    assert.equal(page.data.length, 3);
    const rest = await body<{ data: Account[]; next: string | null }>(
      await get(`/ledger/accounts?limit=3&after=${page.next}`),
      200,
    );
    assert.deepEqual(rest, { data: [accounts.usd].map((a) => ({ ...a })), next: null });

    const one = await body<Account>(await get(`/ledger/accounts/${accounts.wallet.id}`), 200);
    assert.deepEqual(one.balance, {
      asOf: null,
      debitsPosted: '0',
      creditsPosted: '0',
      debitsPending: '0',
      creditsPending: '0',
      balance: '0',
      available: '0',
    });
    assert.equal((await body<Problem>(await get('/ledger/accounts/acc_missing'), 404)).code, 'not_found');
    assert.equal((await body<Problem>(await get('/ledger/accounts/acc_missing/transfers'), 404)).code, 'not_found');
  });

  test('transfers: a journal posts once; refusals name the field', async () => {
    const request = {
      journalId: 'sale-1',
      reason: 'till receipt 1',
      transfers: [
        leg('sale-1.net', accounts.cash, accounts.revenue, '10000', { reference: 'R-1' }),
        leg('sale-1.topup', accounts.cash, accounts.wallet, '500'),
      ],
    };
    const first = await body<Journal>(await postJson('/ledger/transfers', request), 201);
    assert.equal(first.created, true);
    assert.deepEqual(
      first.transfers.map((t) => [t.id, t.kind, t.amount, t.journalId]),
      [
        ['sale-1.net', 'posted', '10000', 'sale-1'],
        ['sale-1.topup', 'posted', '500', 'sale-1'],
      ],
    );
    assert.match(first.transfers[0]!.postedBy, /^key_/);
    const repeat = await body<Journal>(await postJson('/ledger/transfers', request), 200);
    assert.equal(repeat.created, false);
    assert.deepEqual(repeat.transfers, first.transfers);

    const reused = await body<Problem>(
      await postJson('/ledger/transfers', {
        ...request,
        transfers: [{ ...request.transfers[0], amount: '9999' }, request.transfers[1]],
      }),
      409,
    );
    assert.equal(reused.code, 'transfer_id_reused');
    assert.deepEqual(
      reused.errors?.map((e) => e.field),
      ['body.transfers.0.id'],
    );

    const cases: Array<[unknown[], number, string, string]> = [
      [[leg('e1', accounts.cash, accounts.revenue, '12.50')], 400, 'validation_failed', 'body.transfers.0.amount'],
      [[leg('e1', accounts.cash, accounts.revenue, '0')], 400, 'validation_failed', 'body.transfers.0.amount'],
      [[leg('e1', accounts.cash, accounts.revenue, '-5')], 400, 'validation_failed', 'body.transfers.0.amount'],
      [[leg('e1', accounts.cash, accounts.cash, '5')], 400, 'validation_failed', 'body.transfers.0.creditAccountId'],
      [[leg('e 1', accounts.cash, accounts.revenue, '5')], 400, 'validation_failed', 'body.transfers.0.id'],
      [
        [
          leg('e1', accounts.cash, accounts.revenue, '5'),
          { ...leg('e2', accounts.cash, accounts.revenue, '5'), creditAccountId: 'acc_nope' },
        ],
        422,
        'unknown_account',
        'body.transfers.1.creditAccountId',
      ],
      [[leg('e1', accounts.usd, accounts.revenue, '5')], 422, 'currency_mismatch', 'body.transfers.0.currency'],
      [
        [leg('e1', accounts.wallet, accounts.revenue, '501')],
        422,
        'balance_limit_exceeded',
        'body.transfers.0.debitAccountId',
      ],
    ];
    for (const [transfers, status, code, field] of cases) {
      const problem = await body<Problem>(await postJson('/ledger/transfers', { transfers }), status);
      assert.equal(problem.code, code, JSON.stringify(problem));
      assert.deepEqual(
        problem.errors?.map((e) => e.field),
        [field],
        JSON.stringify(problem),
      );
      if (code === 'balance_limit_exceeded') assert.equal(problem.accountId, accounts.wallet.id);
    }
    const empty = await body<Problem>(await postJson('/ledger/transfers', { transfers: [] }), 400);
    assert.deepEqual(
      empty.errors?.map((e) => e.field),
      ['body.transfers'],
    );
    assert.equal((await body<Transfer>(await get('/ledger/transfers/sale-1.net'), 200)).amount, '10000');
    assert.equal((await body<Problem>(await get('/ledger/transfers/e1'), 404)).code, 'not_found');

    const byRef = await body<{ data: Transfer[] }>(await get('/ledger/transfers?reference=R-1'), 200);
    assert.deepEqual(
      byRef.data.map((t) => t.id),
      ['sale-1.net'],
    );
    const byJournal = await body<{ data: Transfer[]; nextAfterSeq: string | null }>(
      await get('/ledger/transfers?journalId=sale-1&limit=1'),
      200,
    );
    assert.deepEqual(
      byJournal.data.map((t) => t.id),
      ['sale-1.net'],
    );
    const next = await body<{ data: Transfer[] }>(
      await get(`/ledger/transfers?journalId=sale-1&afterSeq=${byJournal.nextAfterSeq}`),
      200,
    );
    assert.deepEqual(
      next.data.map((t) => t.id),
      ['sale-1.topup'],
    );
    const ofWallet = await body<{ data: Transfer[] }>(
      await get(`/ledger/accounts/${accounts.wallet.id}/transfers`),
      200,
    );
    assert.deepEqual(
      ofWallet.data.map((t) => t.id),
      ['sale-1.topup'],
    );

    const trial = await body<{ data: Array<{ currency: string; debits: string; credits: string; balanced: boolean }> }>(
      await get('/ledger/trial-balance'),
      200,
    );
    assert.deepEqual(trial.data, [
      { currency: 'EUR', debits: '10500', credits: '10500', debitsPending: '0', creditsPending: '0', balanced: true },
      { currency: 'USD', debits: '0', credits: '0', debitsPending: '0', creditsPending: '0', balanced: true },
    ]);
  });

  test('two-phase: hold, partial post, void, expiry; balances as of a past time', async () => {
    const start = clock.now();
    const hold = await body<Journal>(
      await postJson('/ledger/transfers', {
        transfers: [
          leg('hold-1', accounts.wallet, accounts.revenue, '300', { pending: true }),
          leg('hold-2', accounts.wallet, accounts.revenue, '100', {
            pending: true,
            expiresAt: new Date(start.getTime() + 3_600_000).toISOString(),
          }),
        ],
      }),
      201,
    );
    assert.equal(hold.journalId, 'hold-1');
    let wallet = await body<Account>(await get(`/ledger/accounts/${accounts.wallet.id}`), 200);
    assert.deepEqual([wallet.balance?.balance, wallet.balance?.available], ['500', '100']);

    clock.advance(60_000);
    const tooMuch = await body<Problem>(
      await postJson('/ledger/transfers/hold-1/post', { id: 'hold-1.post', amount: '301' }),
      422,
    );
    assert.equal(tooMuch.code, 'amount_exceeds_pending');
    assert.deepEqual(
      tooMuch.errors?.map((e) => e.field),
      ['body.amount'],
    );
    const posted = await body<{ transfer: Transfer; created: boolean }>(
      await postJson('/ledger/transfers/hold-1/post', { id: 'hold-1.post', amount: '250' }),
      201,
    );
    assert.deepEqual(
      [posted.transfer.kind, posted.transfer.amount, posted.transfer.pendingId],
      ['post_pending', '250', 'hold-1'],
    );
    const again = await body<{ transfer: Transfer; created: boolean }>(
      await postJson('/ledger/transfers/hold-1/post', { id: 'hold-1.post', amount: '250' }),
      200,
    );
    assert.equal(again.created, false);
    const resolved = await body<Problem>(await postJson('/ledger/transfers/hold-1/void', { id: 'hold-1.void' }), 409);
    assert.equal(resolved.code, 'pending_already_resolved');
    const notPending = await body<Problem>(await postJson('/ledger/transfers/sale-1.net/void', { id: 'x.void' }), 409);
    assert.deepEqual([notPending.code, notPending.errors?.[0]?.field], ['not_pending', 'path.id']);
    assert.equal(
      (await body<Problem>(await postJson('/ledger/transfers/nope/void', { id: 'x.void' }), 404)).code,
      'not_found',
    );
    assert.deepEqual(
      (await body<Problem>(await postJson('/ledger/transfers/hold-2/void', { id: 'x', amount: '1' }), 400)).errors?.map(
        (e) => e.field,
      ),
      ['body'],
    );

    // hold-2 expires after an hour: a post then is refused, and the hold is released on the spot.
    clock.advance(2 * 3_600_000);
    const expired = await body<Problem>(await postJson('/ledger/transfers/hold-2/post', { id: 'hold-2.post' }), 409);
    assert.equal(expired.code, 'pending_expired');
    const expiry = await body<Transfer>(await get('/ledger/transfers/hold-2.expired'), 200);
    assert.deepEqual([expiry.kind, expiry.pendingId, expiry.amount], ['expire_pending', 'hold-2', '100']);

    wallet = await body<Account>(await get(`/ledger/accounts/${accounts.wallet.id}`), 200);
    assert.deepEqual([wallet.balance?.balance, wallet.balance?.available, wallet.debitsPending], ['250', '250', '0']);
    const past = await body<Account>(
      await get(`/ledger/accounts/${accounts.wallet.id}?asOf=${encodeURIComponent(start.toISOString())}`),
      200,
    );
    assert.deepEqual(
      [past.balance?.asOf, past.balance?.balance, past.balance?.available, past.balance?.debitsPending],
      [start.toISOString(), '500', '100', '400'],
    );
    const badAsOf = await body<Problem>(await get(`/ledger/accounts/${accounts.wallet.id}?asOf=yesterday`), 400);
    assert.deepEqual(
      badAsOf.errors?.map((e) => e.field),
      ['query.asOf'],
    );
  });

  test('reversal of a journal entry', async () => {
    await body<Journal>(
      await postJson('/ledger/transfers', { transfers: [leg('refund-me', accounts.cash, accounts.revenue, '700')] }),
      201,
    );
    const reversed = await body<Journal>(
      await postJson('/ledger/journals/refund-me/reverse', {
        journalId: 'refund-me.undo',
        reason: 'customer returned it',
      }),
      201,
    );
    assert.deepEqual(
      reversed.transfers.map((t) => [t.id, t.kind, t.reversesId, t.debitAccountId, t.creditAccountId, t.amount]),
      [['refund-me.reversal', 'reversal', 'refund-me', accounts.revenue.id, accounts.cash.id, '700']],
    );
    const repeat = await body<Journal>(
      await postJson('/ledger/journals/refund-me/reverse', {
        journalId: 'refund-me.undo',
        reason: 'customer returned it',
      }),
      200,
    );
    assert.equal(repeat.created, false);
    const twice = await body<Problem>(
      await postJson('/ledger/journals/refund-me/reverse', { journalId: 'refund-me.undo2', reason: 'again' }),
      409,
    );
    assert.equal(twice.code, 'journal_already_reversed');
    const noReason = await body<Problem>(await postJson('/ledger/journals/refund-me/reverse', { journalId: 'x' }), 400);
    assert.deepEqual(
      noReason.errors?.map((e) => e.field),
      ['body.reason'],
    );
    const missing = await body<Problem>(
      await postJson('/ledger/journals/nope/reverse', { journalId: 'x', reason: 'r' }),
      404,
    );
    assert.equal(missing.code, 'not_found');
  });

  test('permissions: a viewer reads but cannot post; an operator cannot post either', async () => {
    const tokens: Record<string, string> = {};
    for (const role of ['viewer', 'operator']) {
      const created = await body<{ token: string }>(await postJson('/api-keys', { name: `ledger-${role}`, role }), 201);
      tokens[role] = created.token;
    }
    assert.equal((await get('/ledger/accounts', tokens.viewer)).status, 200);
    assert.equal((await get('/ledger/trial-balance', tokens.viewer)).status, 200);
    for (const role of ['viewer', 'operator']) {
      const refusedPost = await body<Problem>(
        await postJson(
          '/ledger/transfers',
          { transfers: [leg('v1', accounts.cash, accounts.revenue, '1')] },
          { token: tokens[role]! },
        ),
        403,
      );
      assert.deepEqual([refusedPost.code, refusedPost.permission], ['forbidden', 'ledger:post']);
      const refusedAccount = await body<Problem>(
        await postJson(
          '/ledger/accounts',
          { code: 'x:y', currency: 'EUR', normalSide: 'debit' },
          { token: tokens[role]! },
        ),
        403,
      );
      assert.equal(refusedAccount.code, 'forbidden');
    }
    assert.equal((await get('/ledger/transfers/v1')).status, 404);
  });

  test('Idempotency-Key: a replay returns the first response and posts nothing', async () => {
    const request = { transfers: [leg('idem-1', accounts.cash, accounts.revenue, '42')] };
    const headers = { 'idempotency-key': 'ledger-idem-1' };
    const first = await postJson('/ledger/transfers', request, { headers });
    const firstBody = await first.text();
    assert.equal(first.status, 201, firstBody);
    const replay = await postJson('/ledger/transfers', request, { headers });
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(await replay.text(), firstBody);
    const other = await body<Problem>(
      await postJson(
        '/ledger/transfers',
        { transfers: [leg('idem-2', accounts.cash, accounts.revenue, '42')] },
        { headers },
      ),
      422,
    );
    assert.equal(other.code, 'idempotency_key_reused');
    assert.equal((await get('/ledger/transfers/idem-2')).status, 404);
    const cash = await body<{ data: Transfer[] }>(await get('/ledger/transfers?journalId=idem-1'), 200);
    assert.equal(cash.data.length, 1);

    // A refused request under a key rolls back with the key: fixed and retried, it goes through.
    const tooMuch = { transfers: [leg('idem-3', accounts.wallet, accounts.revenue, '1000000')] };
    await body<Problem>(
      await postJson('/ledger/transfers', tooMuch, { headers: { 'idempotency-key': 'ledger-idem-3' } }),
      422,
    );
    await body<Journal>(
      await postJson(
        '/ledger/transfers',
        { transfers: [leg('idem-3', accounts.wallet, accounts.revenue, '1')] },
        { headers: { 'idempotency-key': 'ledger-idem-3' } },
      ),
      201,
    );
  });

  test('the OpenAPI document describes the ledger routes and is valid', async () => {
    const doc = await body<{ paths: Record<string, unknown> }>(await get('/openapi.json'), 200);
    for (const path of [
      '/ledger/accounts',
      '/ledger/accounts/{id}',
      '/ledger/accounts/{id}/transfers',
      '/ledger/transfers',
      '/ledger/transfers/{id}',
      '/ledger/transfers/{id}/post',
      '/ledger/transfers/{id}/void',
      '/ledger/journals/{journalId}/reverse',
      '/ledger/trial-balance',
    ]) {
      assert.ok(doc.paths[path], `${path} in ${Object.keys(doc.paths).join(', ')}`);
    }
    await SwaggerParser.validate(structuredClone(doc) as never);
  });
});

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { apiClient, type Body } from '../../testing/api-client.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * Disbursement payments through the HTTP API on a real server: credit's pending `loan.payout`
 * ledger transfers (written here as credit booking writes them: `<application>.disbursement`,
 * referencing the loan's receivable) become one payment each to the borrower's verified beneficiary
 * of kind `customer`, through the approval workflow, the run's caller its maker; a rerun makes
 * nothing; a borrower without a verified beneficiary is skipped and reported.
 */

describe('disbursement payments', () => {
  let server: TestServer;
  const clock = new ManualClock('2026-01-26T10:00:00Z');
  const tokens: Record<string, string> = {};
  const { call, expect, expectProblem } = apiClient(() => server);
  const as = (name: string) => ({ token: tokens[name]! });
  let account: Body;
  let anaBeneficiary: Body;
  const customers: Record<string, string> = {};
  const loans: Record<string, string> = {};

  const run = (json: Body = {}, who = 'tess') =>
    call('POST', '/disbursements/run', { ...as(who), key: randomUUID(), json });

  before(async () => {
    server = await startTestServer({ clock });
    for (const [name, role] of Object.entries({ tess: 'treasurer', anna: 'payment_approver', vera: 'viewer' })) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    account = expect(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        json: {
          name: 'Main EUR',
          currency: 'EUR',
          iban: 'DE89370400440532013000',
          ownerName: 'Finflow Lending GmbH',
          ledgerAccount: 'cash:bank:main-eur',
        },
      }),
      201,
    );
    for (const [externalId, name] of [
      ['C-ANA', 'Ana García'],
      ['C-BOB', 'Bob Builder'],
    ] as const) {
      const customer = expect(
        await call('POST', '/customers', { json: { externalId, name, email: `${externalId}@example.com` } }),
        201,
      );
      customers[externalId] = String(customer.id);
      const loan = expect(
        await call('POST', '/receivables', {
          json: {
            externalId: `app-${externalId}.loan`,
            customerExternalId: externalId,
            kind: 'loan',
            currency: 'EUR',
            issueDate: '2026-01-26',
            principal: externalId === 'C-ANA' ? '500000' : '300000',
            annualRate: '0.1',
            termMonths: 4,
            method: 'equal_principal',
            firstDueDate: '2026-02-26',
          },
        }),
        201,
      );
      loans[externalId] = String(loan.id ?? loan.receivable?.id);
    }
    // The payout legs, as credit booking posts them (receivables created the payable account already: 409).
    for (const spec of [
      { code: 'loans:disbursements_payable', currency: 'EUR', normalSide: 'credit' },
      { code: 'cash:disbursements', currency: 'EUR', normalSide: 'debit' },
    ]) {
      const created = await call('POST', '/ledger/accounts', { json: spec });
      assert.ok([201, 409].includes(created.status), String(created.status));
    }
    const ledgerId = async (code: string) =>
      (expect(await call('GET', `/ledger/accounts?code=${code}`), 200).data as Body[])[0]!.id;
    for (const [externalId, amount] of [
      ['C-ANA', '500000'],
      ['C-BOB', '300000'],
    ] as const) {
      const id = `app-${externalId}.disbursement`;
      expect(
        await call('POST', '/ledger/transfers', {
          json: {
            journalId: id,
            reason: 'loan payout, pending until the payment leaves the bank',
            transfers: [
              {
                id,
                debitAccountId: await ledgerId('loans:disbursements_payable'),
                creditAccountId: await ledgerId('cash:disbursements'),
                amount,
                currency: 'EUR',
                pending: true,
                code: 'loan.payout',
                reference: loans[externalId],
              },
            ],
          },
        }),
        201,
      );
    }
    // Ana's beneficiary is verified by a second person; Bob's is proposed but not yet approved.
    anaBeneficiary = expect(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: {
          name: 'Ana García',
          kind: 'customer',
          customerId: customers['C-ANA'],
          bankDetails: { iban: 'FR1420041010050500013M02606' },
        },
      }),
      201,
    );
    expect(
      await call('POST', `/beneficiaries/${anaBeneficiary.id}/changes/${anaBeneficiary.changes[0].id}/approve`, {
        ...as('anna'),
        json: {},
      }),
      200,
    );
  });
  after(async () => server?.close());

  test('bad input: 400/422 naming the field; 403 without payments:initiate; Idempotency-Key required', async () => {
    expectProblem(await run({ bankAccountId: 'bac_nope' }), 422, 'body.bankAccountId');
    expectProblem(await run({ bankAccountId: 7 }), 400, 'body.bankAccountId');
    expectProblem(await run({ other: 1 }), 400, 'body');
    expect(await run({}, 'vera'), 403);
    expect(await call('POST', '/disbursements/run', { ...as('tess'), json: {} }), 400);
    // Nothing was made by the refused runs.
    const list = expect(await call('GET', '/disbursements', as('vera')), 200);
    assert.deepEqual(
      (list.data as Body[]).map((d) => [d.transferId, d.amount, d.customerId, d.payment]),
      [
        ['app-C-ANA.disbursement', '500000', customers['C-ANA'], null],
        ['app-C-BOB.disbursement', '300000', customers['C-BOB'], null],
      ],
    );
  });

  test("a booked loan's payout becomes one payment to the borrower; the other is skipped; a rerun makes nothing", async () => {
    const first = expect(await run(), 200);
    assert.equal(first.asOf, '2026-01-26');
    assert.equal(first.created.length, 1);
    const made = first.created[0];
    assert.deepEqual(
      { ...made, paymentId: undefined },
      {
        transferId: 'app-C-ANA.disbursement',
        paymentId: undefined,
        customerId: customers['C-ANA'],
        beneficiaryId: anaBeneficiary.id,
        loanExternalId: 'app-C-ANA.loan',
        amount: '500000',
        currency: 'EUR',
        requestedExecutionDate: '2026-01-26',
      },
    );
    assert.deepEqual(first.skipped, [
      { transferId: 'app-C-BOB.disbursement', customerId: customers['C-BOB'], reason: 'no_beneficiary' },
    ]);
    const payment = expect(await call('GET', `/payments/${made.paymentId}`), 200);
    assert.deepEqual(
      [
        payment.source,
        payment.sourceRef,
        payment.amount,
        payment.currency,
        payment.bankAccountId,
        payment.beneficiaryId,
        payment.remittance,
        payment.purpose,
        payment.createdBy,
      ],
      [
        'disbursement',
        'app-C-ANA.disbursement',
        '500000',
        'EUR',
        account.id,
        anaBeneficiary.id,
        { unstructured: 'Loan app-C-ANA.loan' },
        'LOAN',
        'tess',
      ],
    );

    const again = expect(await run({ bankAccountId: account.id }), 200);
    assert.deepEqual(again.created, []);
    assert.deepEqual(
      again.skipped.map((s: Body) => [s.transferId, s.reason]),
      [['app-C-BOB.disbursement', 'no_beneficiary']],
    );
    const list = expect(await call('GET', '/disbursements', as('vera')), 200);
    assert.deepEqual(
      (list.data as Body[]).map((d) => [d.transferId, d.loanExternalId, d.payment?.id ?? null]),
      [
        ['app-C-ANA.disbursement', 'app-C-ANA.loan', made.paymentId],
        ['app-C-BOB.disbursement', 'app-C-BOB.loan', null],
      ],
    );
    const audit = expect(
      await call('GET', `/audit?entityType=ledger_transfer&entityId=app-C-ANA.disbursement&limit=10`),
      200,
    );
    assert.deepEqual(
      (audit.data as Body[]).map((r) => r.action),
      ['disbursement.instructed'],
    );
  });

  test('an unverified borrower beneficiary is skipped as such', async () => {
    expect(
      await call('POST', '/beneficiaries', {
        ...as('tess'),
        json: {
          name: 'Bob Builder',
          kind: 'customer',
          customerId: customers['C-BOB'],
          bankDetails: { iban: 'DE02120300000000202051' },
        },
      }),
      201,
    );
    const result = expect(await run(), 200);
    assert.deepEqual(result.created, []);
    assert.deepEqual(result.skipped, [
      { transferId: 'app-C-BOB.disbursement', customerId: customers['C-BOB'], reason: 'beneficiary_not_verified' },
    ]);
  });

  test('the maker is the run’s caller: they cannot approve it; another approver can', async () => {
    const list = expect(await call('GET', '/disbursements'), 200);
    const paymentId = String((list.data as Body[])[0]!.payment.id);
    const deadline = Date.now() + 20_000;
    let task: Body | undefined;
    for (;;) {
      const payment = expect(await call('GET', `/payments/${paymentId}`), 200);
      task = (payment.tasks as Body[]).find((t) => t.step === 'first_approval' && t.status === 'open');
      if (task) break;
      assert.ok(Date.now() < deadline, `no approval task: ${JSON.stringify(payment)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const complete = (who: string) =>
      call('POST', `/tasks/${String(task.id)}/complete`, {
        ...as(who),
        key: randomUUID(),
        json: { outcome: 'approve', data: {} },
      });
    const self = expect(await complete('tess'), 409);
    assert.equal(self.code, 'separation_of_duties');
    expect(await complete('anna'), 200);
  });

  test('the shipped daily workflow runs the same (started by hand here)', async () => {
    const started = expect(await call('POST', '/workflows/disbursements-run/instances', { json: { input: {} } }), 201);
    const deadline = Date.now() + 20_000;
    let instance: Body;
    for (;;) {
      instance = expect(await call('GET', `/instances/${started.id}`), 200);
      if (instance.status !== 'running') break;
      assert.ok(Date.now() < deadline, `disbursements-run still running: ${JSON.stringify(instance)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(instance.status, 'completed', JSON.stringify(instance));
    assert.deepEqual(instance.output.created, []);
    assert.deepEqual(
      instance.output.skipped.map((s: Body) => [s.transferId, s.reason]),
      [['app-C-BOB.disbursement', 'beneficiary_not_verified']],
    );
  });

  test('a second active EUR account: the run must name one (422 naming bankAccountId)', async () => {
    expect(
      await call('POST', '/bank-accounts', {
        ...as('tess'),
        json: {
          name: 'Second EUR',
          currency: 'EUR',
          iban: 'GB33BUKB20201555555555',
          ownerName: 'Finflow Lending GmbH',
          ledgerAccount: 'cash:bank:second-eur',
        },
      }),
      201,
    );
    const refused = expectProblem(await run(), 422, 'body.bankAccountId');
    assert.match(String(refused.detail), /several active bank accounts in EUR/);
    const named = expect(await run({ bankAccountId: account.id }), 200);
    assert.deepEqual(
      named.skipped.map((s: Body) => s.reason),
      ['beneficiary_not_verified'],
    );
  });
});

// The payments area's work pages in a real Chromium: the approvals inbox worked with the keyboard
// (four eyes refused for the maker, approved and rejected by an approver), a beneficiary added by a
// treasurer whose bank details a second person approves, a camt.053 uploaded with what it changed,
// and the bank accounts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { camt053 } from '../../src/testing/camt053-file.js';
import { testTmpDir } from '../../src/testing/test-database.js';
import {
  assertAccessible,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
  startConsoleServer,
  type ConsoleServer,
} from './harness.js';

/** An API answer, read only where the test needs it. */
interface Body {
  [field: string]: unknown;
  id: string;
  status: string;
  data: Body[];
  changes: Body[];
  tasks: Body[];
  approvals: Body[];
  members: string[];
  token: string;
}

let server: ConsoleServer;
let browser: Browser;
let account: Body;
let approved: Body; // approved from the inbox with `a`
let rejected: Body; // rejected from the inbox with `r`
const users: Record<string, string> = {};

const IBAN = 'ES9121000418450200051332';
const today = () => new Date().toISOString().slice(0, 10);

async function call(method: string, path: string, json?: unknown, token?: string): Promise<Body> {
  const res = await server.call(`/api/v1${path}`, {
    method,
    ...(json !== undefined ? { json } : {}),
    ...(token ? { token } : {}),
    headers: method === 'POST' ? { 'idempotency-key': `e2e-${randomUUID()}` } : {},
  });
  const body = (await res.json()) as Body;
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** The payment once its approval task is open (the workflow runs in the background). */
async function awaitingApproval(id: string, step = 'first_approval'): Promise<Body> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const payment = await call('GET', `/payments/${id}`);
    if (payment.tasks.some((t) => t.status === 'open' && t.step === step)) return payment;
    assert.ok(Date.now() < deadline, `no open approval task: ${JSON.stringify(payment)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

before(async () => {
  server = await startConsoleServer({ config: { dataDir: testTmpDir() } });
  browser = await launchBrowser();
  for (const role of ['treasurer', 'payment_approver'] as const) {
    users[role] = (await call('GET', `/users?search=${encodeURIComponent(server.email(role))}`)).data[0]!.id;
  }
  // The treasurer makes payments and, here, is also in the approvers' queue: the inbox lists her own
  // payment, and the server refuses her approval (four eyes).
  const queue = (await call('GET', '/queues')).data.find((q) => q.name === 'payment-approvers');
  await call('PUT', '/queues/payment-approvers', { members: [...(queue?.members ?? []), users.treasurer] });
  const maker = await call('POST', '/api-keys', {
    name: 'e2e-maker',
    role: 'treasurer',
    owner: server.email('treasurer'),
  });
  const checker = await call('POST', '/api-keys', { name: 'e2e-checker', role: 'payment_approver' });
  account = await call('POST', '/bank-accounts', {
    name: 'Caixa EUR',
    currency: 'EUR',
    iban: IBAN,
    bic: 'CAIXESBBXXX',
    ownerName: 'Finflow Lending S.L.',
    ledgerAccount: 'cash:bank:es',
    pain001Version: 'pain.001.001.09',
  });
  const acme = await call('POST', '/beneficiaries', {
    name: 'Acme SARL',
    kind: 'supplier',
    bankDetails: { iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPPXXX' },
  });
  await call('POST', `/beneficiaries/${acme.id}/changes/${acme.changes[0]?.id}/approve`, undefined, checker.token);
  // Above 1 000.00 to details approved today: the approval matrix asks for two approvers.
  const pay = (amount: string, invoice: string, e2e: string) =>
    call(
      'POST',
      '/payments',
      {
        bankAccountId: account.id,
        beneficiaryId: acme.id,
        amount,
        remittance: { unstructured: invoice },
        endToEndId: e2e,
      },
      maker.token,
    );
  approved = await awaitingApproval((await pay('250000', 'Invoice E2E-77', 'E2E-PAY-77')).id);
  rejected = await awaitingApproval((await pay('310000', 'Invoice E2E-78', 'E2E-PAY-78')).id);
  assert.equal(approved.createdBy, users.treasurer);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('the maker sees her payments in the inbox and the refusal; she adds a beneficiary and uploads a camt.053', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'treasurer');
  await page.goto(`${server.url}/payments?tab=approvals`);
  const inbox = page.getByRole('group', { name: 'Payments awaiting my approval' });
  const own = inbox.getByRole('row', { name: /E2E-PAY-77/ });
  await own.getByText('yours: another person approves').waitFor();
  await own.getByText('€2,500.00').waitFor();
  // `a` on her own payment: the server's four-eyes answer, in words.
  await inbox.focus();
  await page.keyboard.press('a');
  await page.getByText('You cannot approve this payment').waitFor();
  await page.getByRole('alert').getByText('separation_of_duties').waitFor();
  await page
    .getByRole('alert')
    .getByText(/four eyes/)
    .waitFor();
  await screenshot(page, 'payments-approvals-refused');
  const after = await call('GET', `/payments/${approved.id}`);
  assert.deepEqual([after.status, after.approvals.length], ['pending_approval', 0]);

  // A new beneficiary: unverified, its bank details awaiting someone else's approval.
  await page.goto(`${server.url}/payments?tab=beneficiaries`);
  await page.getByRole('button', { name: 'Add beneficiary' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a beneficiary' });
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await dialog.getByText('Give an IBAN or an account number').waitFor();
  await dialog.getByLabel('Name').fill('Globex GmbH');
  await dialog.getByLabel('IBAN').fill('DE89 3704 0044 0532 0130 00');
  await dialog.getByLabel('BIC').fill('COBADEFFXXX');
  await dialog.getByText('Give an IBAN or an account number').waitFor({ state: 'detached' });
  await screenshot(page, 'payments-beneficiary-add');
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Globex GmbH' }).waitFor();
  const changes = page.getByRole('table', { name: 'Bank-detail changes' });
  await changes.getByText('DE89 3704 0044 0532 0130 00').waitFor();
  await changes.getByText('awaiting approval').waitFor();
  await page.getByText('unverified').first().waitFor();
  assert.equal(await changes.getByRole('button', { name: 'Approve' }).count(), 0); // no payments:approve

  // A camt.053 uploaded on the statements tab: what it added, and its entries.
  const file = camt053(
    { messageId: 'MSG-UP-1', statementId: 'E2E-UP-1', iban: IBAN, currency: 'EUR', opening: 500000n, date: today() },
    [
      {
        amount: 77700n,
        direction: 'CRDT',
        bookingDate: today(),
        unstructured: 'ZZ-UPLOADED-CREDIT',
        counterpartyName: 'Initech Ltd',
        accountServicerReference: 'E2E-U1',
      },
      {
        amount: 12000n,
        direction: 'DBIT',
        bookingDate: today(),
        unstructured: 'ZZ-UPLOADED-DEBIT',
        counterpartyName: 'Hooli Inc',
        accountServicerReference: 'E2E-U2',
      },
    ],
  );
  await page.goto(`${server.url}/treasury?tab=statements`);
  const upload = async () => {
    await page
      .locator('input[type=file]')
      .setInputFiles({ name: 'caixa-today.xml', mimeType: 'application/xml', buffer: Buffer.from(file) });
  };
  await upload();
  const result = page.getByRole('region', { name: 'What the import changed' });
  await result.getByText('caixa-today.xml: 2 entries added, 0 already imported').waitFor();
  await result.getByText('0 matched, 0 partly matched, 2 exceptions').waitFor();
  const entries = result.getByRole('group', { name: 'Entries of E2E-UP-1' });
  const credit = entries.getByRole('row', { name: /Initech Ltd/ });
  await credit.getByText('€777.00').waitFor();
  await credit.getByText('ZZ-UPLOADED-CREDIT').waitFor();
  await entries
    .getByRole('row', { name: /Hooli Inc/ })
    .getByText('€120.00')
    .waitFor();
  await page.getByRole('group', { name: 'Imported statements' }).getByRole('link', { name: 'E2E-UP-1' }).waitFor();
  await assertAccessible(page, 'statement upload');
  await screenshot(page, 'payments-statement-upload');
  // The same file again changes nothing, and says so.
  await upload();
  await result.getByText('caixa-today.xml: 0 entries added, 2 already imported').waitFor();
  await result.getByText('This statement was imported before').waitFor();
  const statements = await call('GET', `/statements?bankAccountId=${account.id}`);
  assert.equal(statements.data.length, 1);

  // The bank account: its details, ledger account, and the statement just imported.
  await page.goto(`${server.url}/treasury?tab=accounts`);
  await page.getByRole('group', { name: 'Bank accounts' }).getByRole('link', { name: 'Caixa EUR' }).click();
  await page.getByRole('heading', { level: 1, name: 'Caixa EUR' }).waitFor();
  await page.getByText('ES91 2100 0418 4502 0005 1332').first().waitFor();
  await page.getByRole('link', { name: 'cash:bank:es' }).waitFor();
  await page.getByRole('group', { name: 'Imported statements' }).getByText('€5,657.00').waitFor(); // closing
  await assertAccessible(page, 'bank account');
  await screenshot(page, 'payments-bank-account');
  await context.close();
});

test('an approver rejects and approves from the inbox with the keyboard, and approves the new bank details', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'payment_approver');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Payments' }).click();
  await page.getByRole('tab', { name: 'Approvals' }).click();
  const inbox = page.getByRole('group', { name: 'Payments awaiting my approval' });
  const first = inbox.getByRole('row', { name: /E2E-PAY-77/ });
  const second = inbox.getByRole('row', { name: /E2E-PAY-78/ });
  await first.getByText('Acme SARL').waitFor();
  await first.getByText('FR14 2004 1010 0505 0001 3M02 606').waitFor();
  await first.getByText('Invoice E2E-77').waitFor();
  await first.getByText('1 of 2').waitFor();
  // The anomaly checks' reasons, whatever the checks found at this hour (none is fine too).
  for (const hit of (approved.anomalies as Array<{ reason: string }> | undefined) ?? []) {
    await first.getByText(hit.reason).waitFor();
  }
  await second.getByText('€3,100.00').waitFor();
  assert.equal(await inbox.getByText('yours: another person approves').count(), 0);
  await assertAccessible(page, 'approvals');
  await screenshot(page, 'payments-approvals');

  // j moves to the second payment, r asks why, Enter rejects it.
  await inbox.focus();
  await page.keyboard.press('j');
  await page.keyboard.press('r');
  const dialog = page.getByRole('dialog', { name: 'Reject this payment' });
  await dialog.getByText('€3,100.00 to Acme SARL').waitFor();
  await dialog.locator('input:focus').waitFor(); // the reason field has the focus: type at once
  await page.keyboard.type('duplicate of invoice E2E-77');
  await page.keyboard.press('Enter');
  await page.getByText(`Payment ${rejected.id} rejected`).waitFor();
  await second.waitFor({ state: 'detached' });
  const gone = await call('GET', `/payments/${rejected.id}`);
  assert.equal(gone.status, 'rejected');
  assert.deepEqual(gone.rejection, {
    code: 'rejected_by_approver',
    reason: 'duplicate of invoice E2E-77',
    by: users.payment_approver,
    at: (gone.rejection as { at: string }).at,
  });

  // a approves the one left: the first of its two approvals is hers.
  await inbox.focus();
  await page.keyboard.press('a');
  await page.getByText(`Payment ${approved.id} approved`).waitFor();
  const after = await call('GET', `/payments/${approved.id}`);
  assert.equal(after.status, 'pending_approval');
  assert.deepEqual(
    after.approvals.map((a) => [a.by, a.level, a.of, a.outcome]),
    [[users.payment_approver, 1, 2, 'approve']],
  );
  // Its second approval needs another person: listed for her, marked as not hers to decide.
  await awaitingApproval(approved.id, 'second_approval');
  await page.reload();
  await first.getByText('2 of 2').waitFor();
  await first.getByText('yours: another person approves').waitFor();

  // The treasurer's new beneficiary: its bank details approved by a second person.
  await page.getByRole('tab', { name: 'Beneficiaries' }).click();
  const list = page.getByRole('group', { name: 'Beneficiaries' });
  await list
    .getByRole('row', { name: /Globex GmbH/ })
    .getByText('unverified')
    .waitFor();
  await list.getByRole('link', { name: 'Globex GmbH' }).click();
  await page.getByRole('heading', { level: 1, name: 'Globex GmbH' }).waitFor();
  const changes = page.getByRole('table', { name: 'Bank-detail changes' });
  await changes.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('Bank details approved').waitFor();
  await changes.getByText('approved', { exact: true }).waitFor();
  await page.getByText('verified', { exact: true }).first().waitFor();
  // The details payments go to now, at the top of the page.
  await page
    .getByRole('cell', { name: /^Account/ })
    .getByText('DE89 3704 0044 0532 0130 00')
    .waitFor();
  assert.equal(await changes.getByRole('button', { name: 'Approve' }).count(), 0);
  await assertAccessible(page, 'beneficiary');
  await screenshot(page, 'payments-beneficiary');
  const globex = (await call('GET', '/beneficiaries?status=verified')).data.find((b) => b.name === 'Globex GmbH');
  assert.equal(globex?.verifiedBy, users.payment_approver);
  await context.close();
});

test('a viewer sees beneficiaries and bank accounts but no approvals tab and no write buttons', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'viewer');
  await page.goto(`${server.url}/payments?tab=beneficiaries`);
  await page.getByRole('group', { name: 'Beneficiaries' }).getByRole('link', { name: 'Acme SARL' }).waitFor();
  assert.equal(await page.getByRole('tab', { name: 'Approvals' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Add beneficiary' }).count(), 0);
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Treasury' }).click();
  await page.getByRole('heading', { level: 1, name: 'Treasury' }).waitFor();
  await page.getByRole('tab', { name: 'Statements' }).click();
  await page.getByRole('group', { name: 'Imported statements' }).getByRole('link', { name: 'E2E-UP-1' }).waitFor();
  assert.equal(await page.getByText('Import a statement').count(), 0);
  await context.close();
});

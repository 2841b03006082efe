import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { switchOffAnomalyChecks } from '../../src/testing/anomaly-checks-off.js';
import { camt053, type CamtEntrySpec } from '../../src/testing/camt053-file.js';
import { testTmpDir } from '../../src/testing/test-database.js';
import {
  assertAccessible,
  choose,
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
  statements: Body[];
  reconciliation: { exceptions: number };
  fileName: string;
  token: string;
}

let server: ConsoleServer;
let browser: Browser;
let payment: Body;
let batch: Body;
let statementId: string;

const IBAN = 'ES9121000418450200051332';

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

const today = () => new Date().toISOString().slice(0, 10);

/** Imports a camt.053 of the account with these entries; each becomes a reconciliation exception. */
async function importStatement(id: string, entries: CamtEntrySpec[]): Promise<string> {
  const file = camt053(
    { messageId: `MSG-${id}`, statementId: id, iban: IBAN, currency: 'EUR', opening: 100000n, date: today() },
    entries,
  );
  const res = await server.call('/api/v1/statements', {
    method: 'POST',
    headers: { 'content-type': 'application/xml' },
    body: file,
  });
  const imported = (await res.json()) as Body;
  assert.equal(res.status, 201, JSON.stringify(imported));
  assert.equal(imported.reconciliation.exceptions, entries.length, JSON.stringify(imported));
  return String(imported.statements[0]?.id);
}

before(async () => {
  // Release delivers to the bank outbox, a folder under the data directory.
  server = await startConsoleServer({ config: { dataDir: testTmpDir() } });
  // The server runs on the wall clock: an unusual hour or a weekend would send the payment to review.
  await switchOffAnomalyChecks(server);
  browser = await launchBrowser();
  // The demo has no payments: an account, a beneficiary whose bank details a second person approves,
  // a small payment the approval matrix approves by itself (MX_AUTO), and its batch.
  const approver = await call('POST', '/api-keys', { name: 'e2e-approver', role: 'payment_approver' });
  const account = await call('POST', '/bank-accounts', {
    name: 'Caixa EUR',
    currency: 'EUR',
    iban: IBAN,
    bic: 'CAIXESBBXXX',
    ownerName: 'Finflow Lending S.L.',
    ledgerAccount: 'cash:bank:es',
    pain001Version: 'pain.001.001.09',
  });
  const beneficiary = await call('POST', '/beneficiaries', {
    name: 'Acme SARL',
    kind: 'supplier',
    bankDetails: { iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPPXXX' },
  });
  await call(
    'POST',
    `/beneficiaries/${beneficiary.id}/changes/${beneficiary.changes[0]?.id}/approve`,
    undefined,
    String(approver.token),
  );
  const created = await call('POST', '/payments', {
    bankAccountId: account.id,
    beneficiaryId: beneficiary.id,
    amount: '45000',
    remittance: { unstructured: 'Invoice E2E-42' },
    endToEndId: 'E2E-PAY-42',
  });
  const deadline = Date.now() + 30_000;
  do {
    payment = await call('GET', `/payments/${created.id}`);
    if (payment.status !== 'approved') await new Promise((resolve) => setTimeout(resolve, 200));
  } while (payment.status !== 'approved' && Date.now() < deadline);
  assert.equal(payment.status, 'approved', JSON.stringify(payment));
  const run = await call('POST', '/payment-batches', { bankAccountId: account.id });
  assert.equal(run.data.length, 1, JSON.stringify(run));
  batch = run.data[0]!;

  // A statement whose credit names nothing finflow expects: a reconciliation exception.
  statementId = await importStatement('E2E-STMT-1', [
    {
      amount: 12345n,
      direction: 'CRDT',
      bookingDate: today(),
      unstructured: 'ZZ-NOBODY-KNOWS',
      counterpartyName: 'Mystery Trading Ltd',
      accountServicerReference: 'E2E-A1',
    },
  ]);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('a viewer reads payments, the batch and the exceptions, and sees no release, match or ignore', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'viewer');
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Payments' }).click();
  await page.getByRole('heading', { level: 1, name: 'Payments' }).waitFor();
  await page.goto(`${server.url}/payments/batches/${batch.id}`);
  await page.getByRole('heading', { level: 1, name: `Batch ${batch.id}` }).waitFor();
  await page.getByRole('link', { name: 'Download pain.001' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Release' }).count(), 0);
  await page.goto(`${server.url}/treasury?tab=exceptions`);
  await page.getByText('Mystery Trading Ltd').first().waitFor();
  assert.equal(await page.getByRole('button', { name: 'Ignore' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: /^Match/ }).count(), 0);
  await context.close();
});

test('a treasurer finds the payment, releases its batch, reads the statement and ignores the exception', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'treasurer');
  await page.goto(`${server.url}/payments`);
  await page.getByRole('heading', { level: 1, name: 'Payments' }).waitFor();
  const list = page.getByRole('group', { name: 'Payment instructions' });
  const row = list.getByRole('row', { name: new RegExp(payment.id) });
  await row.getByText('Acme SARL').waitFor();
  await row.getByText('€450.00').waitFor();
  await row.getByText('batched').waitFor();
  // The status filter: nothing is sent yet.
  await choose(page, 'Status', 'sent');
  await list.getByText('No payments').waitFor();
  await choose(page, 'Status', 'batched');
  await list.getByRole('link', { name: payment.id }).waitFor();
  await assertAccessible(page, 'payments');
  await screenshot(page, 'payments');

  // The payment: amount from minor units, beneficiary, end-to-end id, history, and its batch.
  await list.getByRole('link', { name: payment.id }).click();
  await page.getByRole('heading', { level: 1, name: '€450.00 to Acme SARL' }).waitFor();
  await page.getByText('E2E-PAY-42').waitFor();
  await page.getByText('Invoice E2E-42').waitFor();
  await page.getByText('pending approval → approved').waitFor();
  await page.getByText('approved → batched').waitFor();
  await assertAccessible(page, 'payment');
  await screenshot(page, 'payments-payment');

  // The batch: its payment, the file, and the release after a confirmation.
  await page.getByRole('link', { name: batch.id }).click();
  await page.getByRole('heading', { level: 1, name: `Batch ${batch.id}` }).waitFor();
  const download = page.getByRole('link', { name: 'Download pain.001' });
  assert.equal(await download.getAttribute('href'), `/api/v1/payment-batches/${batch.id}/file`);
  const items = page.getByRole('table', { name: 'Payments in this batch' });
  await items.getByRole('link', { name: payment.id }).waitFor();
  await items.getByText('E2E-PAY-42').waitFor();
  await assertAccessible(page, 'batch');
  await page.getByRole('button', { name: 'Release' }).click();
  const dialog = page.getByRole('dialog', { name: 'Release this batch to the bank?' });
  await dialog.getByText('1 payment for €450.00').waitFor();
  await dialog.getByRole('button', { name: 'Release' }).click();
  await page.getByText('Released to the bank').waitFor();
  await page.getByText(new RegExp(`bank-outbox.*${batch.fileName}`)).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Release' }).count(), 0);
  assert.equal((await call('GET', `/payment-batches/${batch.id}`)).status, 'released');
  await screenshot(page, 'payments-batch');

  // The bank's next statement: the payment left with 50 cents of charges, so it is only suggested.
  await importStatement('E2E-STMT-2', [
    {
      amount: 45050n,
      direction: 'DBIT',
      bookingDate: today(),
      endToEndId: 'E2E-PAY-42',
      counterpartyName: 'Acme SARL',
      accountServicerReference: 'E2E-D1',
    },
  ]);

  // Statements: the imported one, and its entry awaiting a person.
  await page.goto(`${server.url}/treasury?tab=statements`);
  const statements = page.getByRole('group', { name: 'Imported statements' });
  await statements
    .getByRole('row', { name: /E2E-STMT-1/ })
    .getByText('Caixa EUR')
    .waitFor();
  await statements.getByText('€1,123.45').waitFor(); // the closing balance
  await assertAccessible(page, 'statements');
  await screenshot(page, 'payments-statements');
  await statements.getByRole('link', { name: 'E2E-STMT-1' }).click();
  await page.getByRole('heading', { level: 1, name: 'Statement E2E-STMT-1' }).waitFor();
  const entry = page.getByRole('group', { name: 'Entries' }).getByRole('row', { name: /Mystery Trading Ltd/ });
  await entry.getByText('€123.45').waitFor();
  await entry.getByText('ZZ-NOBODY-KNOWS').waitFor();
  await entry.getByText('exception').waitFor();
  await assertAccessible(page, 'statement');
  await screenshot(page, 'payments-statement');

  // The exceptions: the credit nobody expects (no suggestion), and the debit with the payment suggested.
  await page.goto(`${server.url}/treasury?tab=exceptions`);
  const exceptions = page.getByRole('region', { name: 'Reconciliation exceptions' });
  const credit = exceptions.getByRole('region', { name: 'Credit €123.45 · Mystery Trading Ltd' });
  const debit = exceptions.getByRole('region', { name: 'Debit €450.50 · Acme SARL' });
  await credit.getByText('No suggestions').waitFor();
  const suggestion = debit.getByRole('row', { name: /E2E-PAY-42/ });
  await suggestion.getByText('€450.00').first().waitFor();
  await assertAccessible(page, 'exceptions');
  await screenshot(page, 'payments-exceptions');

  // Matched to the suggested payment: it is settled, and what is left of the entry stays to explain.
  await suggestion.getByRole('button', { name: 'Match to E2E-PAY-42' }).click();
  await page.getByText('Entry matched').waitFor();
  await debit.getByText('€0.50').first().waitFor();
  assert.equal((await call('GET', `/payments/${payment.id}`)).status, 'settled');

  // The credit is ignored with a reason, and the list refreshes without it.
  await credit.getByRole('button', { name: 'Ignore' }).click();
  const ignore = page.getByRole('dialog', { name: 'Ignore this entry' });
  await ignore.getByRole('button', { name: 'Ignore' }).click();
  await ignore.getByText('Say why the entry is ignored').waitFor();
  await ignore.getByLabel('Reason').fill('transfer between own accounts');
  await ignore.getByRole('button', { name: 'Ignore' }).click();
  await page.getByText('Entry ignored').waitFor();
  await credit.waitFor({ state: 'detached' });
  const entries = await call('GET', `/bank-entries?statementId=${statementId}`);
  assert.equal(entries.data[0]?.status, 'ignored');
  await context.close();
});

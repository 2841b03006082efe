// Payables and recurring payments in a real Chromium: a treasurer records a supplier invoice (with an
// early-payment discount) and a standing order in the forms — the exact minor units checked through
// the API — an admin's approval of her own payable is refused with the server's four-eyes message, a
// payment approver approves the treasurer's, and scheduling the due payables makes its payment.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
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
  payments: Body[];
  token: string;
}

let server: ConsoleServer;
let browser: Browser;
let account: Body;
const users: Record<string, string> = {};

const addDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

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

const payable = async (invoice: string) =>
  (await call('GET', '/payables?limit=500')).data.find((p) => p.invoiceNumber === invoice);

before(async () => {
  server = await startConsoleServer({ config: { dataDir: testTmpDir() } });
  browser = await launchBrowser();
  for (const role of ['treasurer', 'payment_approver', 'admin'] as const) {
    users[role] = (await call('GET', `/users?search=${encodeURIComponent(server.email(role))}`)).data[0]!.id;
  }
  const checker = await call('POST', '/api-keys', { name: 'e2e-checker', role: 'payment_approver' });
  account = await call('POST', '/bank-accounts', {
    name: 'Caixa EUR',
    currency: 'EUR',
    iban: 'ES9121000418450200051332',
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
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('a treasurer records a payable with a discount and a recurring payment in the forms', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'treasurer');
  await page.goto(`${server.url}/payments?tab=payables`);
  await page.getByRole('group', { name: 'Payables' }).getByText('No payables').waitFor();
  await page.getByRole('button', { name: 'Add payable' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a payable' });
  // Nothing typed: each required field says so, and nothing is sent.
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await dialog.getByText('Required').first().waitFor();
  await chooseBeneficiary(page, dialog);
  await dialog.getByLabel('Invoice number').fill('INV-E2E-1');
  await dialog.getByLabel('Amount', { exact: true }).fill('1234.567');
  await dialog.getByText('A positive amount with at most 2 decimals').waitFor();
  await dialog.getByLabel('Amount', { exact: true }).fill('1,234.56');
  await dialog.getByLabel('Due date').fill(addDays(10));
  await dialog.getByLabel('Pay by').fill(addDays(2));
  await dialog.getByLabel('Discount', { exact: true }).fill('2.5');
  await dialog.getByText('A positive amount with at most 2 decimals').waitFor({ state: 'detached' });
  await screenshot(page, 'payables-add');
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByText('Payable INV-E2E-1 recorded: another person approves it').waitFor();
  const list = page.getByRole('group', { name: 'Payables' });
  const row = list.getByRole('row', { name: /INV-E2E-1/ });
  await row.getByText('€1,234.56').waitFor();
  await row.getByText('awaiting approval').waitFor();
  // No payments:approve for a treasurer: no decision buttons.
  assert.equal(await list.getByRole('button', { name: /^Approve/ }).count(), 0);
  const recorded = await payable('INV-E2E-1');
  assert.deepEqual(
    [recorded?.amount, recorded?.currency, recorded?.dueDate, recorded?.bankAccountId, recorded?.createdBy],
    ['123456', 'EUR', addDays(10), account.id, users.treasurer],
  );
  // 2.5 % of 1 234.56 is 30.864: the server rounds it to 30.86.
  assert.deepEqual(recorded?.discount, { date: addDays(2), percent: '2.5', amount: '3086', payAmount: '120370' });
  await row.getByText(`€30.86`).waitFor();
  // Checked once the closing dialog has left the page (while it animates away its form is still there).
  await dialog.waitFor({ state: 'hidden' });
  await assertAccessible(page, 'payables');
  await screenshot(page, 'payables-list');

  // A standing order: 99.99 on the month's last business day, for a year.
  await page.getByRole('tab', { name: 'Recurring' }).click();
  await page.getByRole('group', { name: 'Recurring payments' }).getByText('No recurring payments').waitFor();
  await page.getByRole('button', { name: 'Add recurring payment' }).click();
  const form = page.getByRole('dialog', { name: 'Add a recurring payment' });
  await chooseBeneficiary(page, form);
  await choose(page, 'Debtor account', 'Caixa EUR (EUR)');
  await form.getByLabel('Amount', { exact: true }).fill('99.99');
  await form.getByLabel('Remittance').fill('Rent E2E');
  await choose(page, 'Day', 'Last business day');
  await form.getByLabel('End date').fill(addDays(365));
  await screenshot(page, 'recurring-add');
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: /^Recurring payment rcp_/ }).waitFor();
  await page.getByText('Monthly, Last business day').waitFor();
  await page.getByText('€99.99').waitFor();
  const [order] = (await call('GET', '/recurring-payments')).data;
  assert.deepEqual(
    [order?.amount, order?.currency, order?.bankAccountId, order?.remittance, order?.schedule, order?.createdBy],
    [
      '9999',
      'EUR',
      account.id,
      { unstructured: 'Rent E2E' },
      { frequency: 'monthly', day: 'last_business_day', startDate: addDays(0), endDate: addDays(365) },
      users.treasurer,
    ],
  );
  // Its occurrences within 40 days become payments, listed on its page.
  const run = await call('POST', '/recurring-payments/run', { withinDays: 40 });
  const made = (run.created as Body[]).filter((c) => c.recurringPaymentId === order!.id);
  assert.ok(made.length >= 1, JSON.stringify(run));
  await page.reload();
  const occurrences = page.getByRole('table', { name: 'Occurrences and their payments' });
  await occurrences.getByRole('link', { name: made[0]!.paymentId as string }).waitFor();
  await assertAccessible(page, 'recurring payment');
  await screenshot(page, 'recurring-page');
  await context.close();
});

test('the maker of a payable cannot approve it: the server says why', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'admin');
  await page.goto(`${server.url}/payments?tab=payables`);
  await page.getByRole('button', { name: 'Add payable' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a payable' });
  // The dialog has finished opening (its first field is typed into) before its select is clicked.
  await dialog.getByLabel('Invoice number').fill('INV-E2E-2');
  await chooseBeneficiary(page, dialog);
  await dialog.getByLabel('Amount', { exact: true }).fill('500');
  await dialog.getByLabel('Due date').fill(addDays(20));
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByText('Payable INV-E2E-2 recorded: another person approves it').waitFor();
  assert.equal((await payable('INV-E2E-2'))?.amount, '50000');
  await page.getByRole('button', { name: 'Approve INV-E2E-2' }).click();
  await page.getByRole('alert').getByText('separation_of_duties').waitFor();
  await page
    .getByRole('alert')
    .getByText(/a second person must approve it \(four eyes\)/)
    .waitFor();
  await screenshot(page, 'payables-approve-refused');
  assert.equal((await payable('INV-E2E-2'))?.status, 'pending_approval');
  await context.close();
});

test('a payment approver approves one payable and rejects the other; scheduling makes the payment', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'payment_approver');
  await page.goto(`${server.url}/payments?tab=payables`);
  await choose(page, 'Status', 'awaiting approval');
  const list = page.getByRole('group', { name: 'Payables' });
  await list.getByRole('row', { name: /INV-E2E-2/ }).waitFor();
  await page.getByRole('button', { name: 'Approve INV-E2E-1' }).click();
  await page.getByText('Payable INV-E2E-1 approved').waitFor();
  await list.getByRole('row', { name: /INV-E2E-1/ }).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Reject INV-E2E-2' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reject this payable' });
  await dialog.getByText('€500.00 to Acme SARL, invoice INV-E2E-2').waitFor();
  await dialog.getByLabel('Reason').fill('already paid by card');
  await dialog.getByRole('button', { name: 'Reject' }).click();
  await page.getByText('Payable INV-E2E-2 rejected').waitFor();
  const first = await payable('INV-E2E-1');
  const second = await payable('INV-E2E-2');
  assert.deepEqual([first?.status, first?.decidedBy], ['approved', users.payment_approver]);
  assert.deepEqual(
    [second?.status, second?.decidedBy, second?.reason],
    ['rejected', users.payment_approver, 'already paid by card'],
  );
  // No payments:initiate: no schedule action.
  assert.equal(await page.getByRole('button', { name: 'Schedule due payables' }).count(), 0);
  await context.close();

  // The treasurer schedules what is due within 14 days: the approved one, at its discounted amount.
  const treasurer = await newContext(browser);
  const tpage = await treasurer.newPage();
  await signIn(tpage, server, 'treasurer');
  await tpage.goto(`${server.url}/payments?tab=payables`);
  await tpage.getByLabel('Due within (days)').fill('14');
  await tpage.getByRole('button', { name: 'Schedule due payables' }).click();
  const result = tpage.getByRole('region', { name: 'What was scheduled' });
  await result.getByText(/^1 payment created, up to/).waitFor();
  const made = result.getByRole('row', { name: /INV-E2E-1/ });
  await made.getByText('€1,203.70').waitFor();
  await made.getByText('discounted').waitFor();
  await made.getByText('Acme SARL').waitFor();
  const scheduled = await payable('INV-E2E-1');
  assert.equal(scheduled?.status, 'scheduled');
  assert.equal(scheduled?.paidAmount, '120370');
  const payment = await call('GET', `/payments/${scheduled?.paymentId as string}`);
  assert.deepEqual(
    [payment.amount, payment.currency, payment.beneficiaryId, payment.createdBy],
    ['120370', 'EUR', first?.beneficiaryId, users.treasurer],
  );
  await made.getByRole('link', { name: scheduled?.paymentId as string }).waitFor();
  await tpage
    .getByRole('group', { name: 'Payables' })
    .getByRole('row', { name: /INV-E2E-1/ })
    .getByText('scheduled', { exact: true })
    .waitFor();
  await assertAccessible(tpage, 'payables schedule');
  await screenshot(tpage, 'payables-scheduled');
  await treasurer.close();
});

/**
 * Picks Acme SARL in the beneficiary field of `dialog` — the dialog's own field, once the dialog is
 * open (a page-wide label could name a field of a dialog still closing). The options load when the
 * dialog opens: a list opened before they arrive is closed and opened again.
 */
async function chooseBeneficiary(page: Page, dialog: Locator): Promise<void> {
  await dialog.waitFor();
  for (let attempt = 1; ; attempt += 1) {
    await dialog.getByLabel('Beneficiary').click({ force: true }); // antd lays the shown value over its input
    try {
      await page
        .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')
        .getByTitle('Acme SARL', { exact: true })
        .click({ timeout: 10_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
      await page.keyboard.press('Escape');
    }
  }
}

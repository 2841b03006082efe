// Treasury in the payments area, in a real Chromium: the central position per currency above the bank
// accounts, one account's own position on its page, and the cash forecast tab (chart, buckets, CSV).
// The accounts are in GBP, a currency the demo data does not use, so every figure is this test's own.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { camt053 } from '../../src/testing/camt053-file.js';
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

interface Body {
  [field: string]: unknown;
  id: string;
  status: string;
  data: Body[];
  changes: Body[];
  token: string;
}

let server: ConsoleServer;
let browser: Browser;
let main: Body; // with a statement and the approved payment
let second: Body; // no statement yet

const MAIN_IBAN = 'GB29NWBK60161331926819';
const SECOND_IBAN = 'GB82WEST12345698765432';
const addDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
let today = '';

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

before(async () => {
  server = await startConsoleServer({ config: { dataDir: testTmpDir() } });
  browser = await launchBrowser();
  today = new Date(server.engine.services.clock.now()).toISOString().slice(0, 10);
  const account = (name: string, iban: string, ledgerAccount: string) =>
    call('POST', '/bank-accounts', {
      name,
      currency: 'GBP',
      iban,
      ownerName: 'Finflow Lending Ltd',
      ledgerAccount,
      pain001Version: 'pain.001.001.09',
    });
  main = await account('NatWest GBP', MAIN_IBAN, 'cash:bank:e2e-natwest');
  second = await account('Westminster GBP', SECOND_IBAN, 'cash:bank:e2e-west');

  // The statement: opens at 8 000.00, 500.00 comes in, closes at 8 500.00.
  const file = camt053(
    {
      messageId: 'MSG-GBP-1',
      statementId: 'E2E-GBP-1',
      iban: MAIN_IBAN,
      currency: 'GBP',
      opening: 800_000n,
      date: today,
    },
    [{ amount: 50_000n, direction: 'CRDT', bookingDate: today, accountServicerReference: 'E2E-GBP-C1' }],
  );
  const imported = await server.call('/api/v1/statements', {
    method: 'POST',
    body: file,
    headers: { 'content-type': 'application/xml', 'idempotency-key': `e2e-${randomUUID()}` },
  });
  assert.equal(imported.status, 201, await imported.clone().text());

  // An approved payment of 400.00 today (up to 1 000.00 to a verified beneficiary: approved automatically).
  const maker = await call('POST', '/api-keys', {
    name: 'e2e-maker',
    role: 'treasurer',
    owner: server.email('treasurer'),
  });
  const checker = await call('POST', '/api-keys', {
    name: 'e2e-checker',
    role: 'payment_approver',
    owner: server.email('payment_approver'),
  });
  const acme = await call('POST', '/beneficiaries', {
    name: 'Acme Ltd',
    kind: 'supplier',
    bankDetails: { iban: 'FR1420041010050500013M02606', bic: 'BNPAFRPPXXX' },
  });
  await call('POST', `/beneficiaries/${acme.id}/changes/${acme.changes[0]?.id}/approve`, undefined, checker.token);
  const payment = await call(
    'POST',
    '/payments',
    { bankAccountId: main.id, beneficiaryId: acme.id, amount: '40000', requestedExecutionDate: today },
    maker.token,
  );
  // Approved automatically, or (the anomaly checks may ask for it) by the approver's open task.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const current = await call('GET', `/payments/${payment.id}`);
    if (current.status === 'approved') break;
    assert.ok(Date.now() < deadline, `the payment was not approved: ${JSON.stringify(current)}`);
    const task = (current.tasks as Body[]).find((t) => t.status === 'open');
    if (task) await call('POST', `/tasks/${task.id}/complete`, { outcome: 'approve', data: {} }, checker.token);
    else await new Promise((resolve) => setTimeout(resolve, 200));
  }

  // A receivable of 1 200.00 due next week: current, so 95 % of it is expected (1 140.00).
  await call('POST', '/customers', {
    externalId: 'E2E-GBP-C',
    name: 'Brit Co',
    email: 'brit@example.com',
    language: 'en',
  });
  await call('POST', '/receivables', {
    externalId: 'E2E-GBP-INV',
    customerExternalId: 'E2E-GBP-C',
    kind: 'invoice',
    currency: 'GBP',
    issueDate: today,
    amount: '120000',
    dueDate: addDays(today, 7),
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('positions: the central position per currency and an account’s own', async () => {
  const api = await call('GET', '/treasury/positions?currency=GBP');
  assert.deepEqual(
    (api.central as Body[]).map((c) => [
      c.statementBalance,
      c.ledgerBalance,
      c.difference,
      c.unsettledOutflows,
      c.forwardBalance,
    ]),
    [['850000', '0', '850000', '40000', '810000']],
  );
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'treasurer');
  await page.goto(`${server.url}/treasury?tab=accounts`);
  const central = page.getByRole('table', { name: 'Central position' });
  const gbp = central.getByRole('row', { name: /^GBP/ });
  await gbp.waitFor();
  assert.deepEqual(await gbp.getByRole('cell').allInnerTexts(), [
    'GBP',
    '2 (1 without a statement)',
    '£8,500.00',
    '£0.00',
    '£8,500.00',
    '£400.00',
    '£8,100.00',
  ]);
  await assertAccessible(page, 'bank accounts with positions');
  await screenshot(page, 'treasury-positions');

  // NatWest keeps the UK banks' calendar, with a 15:30 cut-off; Westminster names none.
  await call('PUT', '/calendars/UK-BANKS', { timezone: 'Europe/London', holidays: ['2026-12-25', '2026-12-28'] });
  await call('PATCH', `/bank-accounts/${main.id}`, { calendar: 'UK-BANKS', cutOffTime: '15:30' });
  await page.getByRole('group', { name: 'Bank accounts' }).getByRole('link', { name: 'NatWest GBP' }).click();
  await page.getByRole('heading', { level: 1, name: 'NatWest GBP' }).waitFor();
  const details = page
    .locator('.ant-card')
    .filter({ has: page.getByRole('heading', { name: 'Bank account', exact: true }) });
  const detail = (label: string) =>
    details.locator('.ant-descriptions-item').filter({ hasText: label }).locator('.ant-descriptions-item-content');
  assert.equal(await detail('Business calendar').innerText(), 'UK-BANKS');
  assert.equal(await detail('Cut-off').innerText(), '15:30 in the calendar’s time zone');
  const position = page.locator('.ant-card').filter({ has: page.getByRole('heading', { name: 'Position' }) });
  const value = (label: string) =>
    position.locator('.ant-descriptions-item').filter({ hasText: label }).locator('.ant-descriptions-item-content');
  await value('Statement balance').getByText('£8,500.00').waitFor();
  const statementDate = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${today}T00:00:00Z`),
  );
  assert.equal(await value('Statement balance').innerText(), `£8,500.00 on ${statementDate}`);
  assert.equal(await value('Ledger balance').innerText(), '£0.00');
  assert.equal(await value('Difference').innerText(), '£8,500.00');
  assert.equal(await value('Unsettled payments').innerText(), '£400.00 (1 payment)');
  assert.equal(await value('Forward balance').innerText(), '£8,100.00');
  await assertAccessible(page, 'bank account position');
  await screenshot(page, 'treasury-account-position');

  // The account without a statement: nothing on the bank's side. (Its address from before the treasury
  // area had its own place still leads to it.)
  await page.goto(`${server.url}/payments/bank-accounts/${second.id}`);
  await page.waitForURL(`${server.url}/treasury/bank-accounts/${second.id}`);
  await value('Statement balance').getByText('no statement imported').waitFor();
  assert.equal(await detail('Business calendar').innerText(), 'Monday to Friday');
  assert.equal(await detail('Cut-off').innerText(), 'None');
  assert.equal(await value('Forward balance').innerText(), '£0.00');
  await context.close();
});

test('the cash forecast: chart, buckets and the CSV, by week and by day', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'viewer');
  // An old link to a treasury tab of the payments area leads to the treasury area.
  await page.goto(`${server.url}/payments?tab=accounts`);
  await page.getByRole('heading', { level: 1, name: 'Treasury' }).waitFor();
  await page.getByRole('tab', { name: 'Bank accounts', selected: true }).waitFor();
  await page.getByRole('tab', { name: 'Cash forecast' }).click();
  await choose(page, 'Currency', 'GBP');
  await page.getByText('Opening balance £8,500.00 from 2 accounts').waitFor();
  await page.getByText('1 without a statement, counted as 0').waitFor();
  const table = page.getByRole('table', { name: 'Forecast buckets' });
  const rows = table.locator('tbody tr.ant-table-row');
  await rows.nth(12).waitFor();
  assert.equal(await rows.count(), 13);
  const cells = async (i: number) => (await rows.nth(i).getByRole('cell').allInnerTexts()).slice(1);
  // Week 1: the payment leaves; week 2: the receivable's 95 % comes in; then nothing moves.
  assert.deepEqual(await cells(0), ['£8,500.00', '£0.00', '£400.00', '£8,100.00', '£0.00', '£400.00', '£0.00']);
  assert.deepEqual(await cells(1), ['£8,100.00', '£1,140.00', '£0.00', '£9,240.00', '£1,200.00', '£0.00', '£0.00']);
  assert.deepEqual(await cells(12), ['£9,240.00', '£0.00', '£0.00', '£9,240.00', '£0.00', '£0.00', '£0.00']);
  const total = table.locator('.ant-table-summary tr');
  assert.deepEqual(await total.getByRole('cell').allInnerTexts(), [
    'Total',
    '',
    '£1,140.00',
    '£400.00',
    '',
    '£1,200.00',
    '£400.00',
    '£0.00',
  ]);
  // The chart is drawn: its bars (two non-empty weeks) and the closing balance line.
  const chart = page.getByRole('img', { name: 'Inflows, outflows and closing balance by week, GBP' });
  await chart.locator('svg').waitFor();
  assert.ok((await chart.locator('svg path').count()) >= 3, 'the chart has bars and a line');
  await chart.getByText('Closing balance').waitFor(); // the legend
  await assertAccessible(page, 'cash forecast');
  await screenshot(page, 'treasury-forecast');

  // The CSV is the server's, fetched with the session.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.split('\r\n');
  assert.equal(lines[0], 'start,end,opening,inflows,outflows,closing,collectionsDue,payments,disbursements');
  assert.equal(lines[1], `${today},${addDays(today, 6)},850000,0,40000,810000,0,40000,0`);
  assert.equal(lines[2], `${addDays(today, 7)},${addDays(today, 13)},810000,114000,0,924000,120000,0,0`);
  assert.equal(lines.filter(Boolean).length, 14);

  // By day for one week: the receivable falls outside, the payment on the first day.
  await page.getByLabel('Weeks').fill('1');
  await page.locator('label.ant-radio-button-wrapper', { hasText: /^Day$/ }).click();
  await rows.nth(6).waitFor();
  await page.getByRole('img', { name: 'Inflows, outflows and closing balance by day, GBP' }).waitFor();
  assert.equal(await rows.count(), 7);
  assert.deepEqual(await cells(0), ['£8,500.00', '£0.00', '£400.00', '£8,100.00', '£0.00', '£400.00', '£0.00']);
  assert.deepEqual(await cells(6), ['£8,100.00', '£0.00', '£0.00', '£8,100.00', '£0.00', '£0.00', '£0.00']);
  await screenshot(page, 'treasury-forecast-day');
  await context.close();
});

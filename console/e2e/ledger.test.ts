import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import {
  assertAccessible,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
  startConsoleServer,
  type ConsoleServer,
} from './harness.js';

let server: ConsoleServer;
let browser: Browser;

async function post(path: string, json: unknown): Promise<Record<string, unknown>> {
  const res = await server.call(`/api/v1${path}`, { method: 'POST', json });
  const body = (await res.json()) as Record<string, unknown>;
  assert.ok(res.status < 300, `${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** axe-core on the page: no serious or critical violation. */
async function accessible(page: Page, what: string): Promise<void> {
  await assertAccessible(page, what);
}

before(async () => {
  server = await startConsoleServer();
  browser = await launchBrowser();
  // A wallet topped up from the bank, and two holds on it: one for the treasurer to void, one to look at.
  const bank = await post('/ledger/accounts', { code: 'assets:bank:e2e', currency: 'EUR', normalSide: 'debit' });
  const wallet = await post('/ledger/accounts', {
    code: 'liabilities:wallet:e2e',
    currency: 'EUR',
    normalSide: 'credit',
    debitsMustNotExceedCredits: true,
  });
  const transfer = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    debitAccountId: bank.id,
    creditAccountId: wallet.id,
    amount: '10000',
    currency: 'EUR',
    reference: 'E2E-1',
    ...extra,
  });
  await post('/ledger/transfers', { transfers: [transfer('e2e-topup')] });
  for (const id of ['e2e-hold-1', 'e2e-hold-2']) {
    await post('/ledger/transfers', {
      transfers: [
        {
          ...transfer(id, { pending: true, amount: '2500' }),
          debitAccountId: wallet.id,
          creditAccountId: bank.id,
        },
      ],
    });
  }
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('a treasurer sees the accounts, the trial balance, a transfer and its journal, and voids a hold', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'treasurer');
  await page.goto(`${server.url}/ledger`);
  await page.getByRole('heading', { level: 1, name: 'Ledger' }).waitFor();
  const accounts = page.getByRole('group', { name: 'Ledger accounts' });
  await accounts.getByRole('link', { name: 'receivables:principal' }).first().waitFor();
  await accounts.getByRole('link', { name: 'liabilities:wallet:e2e' }).waitFor();
  await accessible(page, 'ledger accounts');
  await screenshot(page, 'ledger');

  // The trial balance: EUR balanced, and downloadable.
  await page.getByRole('tab', { name: 'Trial balance' }).click();
  const row = page.getByRole('row', { name: /EUR/ });
  await row.getByText('Balanced').waitFor();
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'trial-balance CSV' }).click(),
  ]);
  const text = (await readFile(await csv.path(), 'utf8')).replace(/^\uFEFF/, '');
  assert.match(
    text,
    /^currency,debits,credits,debitsPending,creditsPending,balanced\r\nEUR,[\d.]+,[\d.]+,50\.00,50\.00,true/,
  );
  await accessible(page, 'trial balance');

  // An account and its transfers; a transfer opens with its journal of debit and credit postings.
  await page.getByRole('tab', { name: 'Accounts' }).click();
  await accounts.getByRole('link', { name: 'liabilities:wallet:e2e' }).click();
  await page.getByRole('heading', { level: 1, name: /Account liabilities:wallet:e2e/ }).waitFor();
  await page.getByRole('link', { name: 'e2e-topup' }).click();
  await page.getByRole('heading', { level: 1, name: 'Transfer e2e-topup' }).waitFor();
  const journal = page.getByRole('table').last();
  await journal.getByRole('link', { name: 'assets:bank:e2e' }).waitFor();
  await journal.getByRole('link', { name: 'liabilities:wallet:e2e' }).waitFor();
  assert.equal(await journal.getByText('€100.00').count(), 4); // a debit, a credit, and both totals

  // A hold: the treasurer voids it, and the journal shows its fate.
  await page.goto(`${server.url}/ledger/transfers/e2e-hold-1`);
  await page.getByRole('heading', { level: 1, name: 'Transfer e2e-hold-1' }).waitFor();
  await page.getByText('Open hold').waitFor();
  await accessible(page, 'transfer');
  await screenshot(page, 'ledger-transfer');
  await page.getByRole('button', { name: 'Void hold' }).click();
  const dialog = page.getByRole('dialog', { name: 'Void the hold' });
  await dialog.getByLabel('Reason').fill('customer cancelled');
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('link', { name: 'Resolved by e2e-hold-1.void' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Void hold' }).count(), 0);
  const hold = (await (await server.call('/api/v1/ledger/transfers/e2e-hold-1.void')).json()) as { kind: string };
  assert.equal(hold.kind, 'void_pending');
  await context.close();
});

test('a viewer reads the ledger and sees no write buttons', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'viewer');
  await page.goto(`${server.url}/ledger/transfers/e2e-hold-2`);
  await page.getByRole('heading', { level: 1, name: 'Transfer e2e-hold-2' }).waitFor();
  await page.getByText('Open hold').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Post hold' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Void hold' }).count(), 0);
  await page.goto(`${server.url}/ledger`);
  await page.getByRole('group', { name: 'Ledger accounts' }).getByRole('link').first().waitFor();
  await context.close();
});

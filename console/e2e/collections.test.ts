import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
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

let server: ConsoleServer;
let browser: Browser;
before(async () => {
  server = await startConsoleServer();
  browser = await launchBrowser();
  // The demo's overdue accounts open their cases through the collections-case workflow.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await server.call('/api/v1/collections/cases?segment=b2b', { token: server.adminToken });
    const body = (await res.json()) as { data: unknown[] };
    if (body.data.length >= 2) break;
    assert.ok(Date.now() < deadline, 'the demo opens its b2b cases');
    await new Promise((r) => setTimeout(r, 250));
  }
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** The signed-in user's own language, through the API the profile page uses. */
async function setLanguage(page: Page, locale: string): Promise<void> {
  const status = await page.evaluate(async (locale) => {
    const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
    const res = await fetch('/api/v1/me', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
      body: JSON.stringify({ locale }),
    });
    return res.status;
  }, locale);
  assert.equal(status, 200);
}

/** axe-core on the page: no serious or critical violation. */
async function accessible(page: Page, what: string): Promise<void> {
  await assertAccessible(page, what);
}

/** Waits until no spinner shows (antd fades a loading table), so a screenshot shows the page at rest. */
async function settle(page: Page): Promise<void> {
  await page
    .locator('.ant-spin-spinning')
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => {});
  await page.waitForTimeout(400);
}

const isoDay = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

test('a collector filters cases, saves the filter, opens a case and records a promise to pay', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'collector');
  await page.goto(`${server.url}/collections`);
  await page.getByRole('heading', { level: 1, name: 'Collections' }).waitFor();
  const list = page.getByRole('group', { name: 'Collection cases' });
  await list.getByRole('row').nth(1).waitFor();

  // Filters go to the server: only the b2b segment's cases come back.
  await choose(page, 'Status', 'Open');
  await page.waitForURL(/status=open/);
  await choose(page, 'Segment', 'b2b');
  await page.waitForURL(/segment=b2b/);
  await assertRows(page, 'status=open&segment=b2b');
  await settle(page);
  await screenshot(page, 'collections-cases');
  await accessible(page, 'collection cases');

  // Saved: named, kept in this browser, applied with one click.
  await page.getByLabel('Filter name').fill('B2B accounts');
  await page.getByRole('button', { name: 'Save filter' }).click();
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.waitForURL((url) => !url.search.includes('segment'));
  await page.getByRole('button', { name: 'Apply saved filter B2B accounts' }).click();
  await page.waitForURL(/status=open&segment=b2b/);
  await page.reload();
  await page.getByRole('button', { name: 'Apply saved filter B2B accounts' }).waitFor();

  // The keyboard opens a case: the list has the focus, ↓ moves, Enter opens.
  await list.getByRole('row').nth(1).waitFor();
  await list.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/collections\/cases\/ccase_/);
  const caseUrl = page.url();
  await page.getByRole('heading', { level: 2, name: 'Strategy' }).waitFor();
  await page.locator('[data-status="next"], [data-status="done"]').first().waitFor();

  // A promise to pay: checked in the form first, then recorded.
  await page.getByRole('button', { name: 'Record a promise to pay' }).click();
  const dialog = page.getByRole('dialog', { name: 'Record a promise to pay' });
  await dialog.getByLabel('Amount').fill('0');
  await dialog.getByLabel('Date').fill(isoDay(200));
  await dialog.getByRole('button', { name: 'Record' }).click();
  await dialog.getByText('Enter an amount above zero').waitFor();
  await dialog.getByText('From today to 90 days out').first().waitFor();
  await dialog.getByLabel('Amount').fill('123.45');
  await dialog.getByLabel('Date').fill(isoDay(7));
  await dialog.getByRole('button', { name: 'Record' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // It shows in the case's promises and on its timeline.
  const promises = page.getByRole('group', { name: 'Promises to pay' });
  await promises.getByText('€123.45').waitFor();
  await promises.getByText('open').waitFor();
  await page.getByText(/Promise to pay €123\.45 by/).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Promises to pay (1)' }).waitFor();

  // A call outcome (reached, the default): it joins the contacts and the timeline.
  await page.getByRole('button', { name: 'Record a call outcome' }).click();
  const call = page.getByRole('dialog', { name: 'Record a call outcome' });
  await call.getByLabel('Notes').fill('Will pay next week');
  await call.getByRole('button', { name: 'Record' }).click();
  await call.waitFor({ state: 'hidden' });
  await page.getByRole('heading', { level: 2, name: 'Contacts (1)' }).waitFor();
  await page.getByText('Call contact (Outbound): reached').waitFor();

  await settle(page);
  await screenshot(page, 'collections-case');
  await accessible(page, 'collection case');

  // The server agrees.
  const id = caseUrl.split('/').pop()!;
  const detail = (await (
    await server.call(`/api/v1/collections/cases/${id}`, { token: server.adminToken })
  ).json()) as { promises: Array<{ amount: string; status: string }> };
  assert.deepEqual(
    detail.promises.map((p) => [p.amount, p.status]),
    [['12345', 'open']],
  );
  await context.close();
});

/** The list shows exactly the cases the server answers for the filter, by customer name. */
async function assertRows(page: Page, query: string): Promise<void> {
  const res = await server.call(`/api/v1/collections/cases?${query}`, { token: server.adminToken });
  const expected = ((await res.json()) as { data: Array<{ customerName: string }> }).data.map((c) => c.customerName);
  assert.ok(expected.length > 0);
  const list = page.getByRole('group', { name: 'Collection cases' });
  const rows = list.locator('tbody tr.ant-table-row');
  for (let i = 0; i < 50 && (await rows.count()) !== expected.length; i++) await page.waitForTimeout(100);
  const shown = await rows.locator('td:nth-child(2)').allInnerTexts();
  assert.deepEqual(shown, expected);
}

test('a viewer sees cases but no write buttons; the list reads in Spanish', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'viewer');
  await setLanguage(page, 'es');
  await page.goto(`${server.url}/collections?bucket=90%2B`);
  await page.getByRole('heading', { level: 1, name: 'Cobranza' }).waitFor();
  const list = page.getByRole('group', { name: 'Casos de cobranza' });
  await list.getByRole('row').nth(1).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Filtros' }).waitFor();
  await settle(page);
  await screenshot(page, 'collections-cases-es');
  await accessible(page, 'collection cases in Spanish');

  await list.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/collections\/cases\/ccase_/);
  await page.getByRole('heading', { level: 2, name: 'Estrategia' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Registrar promesa de pago' }).count(), 0);
  assert.equal(await page.getByRole('heading', { name: 'Acciones' }).count(), 0);
  await setLanguage(page, 'en');
  await context.close();
});

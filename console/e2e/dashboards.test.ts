import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import type { Browser, Locator, Page } from 'playwright-core';
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
});
after(async () => {
  await browser?.close();
  await server?.close();
});

const today = () => new Date().toISOString().slice(0, 10);

/** The data table of a chart, shown: its rows' cells as text. */
async function chartRows(chart: Locator): Promise<string[][]> {
  const show = chart.getByRole('button', { name: 'Show data table' });
  if (await show.isVisible()) await show.click();
  const rows = await chart.locator('tbody tr.ant-table-row').all();
  return Promise.all(rows.map((row) => row.locator('td').allTextContents()));
}

/** Receivables counted on the portfolio's data table (column 4), once it shows `expected`. */
async function portfolioTotal(page: Page, expected: number): Promise<number> {
  const chart = page.getByRole('region', { name: 'Portfolio by DPD bucket' });
  let total = -1;
  for (let i = 0; i < 50 && total !== expected; i++) {
    total = (await chartRows(chart)).reduce((n, row) => n + Number(row[3]), 0);
    if (total !== expected) await page.waitForTimeout(100);
  }
  return total;
}

test('a collections manager filters the dashboards, the charts follow, and a chart downloads as CSV and XLSX', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'collections_manager');
  await page.goto(`${server.url}/dashboards`);
  await page.getByRole('heading', { level: 1, name: 'Dashboards' }).waitFor();
  for (const name of [
    'Portfolio by DPD bucket',
    'Roll rates',
    'Cure, promise-kept and recovery rates',
    'DSO and CEI',
    'Champion vs challenger',
    'Credit decisions',
    'Score distribution',
    'Instances by status',
    'Task backlog and SLA breaches',
  ]) {
    await page.getByRole('region', { name }).waitFor();
  }
  const portfolio = page.getByRole('region', { name: 'Portfolio by DPD bucket' });
  await portfolio.getByRole('img', { name: /Portfolio by DPD bucket chart/ }).waitFor();
  await page.getByRole('switch', { name: 'Auto-refresh every 30 s' }).waitFor();
  await assertAccessible(page, 'dashboards');
  await screenshot(page, 'dashboards');

  // One day, today: the demo's nine receivables, one paid, are eight owing across every bucket.
  await page.getByLabel('From', { exact: true }).fill(today());
  await page.getByLabel('To', { exact: true }).fill(today());
  assert.equal(await portfolioTotal(page, 8), 8);
  const rows = await chartRows(portfolio);
  assert.deepEqual(
    rows.map((r) => [r[1], r[3]]),
    [
      ['current', '2'],
      ['1-30', '2'],
      ['31-60', '1'],
      ['61-90', '1'],
      ['90+', '2'],
    ],
  );

  // The b2b segment: the three invoices still owing. The filter goes to the server (and the URL).
  await choose(page, 'Segment', 'b2b');
  assert.equal(await portfolioTotal(page, 3), 3);
  assert.match(page.url(), /segment=b2b/);

  // The chart's data as CSV: the same rows, exact decimal amounts.
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    portfolio.getByRole('button', { name: 'portfolio-by-bucket CSV' }).click(),
  ]);
  assert.equal(csv.suggestedFilename(), 'portfolio-by-bucket.csv');
  const text = (await readFile(await csv.path(), 'utf8')).replace(/^\uFEFF/, '');
  const lines = text.trim().split('\r\n');
  assert.equal(lines[0], 'date,bucket,currency,receivables,owed');
  assert.equal(lines.length, 4, text);
  for (const line of lines.slice(1)) assert.match(line, new RegExp(`^${today()},[^,]+,EUR,1,\\d+\\.\\d{2}$`));

  const [xlsx] = await Promise.all([
    page.waitForEvent('download'),
    portfolio.getByRole('button', { name: 'portfolio-by-bucket XLSX' }).click(),
  ]);
  assert.equal(xlsx.suggestedFilename(), 'portfolio-by-bucket.xlsx');
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(await xlsx.path());
  const sheet = book.worksheets[0]!;
  assert.deepEqual((sheet.getRow(1).values as unknown[]).slice(1), [
    'date',
    'bucket',
    'currency',
    'receivables',
    'owed',
  ]);
  assert.equal(sheet.rowCount, 4);

  // Credit decisions chart downloads too (another chart, another file).
  const credit = page.getByRole('region', { name: 'Credit decisions' });
  const [creditCsv] = await Promise.all([
    page.waitForEvent('download'),
    credit.getByRole('button', { name: 'credit-decisions CSV' }).click(),
  ]);
  const creditText = (await readFile(await creditCsv.path(), 'utf8')).replace(/^\uFEFF/, '');
  assert.match(creditText, /^outcome,applications,rateOfDecided\r\n/);

  // Auto-refresh can be turned off.
  const toggle = page.getByRole('switch', { name: 'Auto-refresh every 30 s' });
  await toggle.click();
  assert.equal(await toggle.getAttribute('aria-checked'), 'false');
  await context.close();
});

test('a deep link asks for the reports while the page code is still loading, and for each only once', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'collections_manager');
  // Hold the dashboards' code back: the reports must be on their way before it arrives.
  let chunkHeld = false;
  const requestedWhileHeld: string[] = [];
  const reports: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/api/v1/') || url.pathname.startsWith('/api/v1/session')) return;
    reports.push(url.pathname + url.search);
    if (chunkHeld) requestedWhileHeld.push(url.pathname);
  });
  await page.route(/\/assets\/dashboards-[^/]+\.js$/, async (route) => {
    chunkHeld = true;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    chunkHeld = false;
    await route.continue();
  });
  await page.goto(`${server.url}/dashboards?segment=b2b`);
  await page
    .getByRole('region', { name: 'Portfolio by DPD bucket' })
    .getByRole('img', { name: /Portfolio by DPD bucket chart/ })
    .waitFor();
  await page.waitForLoadState('networkidle');
  for (const path of [
    '/api/v1/receivables/reports/portfolio',
    '/api/v1/collections/reports/kpis',
    '/api/v1/collections/reports/strategies',
    '/api/v1/credit/reports/decisions',
    '/api/v1/reports/engine-health',
  ]) {
    assert.ok(requestedWhileHeld.includes(path), `${path} was not asked for while the page code loaded`);
    const asked = reports.filter((r) => r.startsWith(path));
    assert.equal(asked.length, 1, `${path} asked ${asked.length} times: ${asked.join(', ')}`);
  }
  // The URL's filter went with the early requests: the portfolio of the b2b segment only.
  assert.match(
    reports.find((r) => r.includes('/portfolio'))!,
    /segment=b2b/,
  );
  await context.close();
});

/** What the console remembered of the last session's permissions (app/early-start.ts). */
const rememberedPermissions = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem(
      'finflow.permissions',
    ),
  );

test('with the permissions of the last session remembered, the reports do not wait for the session answer', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'collections_manager');
  // Signing in remembered the permissions in this browser.
  assert.ok((await rememberedPermissions(page))?.includes('receivables:read'));
  let sessionHeld = false;
  const requestedWhileHeld: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (sessionHeld && url.pathname.startsWith('/api/v1/') && url.pathname !== '/api/v1/session')
      requestedWhileHeld.push(url.pathname);
  });
  await page.route(/\/api\/v1\/session$/, async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    sessionHeld = true;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    sessionHeld = false;
    await route.continue();
  });
  await page.goto(`${server.url}/dashboards`);
  await page.getByRole('img', { name: /Portfolio by DPD bucket chart/ }).waitFor();
  for (const path of ['/api/v1/receivables/reports/portfolio', '/api/v1/collections/reports/kpis']) {
    assert.ok(requestedWhileHeld.includes(path), `${path} waited for the session: ${requestedWhileHeld.join(', ')}`);
  }
  await page.unroute(/\/api\/v1\/session$/);
  // Signed out, the browser forgets them.
  await page.getByRole('button', { name: /Sam Supervisor/ }).click();
  await page.getByText('Sign out').click();
  await page.getByLabel('Email').waitFor();
  assert.equal(await rememberedPermissions(page), null);
  await context.close();
});

test('a viewer reads the dashboards in Chinese', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'viewer');
  await page.goto(`${server.url}/profile`);
  await choose(page, 'Language', '简体中文');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('navigation', { name: '主导航' }).waitFor();
  await page.goto(`${server.url}/dashboards`);
  await page.getByRole('heading', { level: 1, name: '仪表板' }).waitFor();
  await page.getByRole('img', { name: /^按逾期天数分段的资产组合图表/ }).waitFor();
  await page.getByRole('region', { name: '信贷决策' }).waitFor();
  await page.getByRole('img', { name: /^按状态统计的实例图表/ }).waitFor();
  await assertAccessible(page, 'dashboards in Chinese');
  await screenshot(page, 'dashboards-zh');
  await context.close();
});

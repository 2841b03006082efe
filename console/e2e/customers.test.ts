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

/** A KeyTable by its accessible name (whatever role the list wears). */
const keyList = (page: Page, name: string) => page.locator(`.ff-key-table[aria-label="${name}"]`);

/**
 * Customer 360 and the search box: a credit officer finds a customer from the header's search ("/"
 * focuses it) and sees their receivables and their collections history (no silo between credit and
 * collections); a viewer reads the same pages with no write button; the page in Chinese.
 */

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

const WRITE_BUTTONS = /save|claim|reassign|record|create|delete|edit|propose|approve|submit|change/i;

test('a credit officer opens a customer from the search box and sees receivables and collections history', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'credit_officer');
  await page.keyboard.press('/');
  const search = page.getByRole('combobox', { name: 'Search' });
  await search.pressSequentially('DEMO-C2');
  // Grouped hits: the customer, then the cases of their accounts.
  // antd draws the options outside the accessible listbox it keeps for screen readers: found by text.
  const dropdown = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  const option = dropdown.locator('.ant-select-item-option').filter({ hasText: 'Lucía Fernández' }).first();
  await option.waitFor();
  await dropdown.getByText('Customers', { exact: true }).waitFor();
  await dropdown.getByText('Collection cases', { exact: true }).waitFor();
  await option.click();
  await page.waitForURL(/\/customers\/cus_/);
  await page.getByRole('heading', { name: 'Lucía Fernández', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Risk-rating history', level: 2 }).waitFor();
  await assertAccessible(page, 'customer 360 overview');

  await page.getByRole('tab', { name: /Receivables/ }).click();
  const accounts = keyList(page, 'Accounts');
  await accounts.getByText('DEMO-L4').waitFor();
  await keyList(page, 'Schedule').waitFor();
  await keyList(page, 'Payments').waitFor();

  await page.getByRole('tab', { name: 'Collections' }).click();
  const cases = keyList(page, 'Collection cases');
  await cases.getByText('DEMO-L4').waitFor();
  await page.getByRole('heading', { name: 'Collections history', level: 2 }).waitFor();
  await page.getByRole('tab', { name: /Promises to pay \(\d+\)/ }).waitFor();
  await page.getByRole('heading', { name: /^Case for / }).waitFor();
  await assertAccessible(page, 'customer 360 collections');
  await screenshot(page, 'customer-360');

  await page.getByRole('tab', { name: 'Credit' }).click();
  await keyList(page, 'Credit applications').waitFor();
  await page.getByRole('tab', { name: 'Messages and letters' }).click();
  await keyList(page, 'Messages sent').waitFor();
  await assertAccessible(page, 'customer 360 messages');
  await context.close();
});

test('the customer list searches and filters; a viewer sees no write buttons; the page in Chinese', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'viewer');
  await page.goto(`${server.url}/customers`);
  await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
  const list = keyList(page, 'Customers');
  await list.getByText('Emma Clarke').waitFor();
  await choose(page, 'Risk rating', 'D');
  await list.getByText('Emma Clarke').waitFor({ state: 'detached' });
  await list.getByText('Distribuciones Sol S.L.').waitFor();
  await assertAccessible(page, 'customer list');
  await screenshot(page, 'customers');
  assert.equal(await page.getByRole('button', { name: WRITE_BUTTONS }).count(), 0);

  // Enter opens the highlighted customer.
  await list.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Distribuciones Sol S.L.', level: 1 }).waitFor();
  for (const tab of ['Overview', 'Receivables', 'Collections', 'Credit', 'Messages and letters']) {
    await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
    await page.waitForLoadState('networkidle');
    assert.equal(await page.getByRole('button', { name: WRITE_BUTTONS }).count(), 0, `no write button on ${tab}`);
  }

  await page.goto(`${server.url}/profile`);
  await choose(page, 'Language', '简体中文');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('navigation', { name: '主导航' }).waitFor();
  await page.goto(`${server.url}/customers?q=DEMO-C3`);
  await page.getByRole('heading', { name: '客户', level: 1 }).waitFor();
  await keyList(page, '客户').getByRole('link', { name: '王伟' }).click();
  await page.getByRole('heading', { name: '王伟', level: 1 }).waitFor();
  await page.getByRole('tab', { name: '催收' }).click();
  await page.getByRole('heading', { name: '催收历史', level: 2 }).waitFor();
  await assertAccessible(page, 'customer 360 in Chinese');
  await screenshot(page, 'customer-360-zh-CN');
  await context.close();
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../src/auth/totp.js';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET } from '../../src/demo/seed-users.js';
import { ManualClock } from '../../src/core/clock.js';
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
 * My work, worked as a collector would: the demo's collections strategies run two days on a manual
 * clock (close of business each day) until the call stage gives the demo collector their calls; the
 * collector opens one, sees the customer, balances, schedule and case beside it, records a promise
 * to pay through the task's own form and outcome, and the case shows the promise and its timeline
 * the call. A collections manager reassigns a task back to its queue.
 */

const DAY = 24 * 3600_000;
const day = (date: Date, days: number) => new Date(date.getTime() + days * DAY).toISOString().slice(0, 10);

let server: ConsoleServer;
let browser: Browser;
let clock: ManualClock;
const get = async <T>(path: string): Promise<T> => (await (await server.call(`/api/v1${path}`)).json()) as T;

interface TaskRow {
  id: string;
  title: string;
  assignee: string | null;
  instanceId: string;
}

async function openCallTasks(assignee: string): Promise<TaskRow[]> {
  const { data } = await get<{ data: TaskRow[] }>(`/tasks?status=open&assignee=${assignee}&limit=50`);
  return data.filter((t) => t.title.startsWith('Call '));
}

let collectorId = '';

/** The harness's sign-in, with the TOTP code of the server's (moved) clock: for roles with a second factor. */
async function signInOnServerTime(page: Page, role: 'collections_manager'): Promise<void> {
  await page.goto(server.url);
  await page.getByLabel('Email').fill(server.email(role));
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Authentication code').fill(totpCode(DEMO_TOTP_SECRET, clock.now()));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
}

before(async () => {
  clock = new ManualClock(`${new Date().toISOString().slice(0, 10)}T10:00:00Z`);
  server = await startConsoleServer({ clock });
  browser = await launchBrowser();
  const users = await get<{ data: Array<{ id: string; roles: string[] }> }>('/users?limit=50');
  collectorId = users.data.find((u) => u.roles.includes('collector'))!.id;
  // The demo's calls go to the collectors named in the settings: the demo collector is the one.
  const settings = await server.call('/api/v1/collections/settings', {
    method: 'PUT',
    json: { collectors: [{ user: collectorId, languages: ['en', 'es', 'zh', 'zh-CN'] }] },
  });
  assert.equal(settings.status, 200);
  await new Promise((resolve) => setTimeout(resolve, 3000)); // the seeded cases' first stages run
  // A day at a time (close of business each day) until the strategies reach their call stage; the
  // worker runs each day's stages before the next day begins.
  for (let days = 1; (await openCallTasks(collectorId)).length < 2; days++) {
    assert.ok(days <= 4, 'the call stage gave the collector their calls within four days');
    clock.advance(DAY + 60_000);
    const asOf = clock.now().toISOString().slice(0, 10);
    const cob = await server.call('/api/v1/receivables/close-of-business', { method: 'POST', json: { asOf } });
    assert.equal(cob.status, 200);
    await cob.body?.cancel();
    const settled = Date.now() + 20_000;
    while (Date.now() < settled && (await openCallTasks(collectorId)).length < 2) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('a collector works a call task end to end: context beside it, a promise recorded, the case shows it', async () => {
  const calls = await openCallTasks(collectorId);
  const task = calls.find((t) => t.title.includes('Lucía Fernández')) ?? calls[0]!;
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'collector');
  assert.match(page.url(), /\/my-work$/);
  await page.getByRole('heading', { name: 'My work', level: 1 }).waitFor();
  const list = keyList(page, 'My tasks, due first');
  await list.getByRole('link', { name: task.title }).waitFor();
  await assertAccessible(page, 'my work');
  await screenshot(page, 'my-work');

  // Keyboard: the list takes ↓/Enter; opening puts the task in the URL and on the same screen.
  await list.getByRole('link', { name: task.title }).click();
  await page.waitForURL(/\?task=tsk_/);
  assert.ok(page.url().endsWith(`?task=${task.id}`));
  const panel = page.getByRole('region', { name: `Task: ${task.title}` });
  await panel.waitFor();
  // The context: customer, balances, case, promises — no id copied anywhere.
  await page.getByRole('heading', { name: 'Customer', level: 2 }).waitFor();
  await page.getByRole('heading', { name: 'Balances', level: 2 }).waitFor();
  await page.getByRole('heading', { name: 'Collection case', level: 2 }).waitFor();
  await page.getByRole('tab', { name: /Promises \(0\)/ }).waitFor();
  await page.getByRole('tab', { name: 'Schedule' }).click();
  await keyList(page, 'Schedule').waitFor();

  // The task's own form and outcomes.
  await panel.getByLabel('Spoke to the customer themselves').check();
  await choose(page, 'Willingness to pay', 'willing');
  await panel.getByLabel('Promised amount (minor units)').fill('25000');
  await panel.getByLabel('Promised date').fill(day(clock.now(), 5));
  await panel.getByLabel('Notes').fill('Will pay on Friday');
  await assertAccessible(page, 'my work with a task open');
  await screenshot(page, 'my-work-task');
  await panel.getByRole('button', { name: 'Promise' }).click();
  await page.getByText('Task completed: Promise').waitFor();
  await panel.getByText(/This task is Completed/).waitFor();

  // The call step runs in the worker; the case (polled) then shows the promise and the call.
  await page.getByRole('tab', { name: /Promises \(1\)/ }).waitFor({ timeout: 30_000 });
  await page.getByRole('tab', { name: /Promises \(1\)/ }).click();
  const promises = keyList(page, 'Promises to pay');
  await promises.getByText('€250.00').first().waitFor();
  await page.getByRole('tab', { name: 'Timeline' }).click();
  await page.getByText('call_done').first().waitFor();

  // The server agrees: the case holds the promise the task recorded.
  const instance = await get<{ context: { steps: { open: { caseId: string } } } }>(`/instances/${task.instanceId}`);
  const detail = await get<{ promises: Array<{ amount: string; status: string }> }>(
    `/collections/cases/${instance.context.steps.open.caseId}`,
  );
  assert.deepEqual(
    detail.promises.map((p) => p.amount),
    ['25000'],
  );
  await context.close();
});

test('a collections manager reassigns a task back to its queue; a viewer may not open My work', async () => {
  const [task] = await openCallTasks(collectorId);
  assert.ok(task);
  const context = await newContext(browser);
  const page = await context.newPage();
  await signInOnServerTime(page, 'collections_manager');
  await page.goto(`${server.url}/my-work?task=${task.id}`);
  await page.getByRole('region', { name: `Task: ${task.title}` }).waitFor();
  await choose(page, 'Reassign to', 'Back to the queue (unassigned)');
  await page.getByRole('button', { name: 'Reassign', exact: true }).click();
  await page.getByText('Task reassigned').waitFor();
  const after = await get<{ assignee: string | null }>(`/tasks/${task.id}`);
  assert.equal(after.assignee, null);
  const audit = await get<{ data: Array<{ action: string }> }>(`/audit?entityType=task&entityId=${task.id}`);
  assert.ok(audit.data.some((row) => row.action === 'task.reassigned'));
  await context.close();

  const viewer = await newContext(browser);
  const viewerPage = await viewer.newPage();
  await signIn(viewerPage, server, 'viewer');
  await viewerPage.goto(`${server.url}/my-work`);
  await viewerPage.getByText('Your roles do not allow this page.').waitFor();
  assert.equal(await viewerPage.getByRole('button', { name: 'Claim' }).count(), 0);
  await viewer.close();
});

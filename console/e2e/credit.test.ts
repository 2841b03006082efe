import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Role } from '../../src/auth/roles.js';
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

/**
 * Credit in the console: a credit officer decides a review task on an application policy referred to
 * review; on an application the officer submitted themselves, above their authority (level 2), the
 * officer is refused (four eyes) while a credit manager approves it.
 *
 * The demo runs without a credit bureau, so policy refers every application to review
 * (AN_NO_BUREAU): up to 10 000.00 at level 1 (credit-officers), up to 25 000.00 at level 2
 * (credit-managers).
 */

let server: ConsoleServer;
let browser: Browser;
const ids = new Map<Role, string>();

async function userId(role: Role): Promise<string> {
  const row = await server.database.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', server.email(role))
    .executeTakeFirstOrThrow();
  return row.id;
}

async function admin(path: string, init: { method?: string; json?: unknown; key?: string } = {}) {
  const res = await server.call(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    token: server.adminToken,
    json: init.json,
    headers: init.key ? { 'idempotency-key': init.key } : {},
  });
  const body = (await res.json()) as Record<string, unknown>;
  assert.ok(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

const applicationBody = (n: string, amount: string, name: string) => ({
  applicant: { externalId: `E2E-${n}`, name, dateOfBirth: '1982-04-12', email: `${n}@example.com`, language: 'en' },
  product: 'personal-loan',
  amount,
  currency: 'EUR',
  termMonths: 36,
  purpose: 'car',
  monthlyIncome: '600000',
  monthlyExpenses: '100000',
  employment: { status: 'employed', monthsInJob: 60, employer: 'Acme' },
  consent: { bureauCheck: true },
});

async function inReview(id: string, level: number): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const app = await admin(`/credit/applications/${id}`);
    if (app.status === 'in_review') {
      assert.equal((app.authority as { level: number }).level, level);
      return app;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`application ${id} never reached review`);
}

before(async () => {
  server = await startConsoleServer();
  browser = await launchBrowser();
  for (const role of ['credit_officer', 'credit_manager'] as const) ids.set(role, await userId(role));
  // The review queues hold the demo's people only (examples/queues.json names people who cannot sign in).
  await admin('/queues/credit-officers', { method: 'PUT', json: { members: [ids.get('credit_officer')] } });
  await admin('/queues/credit-managers', { method: 'PUT', json: { members: [ids.get('credit_manager')] } });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

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

/** A call to the API from the signed-in page, as the console makes it (session cookie + CSRF token). */
async function fromPage(page: Page, method: string, path: string, body?: unknown, key?: string) {
  return page.evaluate(
    async ({ method, path, body, key }) => {
      const session = (await (await fetch('/api/v1/session')).json()) as { csrfToken: string };
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken };
      if (key) headers['idempotency-key'] = key;
      const res = await fetch(`/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    { method, path, body, key },
  );
}

test('a credit officer reviews an application referred to review and approves it', async () => {
  const submitted = await admin('/credit/applications', {
    method: 'POST',
    key: 'e2e-level1',
    json: applicationBody('level1', '600000', 'Laura Level-One'),
  });
  const id = String(submitted.id);
  await inReview(id, 1);

  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'credit_officer');
  await page.goto(`${server.url}/credit`);
  await page.getByRole('heading', { level: 1, name: 'Credit' }).waitFor();
  await choose(page, 'Status', 'In review');
  await page.waitForURL(/status=in_review/);
  const list = page.getByRole('group', { name: 'Credit applications' });
  await list.getByText('Laura Level-One').waitFor();
  await settle(page);
  await screenshot(page, 'credit-applications');
  await accessible(page, 'credit applications');

  await list.getByText('Laura Level-One').click();
  await page.waitForURL(new RegExp(`/credit/applications/${id}$`));
  await page.getByRole('heading', { level: 2, name: 'Rules that fired' }).waitFor();
  await page.getByText('credit.routing@1').first().waitFor();
  await page.getByText('RT_LEVEL1').first().waitFor();
  await page.getByRole('group', { name: 'Points per attribute' }).getByText('employment_status').waitFor();

  // The review task, worked here: claim, give the reason, approve.
  const claim = page.getByRole('button', { name: 'Claim' });
  if (await claim.isVisible().catch(() => false)) await claim.click();
  await page.getByLabel('Reason').fill('Income comfortably covers the installment');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('Approved', { exact: true }).first().waitFor();
  await page.getByRole('heading', { level: 2, name: 'Contract' }).waitFor();
  await page.getByText(`${id}.loan`).waitFor();
  await settle(page);
  await screenshot(page, 'credit-application');
  await accessible(page, 'credit application');

  const decided = await admin(`/credit/applications/${id}`);
  assert.equal(decided.status, 'approved');
  assert.deepEqual(
    (decided.approvals as Array<{ by: string; level: number; outcome: string }>).map((a) => [a.by, a.level, a.outcome]),
    [[ids.get('credit_officer'), 1, 'approve']],
  );
  await context.close();
});

test('level 2, four eyes: the officer who submitted is refused; a credit manager approves', async () => {
  // The officer takes the application in (through the API, from their session)…
  const officer = await newContext(browser);
  const officerPage = await officer.newPage();
  await signIn(officerPage, server, 'credit_officer');
  const submitted = await fromPage(
    officerPage,
    'POST',
    '/credit/applications',
    applicationBody('level2', '1500000', 'Leo Level-Two'),
    'e2e-level2',
  );
  assert.equal(submitted.status, 201, JSON.stringify(submitted.body));
  const id = String(submitted.body.id);
  const app = await inReview(id, 2);
  const task = (
    (await admin(`/tasks?status=open&instanceId=${String(app.instanceId)}`)).data as Array<{ id: string }>
  )[0];
  assert.ok(task);

  // …and may not approve it: the page says why, and the server refuses the attempt.
  await officerPage.goto(`${server.url}/credit/applications/${id}`);
  await officerPage.getByText('RT_LEVEL2').first().waitFor();
  await officerPage.getByText('You may not work this task: it needs a different person (four eyes).').waitFor();
  assert.equal(await officerPage.getByRole('button', { name: 'Approve' }).count(), 0);
  const attempt = await fromPage(officerPage, 'POST', `/tasks/${task.id}/complete`, {
    outcome: 'approve',
    data: { comment: 'my own application' },
  });
  assert.equal(attempt.status, 409);
  assert.equal(attempt.body.code, 'separation_of_duties');
  await officer.close();

  // A credit manager approves at level 2.
  const manager = await newContext(browser);
  const page = await manager.newPage();
  await signIn(page, server, 'credit_manager');
  await page.goto(`${server.url}/credit/applications/${id}`);
  await page.getByText('Level 2').first().waitFor();
  const claim = page.getByRole('button', { name: 'Claim' });
  if (await claim.isVisible().catch(() => false)) await claim.click();
  await page.getByLabel('Reason').fill('Within a manager’s authority; stable income');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('Approved', { exact: true }).first().waitFor();
  await page.getByRole('group', { name: 'Approvals so far' }).getByText('approve').waitFor();

  const decided = await admin(`/credit/applications/${id}`);
  assert.equal(decided.status, 'approved');
  assert.equal(decided.submittedBy, ids.get('credit_officer'));
  assert.deepEqual(
    (decided.approvals as Array<{ by: string; level: number; outcome: string }>).map((a) => [a.by, a.level, a.outcome]),
    [[ids.get('credit_manager'), 2, 'approve']],
  );
  await manager.close();
});

test('the credit pages read in Chinese', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'viewer');
  const set = await fromPage(page, 'PATCH', '/me', { locale: 'zh-CN' });
  assert.equal(set.status, 200);
  await page.reload();
  await page.goto(`${server.url}/credit`);
  await page.getByRole('heading', { level: 1, name: '信贷' }).waitFor();
  const list = page.getByRole('group', { name: '信贷申请' });
  await list.getByRole('row').nth(1).waitFor();
  await list.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/credit\/applications\/capp_/);
  await page.getByRole('heading', { level: 2, name: '触发的规则' }).waitFor();
  await page.getByText('审核任务由信贷专员和信贷经理处理。').waitFor();
  await settle(page);
  await screenshot(page, 'credit-application-zh-CN');
  await accessible(page, 'credit application in Chinese');
  assert.equal((await fromPage(page, 'PATCH', '/me', { locale: 'en' })).status, 200);
  await context.close();
});

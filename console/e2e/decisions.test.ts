import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
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

const api = async (path: string, init: { method?: string; json?: unknown; headers?: Record<string, string> } = {}) => {
  const res = await server.call(`/api/v1${path}`, init);
  const body = (await res.json()) as Record<string, unknown>;
  assert.ok(res.ok, `${init.method ?? 'GET'} ${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
};

/** axe-core on the page: no serious or critical violation. */
/** Waits until no spinner shows (antd fades a loading table), so axe and screenshots see the page at rest. */
async function settle(page: Page): Promise<void> {
  await page
    .locator('.ant-spin-spinning')
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 })
    .catch(() => {});
  await page.waitForTimeout(400);
}

async function accessible(page: Page, what: string, withoutEditor = false): Promise<void> {
  await settle(page);
  const hide = (display: string) =>
    page.evaluate(`document.querySelector('[data-testid=jdm-editor]').style.display = '${display}'`);
  if (withoutEditor) await hide('none'); // axe skips what is not displayed
  try {
    await assertAccessible(page, what);
  } finally {
    if (withoutEditor) await hide('');
  }
}

before(async () => {
  server = await startConsoleServer({ config: { fourEyesChanges: true } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

let changeId = '';

test('a credit manager edits a decision table in the JDM editor, simulates it and proposes it', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'credit_manager');
  await page.goto(`${server.url}/decisions`);
  await page.getByRole('link', { name: 'credit.terms' }).waitFor();
  await accessible(page, 'decisions list');
  await screenshot(page, 'decisions-list');

  await page.getByRole('link', { name: 'credit.terms' }).click();
  await page.getByRole('heading', { name: 'Decision credit.terms' }).waitFor();
  const editor = page.getByTestId('jdm-editor');
  // Open the decision table node in its own tab of the editor.
  // exact: the node itself is a button whose name contains its actions' names.
  await editor.getByRole('button', { name: 'Edit Table', exact: true }).first().click();
  await editor.getByRole('tab', { name: 'Limit, price and term by grade' }).waitFor();
  // A cell is a code editor (or a textarea): find the one holding grade A's maximum amount.
  const mark = `(() => {
    const cells = [...document.querySelectorAll('[data-testid=jdm-editor] textarea, [data-testid=jdm-editor] .cm-content')];
    const cell = cells.find((e) => (e.value ?? e.textContent ?? '').trim() === '5000000');
    if (cell) cell.setAttribute('data-e2e-cell', 'max-a');
    return !!cell;
  })()`;
  // Polled with evaluate (the DevTools protocol): waitForFunction would eval in the page, which the CSP forbids.
  let found = false;
  for (let i = 0; i < 150 && !found; i++) {
    found = await page.evaluate<boolean>(mark);
    if (!found) await page.waitForTimeout(200);
  }
  if (!found) await screenshot(page, 'debug-decision-editor');
  assert.ok(found, 'the cell with grade A maximum amount');
  const cell = page.locator('[data-e2e-cell=max-a]');
  await cell.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('6000000');
  await page.keyboard.press('Tab');
  await page.getByTestId('diff').getByText('6000000').waitFor();

  await page.getByLabel('Sample input (JSON)').fill(JSON.stringify({ grade: 'A', product: 'personal-loan' }));
  await page.getByRole('button', { name: 'Simulate', exact: true }).click();
  const result = page.getByTestId('simulation-result');
  await result.getByText('"maxAmount": 6000000').waitFor();
  await page.getByTestId('trace').getByText('Limit, price and term by grade').first().waitFor();

  await page.getByLabel('Why (shown to the reviewer)').fill('Raise the grade A limit to 60 000');
  await page.getByRole('button', { name: 'Propose for review' }).click();
  await page.getByText('Proposed: waiting for a second person to approve it').waitFor();
  changeId = (await page.getByRole('status').filter({ hasText: 'Proposed' }).locator('code').textContent()) ?? '';
  assert.match(changeId, /^chg_/);
  await screenshot(page, 'decision-editor');
  await accessible(page, 'decision editor (outside the JDM editor)', true);

  // The proposer cannot approve their own change: the button is disabled and says why.
  await page.goto(`${server.url}/decisions/changes`);
  const row = page.getByRole('row').filter({ hasText: changeId });
  await row.getByText('You proposed this: another person must review it').first().waitFor();
  assert.ok(await row.getByRole('button', { name: 'Approve' }).isDisabled());
  // (The server's own refusal, 409 separation_of_duties, is tested in src/api/routes/changes.test.ts.)
  assert.equal((await api(`/changes/${changeId}`)).status, 'proposed');
  await context.close();
});

test('a second person approves it, and a new credit application is decided by the new version', async () => {
  assert.ok(changeId, 'the first test proposed a change');
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'collections_manager');
  await page.goto(`${server.url}/decisions/changes`);
  const row = page.getByRole('row').filter({ hasText: changeId });
  await row.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('Approved and applied').waitFor();
  const decision = await api('/decisions/credit.terms');
  assert.equal(decision.version, 2);

  const submitted = await api('/credit/applications', {
    method: 'POST',
    headers: { 'idempotency-key': randomUUID() },
    json: {
      applicant: {
        externalId: `E2E-${randomUUID().slice(0, 8)}`,
        name: 'Nora Lind',
        dateOfBirth: '1986-03-14',
        email: 'nora@example.org',
      },
      product: 'personal-loan',
      currency: 'EUR',
      amount: '300000',
      termMonths: 24,
      purpose: 'car',
      monthlyIncome: '400000',
      monthlyExpenses: '120000',
      employment: { status: 'employed', monthsInJob: 60 },
      consent: { bureauCheck: true },
    },
  });
  let decided: Record<string, unknown> = submitted;
  for (let i = 0; i < 300; i++) {
    decided = await api(`/credit/applications/${String(submitted.id)}`);
    if ((decided.decisions as unknown[]).length > 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const used = (decided.decisions as Array<{ key: string; version: number }>).find((d) => d.key === 'credit.terms');
  assert.deepEqual(used, { key: 'credit.terms', version: 2 }, JSON.stringify(decided.decisions));

  // The decision's page says which version decided each application.
  await page.goto(`${server.url}/decisions/credit.terms`);
  const decidedBy = page.getByTestId('decided-by');
  await decidedBy
    .getByRole('row')
    .filter({ hasText: String(submitted.id) })
    // Exact: a substring match also finds "V2" inside the random application id (capp_…YV295…).
    .getByText('v2', { exact: true })
    .waitFor();

  // The same pages in Spanish.
  await page.goto(`${server.url}/profile`);
  await choose(page, 'Language', 'Español');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Perfil' }).waitFor();
  await page.goto(`${server.url}/decisions/changes`);
  await page.getByRole('heading', { name: 'Cambios pendientes de revisión' }).waitFor();
  await page.getByRole('checkbox', { name: 'Mostrar también los cambios decididos' }).check();
  await page.getByRole('row').filter({ hasText: changeId }).getByText('Aprobado').waitFor();
  await accessible(page, 'changes (es)');
  await screenshot(page, 'decisions-changes-es');
  await context.close();
});

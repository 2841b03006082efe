import assert from 'node:assert/strict';
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

// A small workflow whose second step always fails at once (event.publish refuses an unknown
// field): every instance lands in the dead letter, for an operator to deal with.
const FLAKY = `key: e2e-flaky
name: Flaky partner sync
steps:
  - id: prepare
    type: action
    action: context.set
    with: { ready: true }
  - id: check
    type: switch
    cases:
      - when: 'input.skip == true'
        next: done
    default: publish
  - id: publish
    type: action
    action: event.publish
    with: { type: 'partner.sync', bogus: 1 }
  - id: done
    type: end
    outcome: done
`;
// More than one page (50) of failed instances: the bulk action must reach those not shown.
const FAILED = 55;

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

async function accessible(page: Page, what: string): Promise<void> {
  await settle(page);
  await assertAccessible(page, what);
}

let server: ConsoleServer;
let browser: Browser;
const api = async (path: string, init: { method?: string; json?: unknown } = {}) => {
  const res = await server.call(`/api/v1${path}`, init);
  const body = (await res.json()) as Record<string, unknown>;
  assert.ok(res.ok, `${init.method ?? 'GET'} ${path} → ${res.status} ${JSON.stringify(body)}`);
  return body;
};
const failedCount = async () => (await api('/instances/count?status=failed&workflow=e2e-flaky')).count as number;

before(async () => {
  server = await startConsoleServer();
  browser = await launchBrowser();
  await api('/workflows', { method: 'POST', json: { source: FLAKY } });
  for (let i = 0; i < FAILED; i++) {
    await api('/workflows/e2e-flaky/instances', { method: 'POST', json: { correlationKey: `partner-${i}` } });
  }
  for (let i = 0; i < 600 && (await failedCount()) < FAILED; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await failedCount(), FAILED);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test(
  'an operator finds the failed instances, bulk-retries the whole filtered set and sees each outcome',
  { timeout: 180_000 },
  async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, server, 'operator');
    await page.goto(`${server.url}/workflows`);
    // Failed instances are front and centre: the banner counts them and filters in one click.
    await page.getByText(/failed instances are waiting for an operator/).waitFor();
    await page.getByRole('button', { name: 'Show failed instances' }).first().click();
    await page.waitForURL(/\/workflows\/instances\?status=failed/);
    await page.getByLabel('Search instances').fill('e2e-flaky');
    await page.getByLabel('Search instances').press('Enter');
    await page.waitForURL(/q=e2e-flaky/);
    await page.getByTestId('matching-count').getByText(`${FAILED} instances match`).waitFor();
    // One page shows 50; the rest is on the next page.
    const rows = page.locator('tr[id^="row-wfi_"]');
    for (let i = 0; i < 100 && (await rows.count()) !== 50; i++) await page.waitForTimeout(100);
    if ((await rows.count()) !== 50) await screenshot(page, 'debug-workflows-instances');
    assert.equal(await rows.count(), 50);
    await accessible(page, 'workflow instances');
    await screenshot(page, 'workflows-instances');

    await page.getByRole('button', { name: 'Bulk actions on every matching instance' }).click();
    await page.getByRole('menuitem', { name: 'Retry all matching' }).click();
    const confirm = page.getByRole('dialog', { name: 'Retry all matching' });
    await confirm.getByText(`all ${FAILED} instances that match the filter`).waitFor();
    await confirm.getByLabel('Reason').fill('partner endpoint fixed');
    await confirm.getByRole('button', { name: `Apply to ${FAILED}` }).click();
    const outcomes = page.getByRole('dialog', { name: /Outcome per instance/ });
    await outcomes.getByTestId('bulk-counts').getByText(`Done: ${FAILED}`).waitFor();
    await outcomes.getByText('Skipped: 0').waitFor();
    assert.ok(await outcomes.getByRole('link', { name: /^wfi_/ }).first().isVisible());
    await accessible(page, 'bulk outcomes');
    await screenshot(page, 'workflows-bulk-outcomes');
    await outcomes.getByRole('button', { name: 'Close', exact: true }).last().click();

    // Every instance's timeline has the retry with its reason (the step then fails again: same cause).
    const list = await api('/instances?workflow=e2e-flaky&limit=100');
    const ids = (list.data as Array<{ id: string }>).map((i) => i.id);
    assert.equal(ids.length, FAILED);
    for (const id of [ids[0]!, ids[FAILED - 1]!]) {
      const instance = await api(`/instances/${id}`);
      const retried = (instance.timeline as Array<{ event: string; data: { reason?: string } }>).filter(
        (e) => e.event === 'instance.retried',
      );
      assert.equal(retried.length, 1, `${id} retried once`);
      assert.equal(retried[0]!.data.reason, 'partner endpoint fixed');
    }
    await context.close();
  },
);

test(
  'the instance page overlays the tokens on the graph, shows the timeline and the operator actions',
  { timeout: 180_000 },
  async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, server, 'operator');
    for (let i = 0; i < 100 && (await failedCount()) < FAILED; i++) await new Promise((r) => setTimeout(r, 100));
    const first = (
      (await api('/instances?workflow=e2e-flaky&status=failed&limit=1')).data as Array<{ id: string }>
    )[0]!;
    await page.goto(`${server.url}/workflows/instances/${first.id}`);
    await page.getByRole('heading', { name: `Instance ${first.id}` }).waitFor();
    const graph = page.getByTestId('workflow-graph');
    await graph.getByTestId('step-publish').waitFor();
    assert.equal(await graph.getByTestId('step-publish').getAttribute('data-state'), 'failed');
    assert.equal(await graph.getByTestId('step-prepare').getAttribute('data-state'), 'done');
    assert.equal(await graph.getByTestId('step-check').getAttribute('data-state'), 'done');
    assert.equal(await graph.getByTestId('step-done').getAttribute('data-state'), 'pending');
    await page.getByTestId('tokens').getByText('publish (failed)').waitFor();
    // The timeline: the failed step's entry is open with its error.
    await page.getByRole('cell', { name: 'failed', exact: true }).first().waitFor();
    await page.getByText(/bogus/).first().waitFor();
    for (const action of ['Retry', 'Migrate', 'Cancel instance']) {
      await page.getByRole('button', { name: action, exact: true }).waitFor();
    }
    await accessible(page, 'workflow instance');
    await screenshot(page, 'workflows-instance');

    // Retry through the page's own action: the timeline gets one more retry.
    const before = (await api(`/instances/${first.id}`)).timeline as Array<{ event: string }>;
    const retriedBefore = before.filter((e) => e.event === 'instance.retried').length;
    await page.getByRole('button', { name: 'Retry', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Reason').fill('one more try');
    await dialog.getByRole('button', { name: 'Retry' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const again = (await api(`/instances/${first.id}`)).timeline as Array<{ event: string; data: { reason?: string } }>;
    const retries = again.filter((e) => e.event === 'instance.retried');
    assert.equal(retries.length, retriedBefore + 1);
    assert.equal(retries.at(-1)?.data.reason, 'one more try');
    await context.close();
  },
);

test(
  'a definition shows its versions and its graph; a viewer sees no operator buttons',
  { timeout: 180_000 },
  async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, server, 'viewer');
    await page.goto(`${server.url}/workflows`);
    await page.getByRole('link', { name: 'e2e-flaky' }).click();
    await page.getByRole('heading', { name: 'Flaky partner sync' }).waitFor();
    const graph = page.getByTestId('workflow-graph');
    for (const step of ['prepare', 'check', 'publish', 'done']) await graph.getByTestId(`step-${step}`).waitFor();
    await graph.getByText('input.skip == true').waitFor(); // the switch case labels its edge
    await accessible(page, 'workflow definition');
    await screenshot(page, 'workflows-definition');

    await page.goto(`${server.url}/workflows/instances?status=failed`);
    await page
      .getByTestId('matching-count')
      .getByText(/instances? match/)
      .waitFor();
    assert.equal(await page.getByRole('button', { name: 'Bulk actions on every matching instance' }).count(), 0);
    const id = ((await api('/instances?workflow=e2e-flaky&limit=1')).data as Array<{ id: string }>)[0]!.id;
    await page.goto(`${server.url}/workflows/instances/${id}`);
    await page.getByTestId('workflow-graph').getByTestId('step-publish').waitFor();
    for (const action of ['Retry', 'Cancel instance', 'Suspend', 'Resume', 'Migrate']) {
      assert.equal(await page.getByRole('button', { name: action, exact: true }).count(), 0, action);
    }
    await context.close();
  },
);

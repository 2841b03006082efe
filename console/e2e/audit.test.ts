// The audit log in a real browser: an auditor filters it by action and by entity, opens a row to its
// before/after diff, sees the hash chain verified — and, after a row is edited behind finflow's back
// in the database, sees the chain broken with that row named and linked.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
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
before(async () => {
  server = await startConsoleServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('an auditor filters the log by action and entity, opens a row’s diff, and sees the chain verified', async () => {
  // A change with a before and an after: the collectors queue gets a member more.
  const queues = (await (await server.call('/api/v1/queues')).json()) as {
    data: Array<{ name: string; members: string[] }>;
  };
  const collectors = queues.data.find((q) => q.name === 'collectors');
  assert.ok(collectors);
  const put = await server.call('/api/v1/queues/collectors', {
    method: 'PUT',
    json: { members: [...collectors.members, 'audit-probe'] },
  });
  assert.equal(put.status, 200);

  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'auditor');
  await page.getByRole('link', { name: 'Audit' }).click();
  await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  await page.getByText('Chain verified').waitFor();
  const list = page.getByRole('group', { name: 'Audit entries' });
  await list.locator('tbody tr').first().waitFor();

  // By action prefix: only the users' rows remain.
  await page.getByLabel('Action').fill('user.*');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL(/action=user\.\*/);
  await list.getByText('user.created').first().waitFor();
  const actions = await list.locator('tr[id^="row-aud_"] td:nth-child(3)').allInnerTexts();
  assert.ok(actions.length > 0);
  assert.ok(
    actions.every((a) => a.startsWith('user.')),
    actions.join(', '),
  );

  // By entity: the collectors queue's trail, newest first; its latest change opens to the diff.
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.waitForURL((u) => u.search === '');
  // The form follows the URL: cleared fields empty (after React's next render).
  for (let i = 0; (await page.getByLabel('Action').inputValue()) !== ''; i++) {
    assert.ok(i < 50, 'the Action filter was not cleared');
    await page.waitForTimeout(100);
  }
  await page.getByLabel('Entity type').fill('queue');
  await page.getByLabel('Entity id').fill('collectors');
  await page.getByRole('button', { name: 'Apply' }).click();
  await page.waitForURL((u) => u.search === '?entityType=queue&entityId=collectors');
  const first = list.locator('tr[id^="row-aud_"]').first();
  await first.getByText('queue.updated').waitFor();
  await first.getByRole('button', { name: /^Show changes aud_/ }).click();
  const diff = page.getByRole('table', { name: 'Changes' });
  await diff.waitFor();
  await diff.getByText('audit-probe').waitFor();
  assert.match(await diff.innerText(), /members\[\d+\]/);
  assert.match(await diff.innerText(), /added/);

  await screenshot(page, 'audit');
  await assertAccessible(page, 'audit log');
  await context.close();
});

test('a row edited in the database breaks the chain, and the page names and links that row', async () => {
  // As an attacker with database rights would: the append-only trigger off, one sealed row changed.
  const victim = await server.database.db
    .selectFrom('audit_log')
    .select(['id', 'chain_seq'])
    .where('chain_seq', 'is not', null)
    .orderBy('chain_seq')
    .offset(4)
    .limit(1)
    .executeTakeFirstOrThrow();
  await server.database.transaction(async (tx) => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(tx);
    await tx.updateTable('audit_log').set({ actor: 'someone-else' }).where('id', '=', victim.id).execute();
    await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(tx);
  });

  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'auditor');
  await page.goto(`${server.url}/audit`);
  const alert = page.getByRole('alert').filter({ hasText: 'Chain broken' });
  await alert.waitFor();
  assert.match(await alert.innerText(), new RegExp(`chain position ${String(victim.chain_seq)} \\(altered\\)`));
  await alert.getByRole('link', { name: `Show entry ${victim.id}` }).click();
  await page.waitForURL(new RegExp(`id=${victim.id}`));
  const list = page.getByRole('group', { name: 'Audit entries' });
  const rows = list.locator('tr[id^="row-aud_"]');
  await rows.first().getByText('broken here').waitFor();
  assert.equal(await rows.count(), 1);
  await list.getByText('someone-else').first().waitFor();
  await screenshot(page, 'audit-broken');
  await assertAccessible(page, 'audit log, chain broken');
  await context.close();
});

// Administration in a real browser: an admin creates a user with a role and sees them listed, creates
// an API key and sees its token once, previews a message template in Spanish and Chinese, and replays
// a webhook delivery to a receiver on 127.0.0.1; an operator works the section in Spanish; a viewer
// gets no administration menu at all.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
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
let receiver: Server;
const received: string[] = [];

before(async () => {
  server = await startConsoleServer();
  browser = await launchBrowser();
  // A webhook receiver on 127.0.0.1 (the test server's outbound policy allows it): records webhook-ids.
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(String(req.headers['webhook-id']));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  await browser?.close();
  await server?.close();
  receiver?.closeAllConnections();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('an admin creates a user with a role, and the user is listed', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'admin');
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.waitForURL(/\/admin\/users$/);
  const list = page.getByRole('group', { name: 'Users' });
  await list.getByText('ana collector', { exact: false }).first().waitFor();

  await page.getByRole('button', { name: 'New user' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Email').fill('nina.new@demo.finflow.test');
  await dialog.getByLabel('Name').fill('Nina Newcomer');
  await choose(page, 'Roles', 'collector');
  await dialog.getByLabel('Name').click(); // closes the multi-select's dropdown
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog
    .getByText('User nina.new@demo.finflow.test created')
    .waitFor()
    .catch(async (error: unknown) => {
      await screenshot(page, 'admin-users-failed');
      throw error;
    });
  const otp = await dialog.getByTestId('shown-once').innerText();
  assert.match(otp, /^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  const row = list.locator('tr', { hasText: 'nina.new@demo.finflow.test' });
  await row.waitFor();
  assert.match(await row.innerText(), /collector/);
  // Shown once: gone from the page when the dialog closes.
  await page.getByText(otp).waitFor({ state: 'detached' });

  await screenshot(page, 'admin-users');
  await assertAccessible(page, 'administration: users');
  await context.close();
});

test('an admin creates an API key and sees its token once; previews a template in es and zh-CN', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'admin');
  await page.goto(`${server.url}/admin/api-keys`);
  await page.getByRole('button', { name: 'New API key' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Name').fill('core banking sync');
  await choose(page, /^Role$/, 'operator');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.getByText('API key core banking sync created').waitFor();
  const token = await dialog.getByTestId('shown-once').innerText();
  assert.ok(token.length > 20, token);
  // The token works: it is a real key of the role chosen.
  assert.equal((await server.call('/api/v1/queues', { token })).status, 200);
  await dialog.getByRole('button', { name: 'Close', exact: true }).last().click();
  const list = page.getByRole('group', { name: 'API keys' });
  await list.locator('tr', { hasText: 'core banking sync' }).waitFor();
  await page.getByText(token).waitFor({ state: 'detached' }); // shown once
  await screenshot(page, 'admin-api-keys');
  await assertAccessible(page, 'administration: API keys');

  await page.getByRole('link', { name: 'Message templates' }).click();
  await page.getByRole('group', { name: 'Templates' }).getByRole('link', { name: 'payment_reminder' }).first().click();
  await page.waitForURL(/\/admin\/templates\/email\/payment_reminder$/);
  const preview = page.getByTestId('template-preview');
  await preview.getByText('Rendered in en').waitFor();
  await page.getByText('Español', { exact: true }).click();
  await preview.getByText('Rendered in es').waitFor();
  assert.match(await preview.innerText(), /Recordatorio: 1\.?250,00\s€ vence el 1 de abril de 2026/);
  await page.getByText('简体中文', { exact: true }).click();
  await preview.getByText('Rendered in zh-CN').waitFor();
  assert.match(await preview.innerText(), /付款提醒/);
  assert.match(await preview.innerText(), /2026年4月1日/);
  // The email's HTML is rendered in a sandboxed frame.
  const frame = page.frameLocator('iframe[title="Rendered email"]');
  await frame.getByText('María García', { exact: false }).first().waitFor();
  await screenshot(page, 'admin-templates');
  await assertAccessible(page, 'administration: template preview');
  await context.close();
});

test('lists come from the server a page at a time: API keys with Load more; queue members by user search', async () => {
  // More keys than a page (50): the list shows one page, and Load more fetches the next by its cursor.
  for (let i = 0; i < 52; i++) {
    const res = await server.call('/api/v1/api-keys', {
      method: 'POST',
      json: { name: `batch key ${String(i).padStart(2, '0')}`, role: 'viewer' },
    });
    assert.equal(res.status, 201);
  }
  const total = (await server.database.db.selectFrom('api_keys').select('id').execute()).length;
  assert.ok(total > 50 && total <= 100, `${total} keys`);
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'admin');
  await page.goto(`${server.url}/admin/api-keys`);
  const keys = page.getByRole('group', { name: 'API keys' });
  await keys.locator('tbody tr', { hasText: 'batch key' }).first().waitFor();
  assert.equal(await keys.locator('tbody tr').count(), 50);
  await page.getByRole('button', { name: 'Load more' }).click();
  await keys.locator('tr', { hasText: 'batch key 51' }).waitFor();
  assert.equal(await keys.locator('tbody tr').count(), total);
  await page.getByRole('button', { name: 'Load more' }).waitFor({ state: 'detached' });

  // Queue members show by name (each member read on its own), and the picker searches users on the server.
  await page.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Queues' }).click();
  const queues = page.getByRole('group', { name: 'Work queues' });
  await queues.locator('tr', { hasText: 'collectors' }).getByText('Ana Collector').first().waitFor();
  await queues.getByRole('button', { name: 'Edit members collectors', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Members').fill('olga');
  await page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)')
    .getByTitle('Olga Officer (credit-officer@demo.finflow.test)', { exact: true })
    .waitFor();
  await screenshot(page, 'admin-queues-member-search');
  await context.close();
});

test('an admin sees a webhook delivery and replays it to the receiver', async () => {
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const created = await server.call('/api/v1/webhooks', {
    method: 'POST',
    json: { url, eventTypes: ['console.ping'], description: 'console test receiver' },
  });
  assert.equal(created.status, 201, await created.clone().text());
  const subscription = ((await created.json()) as { id: string }).id;
  const published = await server.call('/api/v1/events', {
    method: 'POST',
    json: { type: 'console.ping', key: 'ping-1', data: { hello: 'world' } },
  });
  assert.equal(published.status, 202, await published.clone().text());
  const delivery = await until('the delivery', async () => {
    const page = (await (await server.call(`/api/v1/webhooks/${subscription}/deliveries`)).json()) as {
      data: Array<{ id: string; status: string }>;
    };
    return page.data.find((d) => d.status === 'delivered')?.id;
  });
  assert.equal(received.filter((id) => id === delivery).length, 1);

  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'admin');
  await page.goto(`${server.url}/admin/webhooks`);
  await page.getByRole('link', { name: subscription }).click();
  await page.waitForURL(new RegExp(`/admin/webhooks/${subscription}$`));
  const deliveries = page.getByRole('group', { name: 'Deliveries' });
  const row = deliveries.locator(`tr[id="row-${delivery}"]`);
  await row.getByText('delivered').waitFor();
  await row.getByRole('button', { name: `Attempts ${delivery}` }).click();
  await deliveries.getByText('"hello": "world"').waitFor();
  await screenshot(page, 'admin-webhooks');
  await assertAccessible(page, 'administration: webhooks');

  await row.getByRole('button', { name: `Replay ${delivery}` }).click();
  await page.getByText(`Delivery ${delivery} queued again`).waitFor();
  await until('the replayed request', () =>
    Promise.resolve(received.filter((id) => id === delivery).length === 2 ? true : undefined),
  );
  await context.close();
});

test('an operator works administration in Spanish: the sections their roles allow, no users or keys', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'operator');
  await page.goto(`${server.url}/profile`);
  await choose(page, 'Language', 'Español');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Perfil' }).waitFor();
  await page.getByRole('link', { name: 'Administración' }).click();
  const sections = page.getByRole('navigation', { name: 'Secciones de administración' });
  await sections.getByRole('link', { name: 'Plantillas de mensajes' }).waitFor();
  assert.equal(await sections.getByRole('link', { name: 'Usuarios y roles' }).count(), 0);
  assert.equal(await sections.getByRole('link', { name: 'Claves de API' }).count(), 0);
  await sections.getByRole('link', { name: 'Configuración' }).click();
  await page.getByRole('tab', { name: 'Reglas de contacto' }).click();
  const json = page.getByLabel('Configuración en JSON');
  await json.waitFor();
  const loaded = await until('the contact rules', async () => {
    const text = await json.inputValue();
    return text.includes('quietHours') ? text : undefined;
  });
  // A bad value is refused by the server, naming the field.
  const rules = JSON.parse(loaded) as { quietHours: { start: string; end: string } | null };
  await json.fill(JSON.stringify({ ...rules, quietHours: { start: '25:99', end: '08:00' } }, null, 2));
  await page.getByRole('button', { name: 'Guardar' }).click();
  await page.getByRole('alert').filter({ hasText: 'body.quietHours' }).waitFor();
  await page.locator('.ant-message-notice').waitFor({ state: 'detached' }); // the profile's "saved" toast
  await screenshot(page, 'admin-settings-es');
  await assertAccessible(page, 'administration in Spanish: settings');
  await context.close();
});

test('a viewer gets no administration menu, and the page refuses them', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'viewer');
  const nav = page.getByRole('navigation', { name: 'Main navigation' });
  await nav.getByRole('link', { name: 'Dashboards' }).waitFor();
  assert.equal(await nav.getByRole('link', { name: 'Administration' }).count(), 0);
  assert.equal(await nav.getByRole('link', { name: 'Audit' }).count(), 0);
  await page.goto(`${server.url}/admin/users`);
  await page.getByText('Your roles do not allow this page.').waitFor();
  assert.equal(await page.getByRole('button', { name: 'New user' }).count(), 0);
  await context.close();
});

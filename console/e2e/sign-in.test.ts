import assert from 'node:assert/strict';
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
before(async () => {
  server = await startConsoleServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('the console is served at / with its caching headers, and a page path gets the app', async () => {
  const index = await fetch(`${server.url}/`);
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(asset, 'index.html names its script');
  const script = await fetch(`${server.url}${asset}`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(script.status, 200);
  assert.equal(script.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.match(script.headers.get('content-type') ?? '', /javascript/);
  const deep = await fetch(`${server.url}/collections/cases/col_123`);
  assert.equal(deep.status, 200);
  assert.match(await deep.text(), /<div id="root">/);
  // A page path with a dot (a decision key, a workflow name) is a page too, not a missing file.
  const dotted = await fetch(`${server.url}/decisions/credit.terms`);
  assert.equal(dotted.status, 200);
  assert.match(await dotted.text(), /<div id="root">/);
  assert.equal((await fetch(`${server.url}/robots.txt`)).status, 404);
  for (const hostile of ['/assets/nope.js', '/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd', '/%E0%A4%A']) {
    const res = await fetch(`${server.url}${hostile}`);
    assert.ok([200, 400, 404].includes(res.status), `${hostile} answered ${res.status}`);
    assert.doesNotMatch(await res.text(), /"name": "finflow"|root:x:0/);
  }
  const api404 = await fetch(`${server.url}/api/v1/nope`, {
    headers: { authorization: `Bearer ${server.adminToken}` },
  });
  assert.equal(api404.status, 404);
  assert.match(api404.headers.get('content-type') ?? '', /problem\+json/);
});

test('a person signs in with password and TOTP, lands on their work, and signs out', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await page.goto(server.url);
  await assertAccessible(page, 'sign-in page');
  await screenshot(page, 'sign-in');
  await page.getByLabel('Email').fill(server.email('collector'));
  await page.getByLabel('Password').fill('wrong password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  await signIn(page, server, 'collector');
  assert.match(page.url(), /\/my-work$/);
  await assertAccessible(page, 'shell');
  await page.getByRole('button', { name: /Ana Collector/ }).click();
  await page.getByText('Sign out').click();
  await page.getByLabel('Email').waitFor();
  await context.close();
});

test('the profile switches the language of the whole console and keeps it across sign-ins', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'viewer');
  await page.goto(`${server.url}/profile`);
  await choose(page, 'Language', 'Español');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('heading', { name: 'Perfil' }).waitFor();
  await page.getByRole('navigation', { name: 'Navegación principal' }).waitFor();
  await assertAccessible(page, 'profile');
  await screenshot(page, 'profile-es');
  await context.close();
});

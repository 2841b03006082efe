// A decision's Function node opens in a working code editor: Monaco comes from finflow's own bundle,
// not from a CDN, which the content security policy forbids and offline installations cannot reach.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { singleNodeDecision } from '../../src/testing/jdm.js';
import { launchBrowser, newContext, screenshot, signIn, startConsoleServer, type ConsoleServer } from './harness.js';

let server: ConsoleServer;
let browser: Browser;

const KEY = 'e2e.doubler';
const SOURCE = 'export const handler = async (input) => { return { doubled: input.x * 2 }; };';
const EDITED = 'export const handler = async (input) => { return { tripled: input.x * 3 }; };';

before(async () => {
  server = await startConsoleServer();
  browser = await launchBrowser();
  // Through the API, as a script would deploy it (four eyes is off in this server's config).
  const res = await server.call(`/api/v1/decisions/${KEY}`, {
    method: 'PUT',
    json: singleNodeDecision({ id: 'fn', type: 'functionNode', name: 'Double x', content: { source: SOURCE } }),
  });
  assert.equal(res.status, 201, await res.text());
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('a credit manager opens a Function node in Monaco, offline and CSP-clean, edits it and simulates', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'credit_manager');
  // From here on (the sign-in page's own 401 for "no session yet" is expected).
  const problems: string[] = [];
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' || /Content Security Policy|Could not create web worker/i.test(text)) {
      problems.push(`${message.type()}: ${text}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  // Nothing may come from another origin: the console must work on an installation without internet.
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(server.url) && !/^(data|blob):/.test(url)) foreign.push(url);
  });
  // Monaco's language services run in web workers (no fallback to the page's own thread).
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(worker.url()));

  await page.goto(`${server.url}/decisions/${KEY}`);
  await page.getByRole('heading', { name: `Decision ${KEY}` }).waitFor();
  const editor = page.getByTestId('jdm-editor');
  // exact: the node itself is a button whose name contains its actions' names.
  await editor.getByRole('button', { name: 'Edit Function', exact: true }).click();
  const monaco = editor.locator('.monaco-editor').first();
  // On failure, say why: a CDN loader blocked by the CSP shows up as console errors.
  await monaco.waitFor({ state: 'visible', timeout: 30_000 }).catch((error: Error) => {
    throw new Error(`${error.message}\n${[...problems, ...foreign].join('\n')}`);
  });
  // Monaco writes spaces as non-breaking ones; getByText normalises them.
  const lines = editor.locator('.monaco-editor .view-lines');
  await lines.getByText('doubled: input.x * 2', { exact: false }).waitFor();
  // The TypeScript worker checks the source; it is a file of finflow's own, not a blob.
  for (let i = 0; i < 100 && !workers.some((url) => url.includes('/assets/ts.worker')); i++) {
    await page.waitForTimeout(100);
  }
  assert.ok(
    workers.some((url) => url.startsWith(`${server.url}/assets/ts.worker`)),
    `TypeScript worker: ${workers.join(', ')}`,
  );
  await screenshot(page, 'decision-function');

  // Edit the source in Monaco; insertText types it at once, without Monaco's auto-closing brackets.
  await editor.locator('.monaco-editor textarea').first().focus();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.insertText(EDITED);
  await lines.getByText('tripled: input.x * 3', { exact: false }).waitFor();
  await page.getByTestId('diff').getByText('tripled', { exact: false }).waitFor();

  // The Simulate button posts the edited graph, run by zen-engine on the server.
  await page.getByLabel('Sample input (JSON)').fill(JSON.stringify({ x: 21 }));
  await page.getByRole('button', { name: 'Simulate', exact: true }).click();
  await page.getByTestId('simulation-result').getByText('"tripled": 63').waitFor();
  await screenshot(page, 'decision-function-simulated');

  assert.deepEqual(problems, [], 'console errors and CSP violations');
  assert.deepEqual(foreign, [], 'requests to another origin');
  await context.close();
});

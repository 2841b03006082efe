import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, screenshot, signIn, startConsoleServer, type ConsoleServer } from '../console/e2e/harness.js';

let server: ConsoleServer;
let browser: Browser;
before(async () => {
  server = await startConsoleServer({ config: { fourEyesChanges: true } });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});
test('explore', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  page.on('console', (m) => console.log('CONSOLE', m.type(), m.text().slice(0, 300)));
  page.on('pageerror', (e) => console.log('PAGEERROR', String(e).slice(0, 500)));
  await signIn(page, server, 'credit_manager');
  await page.goto(`${server.url}/decisions/credit.terms`);
  const editor = page.getByTestId('jdm-editor');
  await page.waitForTimeout(8000);
  await screenshot(page, 'debug-jdm-0');
  console.log('buttons0', await page.getByRole('button').allInnerTexts());
  console.log('labels', await editor.locator('button').evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label') + '|' + b.textContent)));
  console.log('buttons', await editor.getByRole('button').allInnerTexts());
  await page.evaluate(`window.__ev = []; for (const t of ['pointerdown','mousedown','pointerup','mouseup','click']) document.addEventListener(t, (e) => window.__ev.push(t + ':' + e.target.tagName + '.' + (e.target.className && e.target.className.baseVal === undefined ? e.target.className : '') + ':' + (e.target.textContent||'').slice(0,20) + ':' + e.target.isConnected + ':' + e.defaultPrevented), true)`);
  const btn = editor.getByRole('button', { name: 'Edit Table' }).first();
  const box = await btn.boundingBox();
  console.log('box', JSON.stringify(box), await page.evaluate(`(() => { const b = [...document.querySelectorAll('[data-testid=jdm-editor] button')].find((b) => b.textContent === 'Edit Table'); const r = b.getBoundingClientRect(); const at = document.elementFromPoint(r.x + r.width/2, r.y + r.height/2); return JSON.stringify({r, at: at.tagName + '.' + at.className, sy: window.scrollY}); })()`));
  console.log('tabs before', await editor.locator('[role=tab]').allInnerTexts());
  await editor.getByRole('button', { name: 'Edit Table' }).first().click();
  await page.waitForTimeout(1500);
  console.log('events', await page.evaluate(`JSON.stringify(window.__ev)`));
  console.log('tabs after 1', await editor.locator('[role=tab]').allInnerTexts());
  await screenshot(page, 'debug-jdm-1');
  await page.evaluate(`[...document.querySelectorAll('[data-testid=jdm-editor] button')].find((b) => b.textContent === 'Edit Table').click()`);
  await page.waitForTimeout(1500);
  console.log('tabs after 2', await editor.locator('[role=tab]').allInnerTexts());
  await screenshot(page, 'debug-jdm-2');
  const html = await editor.innerHTML();
  console.log(html.length, html.slice(0, 3000));
});

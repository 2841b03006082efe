// What every console test needs: a real finflow server with the demo data (examples, portfolio and
// one user per role), the console built, a real Chromium (Debian's `chromium`, driven by
// playwright-core), and helpers a person's steps map to: sign in with TOTP, look (screenshot), and
// check accessibility with axe-core in the page.
// First: domain schemas are plain zod that routes extend with .openapi(); the extension must load
// before the demo seeders pull in those schemas.
import '@hono/zod-openapi';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { totpCode } from '../../src/auth/totp.js';
import type { Role } from '../../src/auth/roles.js';
import { seedExamples } from '../../src/demo/seed-examples.js';
import { seedPortfolio } from '../../src/demo/seed-portfolio.js';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, demoEmail, seedDemoUsers } from '../../src/demo/seed-users.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../../src/testing/test-server.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BUILT = path.join(ROOT, 'dist/console/index.html');
/** Where the tests save what they saw: `npm run test:console` writes them; CI keeps the folder. */
export const SCREENSHOTS = path.join(ROOT, 'artifacts/console');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

let built = false;
/** Builds the console when it was never built or a source is newer than the build (one build per process). */
export function ensureConsoleBuilt(): void {
  if (built) return;
  const sources = Math.max(
    newestSource(path.join(ROOT, 'console/src')),
    statSync(path.join(ROOT, 'console/index.html')).mtimeMs,
  );
  if (!existsSync(BUILT) || statSync(BUILT).mtimeMs < sources) {
    execFileSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/vite/bin/vite.js'),
        'build',
        '--config',
        'console/vite.config.ts',
        '--logLevel',
        'warn',
      ],
      {
        cwd: ROOT,
        stdio: 'inherit',
      },
    );
  }
  built = true;
}

export interface ConsoleServer extends TestServer {
  /** The demo's users: every role's email; password and TOTP secret are the demo's. */
  email(role: Role): string;
}

/** A finflow server with the demo data `npm start` shows, the console served at its root. */
export async function startConsoleServer(options: TestServerOptions = {}): Promise<ConsoleServer> {
  ensureConsoleBuilt();
  const server = await startTestServer(options);
  await seedExamples(server.engine);
  // In the order `serve --demo` seeds: users first, so the demo collector works the demo's calls.
  await seedDemoUsers(server.database, server.engine.services.clock);
  await seedPortfolio({ database: server.database, clock: server.engine.services.clock, engine: server.engine });
  return Object.assign(server, { email: demoEmail });
}

export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  const found = candidates.find((p): p is string => !!p && existsSync(p));
  if (!found) throw new Error("Chromium not found: install Debian's `chromium` (.ci/run does) or set CHROMIUM_PATH");
  return found;
}

/** A headless Chromium; `--no-sandbox` because CI runs as root, where Chromium's sandbox cannot start. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A fresh browser profile (own cookies) at a laptop's size, in the given language. */
export function newContext(browser: Browser, locale = 'en-US'): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1440, height: 900 }, locale, timezoneId: 'UTC' });
}

// A TOTP code is accepted once: a second sign-in of the same user in the same 30 s uses the next step.
// The server accepts one step early at most, so a third sign-in within 30 s waits for the clock.
const lastStep = new Map<string, number>();
async function nextCode(email: string, secret: string): Promise<string> {
  const step = Math.max(Math.floor(Date.now() / 30_000), (lastStep.get(email) ?? -1) + 1);
  lastStep.set(email, step);
  const earliest = (step - 1) * 30_000 + 1_000; // a second inside the window, for clock skew
  if (Date.now() < earliest) await new Promise((resolve) => setTimeout(resolve, earliest - Date.now()));
  return totpCode(secret, new Date(step * 30_000));
}

/** Signs in through the console's own form, as a person would: email, password, then the TOTP code. */
export async function signIn(
  page: Page,
  server: ConsoleServer,
  role: Role,
  totpSecret = DEMO_TOTP_SECRET,
): Promise<void> {
  const email = server.email(role);
  await page.goto(server.url);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const code = page.getByLabel('Authentication code');
  const shell = page.getByRole('navigation', { name: 'Main navigation' });
  await Promise.race([code.waitFor(), shell.waitFor()]);
  if (await code.isVisible()) {
    await code.fill(await nextCode(email, totpSecret));
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await shell.waitFor();
}

/** Saves what the page shows now as artifacts/console/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** Runs axe-core in the page (WCAG 2.1 A and AA rules) and fails on any serious or critical violation. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  // Through the DevTools protocol, which the page's content security policy does not govern.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    // In the page: the browser's globals, which this Node file's types do not describe.
    const page = globalThis as unknown as {
      axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> };
      document: unknown;
    };
    const result = await page.axe.run(page.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations;
  });
  const serious = (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map(
      (v) =>
        `${v.impact} ${v.id}: ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => JSON.stringify(n.target))
          .join(', ')}`,
    ),
    [],
    `accessibility of ${what}`,
  );
}

/** Picks an option of an antd Select by the field's label and the option's text, as a mouse would. */
export async function choose(page: Page, label: string | RegExp, option: string): Promise<void> {
  const field = page.getByLabel(label);
  await field.click({ force: true }); // antd lays the shown value over its input
  const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  await open.getByTitle(option, { exact: true }).click();
  // A single select closes its list, with an animation: wait until it is closed, or an accessibility
  // check or a screenshot right after sees the closing list (antd's visual options carry
  // aria-selected without a role; the accessible list is a hidden one beside them).
  const multiple = (await page.locator('.ant-select-multiple', { has: field }).count()) > 0;
  if (!multiple) await open.first().waitFor({ state: 'hidden' });
}

// How fast the console's busiest pages become usable in a real Chromium, with the demo data and
// again with 100 000 receivables loaded (issue 21: "dashboard and My work interactive in under 2 s").
//
// One finflow server in this process (startServer, worker off) with the demo data (examples,
// portfolio, one user per role); a PGlite data folder, or with --pg a fresh database on a throwaway
// PostgreSQL server with default durability (fsync on) — the headline. Chromium (Debian's, through
// playwright-core) gets a signed-in session cookie of the demo collections manager (whose roles see
// both pages), then each page is opened ROUNDS times in a fresh tab with a warm HTTP cache, as a
// person who uses the console all day does:
//   interactive = from navigation start until the page's requests are done (network idle 0.5 s is
//   subtracted: playwright waits that long to call it idle) and no loading spinner is left.
// The baseline, measured the same way in the same run: the sign-in page (the console's code with no
// data to fetch) — what any page costs before its own data. ratio = the slowest page's median with
// 100 000 receivables ÷ the baseline's median. The budget is 2 000 ms for every page.
//
//   node --import tsx bench/console.ts [--pg] [--receivables 100000] [--rounds 5]   (npm run bench:console)
//
// Prints human lines, then as its very last stdout line one JSON object {"bench":"console",…}.
import '@hono/zod-openapi';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { chromium, type BrowserContext } from 'playwright-core';
import { totpCode } from '../src/auth/totp.js';
import { loadConfig } from '../src/config/config.js';
import { seedExamples } from '../src/demo/seed-examples.js';
import { seedPortfolio } from '../src/demo/seed-portfolio.js';
import { DEMO_PASSWORD, DEMO_TOTP_SECRET, demoEmail, seedDemoUsers } from '../src/demo/seed-users.js';
import { createLogger } from '../src/observability/logger.js';
import { startServer } from '../src/server.js';
import type { Database } from '../src/storage/database.js';
import { ensureConsoleBuilt, chromiumPath } from '../console/e2e/harness.js';
import { freshPgDatabase, startBenchPgServer, type PgServer } from './pg-databases.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const usePg = args.includes('--pg') || process.env.FINFLOW_BENCH_PG === '1';
const RECEIVABLES = Number(option('--receivables') ?? 100_000);
const ROUNDS = Number(option('--rounds') ?? 5);
const BUDGET_MS = 2000;
const PAGES = ['/my-work', '/dashboards'];

/** 100 000 receivables (set-based): one open invoice each for 10 000 customers × 10, DPD spread 0…200. */
async function loadReceivables(database: Database, n: number): Promise<number> {
  const started = performance.now();
  const customers = Math.ceil(n / 10);
  await database.transaction(async (tx) => {
    await sql`INSERT INTO customers (id, external_id, name, segment, created_at, updated_at)
      SELECT 'cus_bench' || lpad(c::text, 17, '0'), 'BENCH-C' || c, 'Bench customer ' || c,
             CASE WHEN c % 3 = 0 THEN 'sme' ELSE 'retail' END, now(), now()
      FROM generate_series(1, ${customers}::int) AS c`.execute(tx);
    await sql`INSERT INTO receivables (id, external_id, customer_id, kind, currency, status, issue_date, payment_terms,
        principal, schedule_method, first_due_date, maturity_date, total_due, total_paid, outstanding,
        oldest_unpaid_due_date, dpd, bucket, overdue_since, created_at, updated_at, request_hash)
      SELECT 'rcv_bench' || lpad(i::text, 17, '0'), 'BENCH-R' || i, 'cus_bench' || lpad((1 + (i - 1) % ${customers}::int)::text, 17, '0'),
             'invoice', 'EUR', 'open', current_date - 30 - (i % 200), 'net 30', 10000 + i % 5000, 'single',
             current_date - (i % 200), current_date - (i % 200), 10000 + i % 5000, 0, 10000 + i % 5000,
             current_date - (i % 200), i % 200,
             CASE WHEN i % 200 = 0 THEN 'current' WHEN i % 200 <= 30 THEN '1-30' WHEN i % 200 <= 60 THEN '31-60'
                  WHEN i % 200 <= 90 THEN '61-90' ELSE '90+' END,
             CASE WHEN i % 200 > 0 THEN current_date - (i % 200) END, now(), now(), 'bench'
      FROM generate_series(1, ${n}::int) AS i`.execute(tx);
    await sql`INSERT INTO installments (receivable_id, seq, due_date, principal_due, interest_due)
      SELECT 'rcv_bench' || lpad(i::text, 17, '0'), 1, current_date - (i % 200), 10000 + i % 5000, 0
      FROM generate_series(1, ${n}::int) AS i`.execute(tx);
  });
  await sql`ANALYZE`.execute(database.db);
  return performance.now() - started;
}

/** A session cookie for the demo collections manager, signed in over HTTP with password and TOTP. */
async function sessionCookie(url: string): Promise<string> {
  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/v1${p}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const first = await post('/session', { email: demoEmail('collections_manager'), password: DEMO_PASSWORD });
  const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
  const { csrfToken } = (await first.json()) as { csrfToken: string };
  const mfa = await post(
    '/session/mfa',
    { code: totpCode(DEMO_TOTP_SECRET, new Date()) },
    { cookie, 'x-csrf-token': csrfToken },
  );
  if (mfa.status !== 200) throw new Error(`sign-in: ${mfa.status} ${await mfa.text()}`);
  return cookie.split('=')[1]!;
}

async function timePage(context: BrowserContext, url: string): Promise<number> {
  const page = await context.newPage();
  try {
    await page.goto(url, { waitUntil: 'networkidle' });
    await page.waitForFunction(
      () =>
        !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(
          '.ant-spin-spinning',
        ),
    );
    await page.waitForLoadState('networkidle');
    // Navigation start → the last response of the page, read from the page's own clock.
    const ms = await page.evaluate(() => {
      const perf = (
        globalThis as unknown as {
          performance: { getEntriesByType(t: string): Array<{ responseEnd: number }>; now(): number };
        }
      ).performance;
      const ends = perf.getEntriesByType('resource').map((e) => e.responseEnd);
      return Math.max(...ends, 0);
    });
    return ms;
  } finally {
    await page.close();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(context: BrowserContext, base: string, pathName: string): Promise<number> {
  await timePage(context, base + pathName); // warm the HTTP cache, as a second visit has it
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) times.push(await timePage(context, base + pathName));
  return median(times);
}

let pgServer: PgServer | undefined;
let drop: (() => Promise<void>) | undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finflow-bench-console-'));
try {
  ensureConsoleBuilt();
  let databaseUrl: string | undefined;
  if (usePg) {
    pgServer = await startBenchPgServer();
    const fresh = await freshPgDatabase(pgServer.url, 'console');
    databaseUrl = fresh.url;
    drop = fresh.drop;
  }
  const config = loadConfig({
    env: {},
    overrides: { port: 0, host: '127.0.0.1', worker: false, dataDir, ...(databaseUrl ? { databaseUrl } : {}) },
  });
  const server = await startServer(config, { logger: createLogger('silent') });
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
  try {
    await seedExamples(server.engine);
    await seedDemoUsers(server.database, server.engine.services.clock);
    await seedPortfolio({ database: server.database, clock: server.engine.services.clock, engine: server.engine });
    const anonymous = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const baseline = await measure(anonymous, server.url, '/');
    await anonymous.close();

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await context.addCookies([{ name: 'finflow_session', value: await sessionCookie(server.url), url: server.url }]);
    const demo: Record<string, number> = {};
    for (const page of PAGES) demo[page] = await measure(context, server.url, page);
    const seedMs = await loadReceivables(server.database, RECEIVABLES);
    const loaded: Record<string, number> = {};
    for (const page of PAGES) loaded[page] = await measure(context, server.url, page);
    await context.close();

    const slowest = Math.max(...Object.values(loaded), ...Object.values(demo));
    const round = (x: number) => Math.round(x);
    console.log(
      `console bench on ${usePg ? 'PostgreSQL (fsync on)' : 'embedded PGlite'}, median of ${ROUNDS} warm loads`,
    );
    console.log(`  baseline: sign-in page ${round(baseline)} ms`);
    for (const page of PAGES) {
      console.log(
        `  ${page}: demo data ${round(demo[page]!)} ms; with ${RECEIVABLES} receivables ${round(loaded[page]!)} ms (budget ${BUDGET_MS} ms)`,
      );
    }
    console.log(`  (${RECEIVABLES} receivables loaded set-based in ${round(seedMs)} ms, not measured)`);
    console.log(
      JSON.stringify({
        bench: 'console',
        database: usePg ? 'postgresql' : 'pglite',
        receivables: RECEIVABLES,
        baseline_sign_in_ms: round(baseline),
        my_work_demo_ms: round(demo['/my-work']!),
        dashboards_demo_ms: round(demo['/dashboards']!),
        my_work_loaded_ms: round(loaded['/my-work']!),
        dashboards_loaded_ms: round(loaded['/dashboards']!),
        budget_ms: BUDGET_MS,
        within_budget: slowest <= BUDGET_MS,
        ratio: Number((Math.max(...Object.values(loaded)) / baseline).toFixed(2)),
      }),
    );
  } finally {
    await browser.close();
    await server.close();
  }
} finally {
  await drop?.();
  pgServer?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

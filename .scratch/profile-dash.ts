import '@hono/zod-openapi';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.js';
import { seedExamples } from '../src/demo/seed-examples.js';
import { seedPortfolio } from '../src/demo/seed-portfolio.js';
import { seedDemoUsers } from '../src/demo/seed-users.js';
import { createLogger } from '../src/observability/logger.js';
import { startServer } from '../src/server.js';
import { freshPgDatabase, startBenchPgServer } from '../bench/pg-databases.js';
import { portfolioReport, rebuiltPoints, pointDates } from '../src/domains/receivables/reports/portfolio-report.js';

const pgServer = await startBenchPgServer();
const fresh = await freshPgDatabase(pgServer.url, 'prof');
const config = loadConfig({ env: {}, overrides: { port: 0, host: '127.0.0.1', worker: false, dataDir: mkdtempSync(path.join(os.tmpdir(), 'p-')), databaseUrl: fresh.url } });
const server = await startServer(config, { logger: createLogger('silent') });
await seedExamples(server.engine);
await seedDemoUsers(server.database, server.engine.services.clock);
await seedPortfolio({ database: server.database, clock: server.engine.services.clock, engine: server.engine });
const n = 100000, customers = 10000;
const database = server.database;
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
const today = new Date().toISOString().slice(0, 10);
const from = new Date(Date.now() - 89 * 86400000).toISOString().slice(0, 10);
for (let i = 0; i < 3; i++) {
  const t = performance.now();
  await portfolioReport(database.db, { from, to: today });
  console.log('portfolio ms', Math.round(performance.now() - t));
}
for (const p of ['/api/v1/credit/reports/decisions?from=' + from + '&to=' + today, '/api/v1/reports/engine-health', '/api/v1/me/tasks']) {
  // measured through server.app? skip auth: time via direct fetch is not possible without session
}
const env = process.env.EXPLAIN;
if (env) {
  const orig = database.db;
  // crude: enable auto_explain-like by logging the query plan
  await sql`LOAD 'auto_explain'`.execute(orig).catch(() => {});
}
const { readSettings } = await import('../src/domains/receivables/settings.js');
const { buckets } = await readSettings(database.db);
const c = rebuiltPoints({ from, to: today }, pointDates(from, today, 'week'), buckets).compile(database.db);
const { rows } = await sql.raw('EXPLAIN (ANALYZE, BUFFERS) ' + c.sql.replace(/\$(\d+)/g, (_, n) => "'" + String(c.parameters[Number(n) - 1]).replace(/'/g, "''") + "'")).execute(database.db);
for (const r of rows as any[]) console.log(r['QUERY PLAN']);
console.log('db url', fresh.url);
await server.close?.();
pgServer.stop();
process.exit(0);

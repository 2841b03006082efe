// Statements per request of the three requests bench:api mixes (bench/api.ts), counted at the
// driver: every query node-pg sends (BEGIN, SAVEPOINT and COMMIT included) while N requests of one
// kind run one after another against an in-process finflow server on a fresh PostgreSQL database
// (its engine worker off, so no polling is counted). Also prints the server's CPU time per request.
//
//   node --import tsx bench/api-statements.ts [--n 50]
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { secretStore } from '../src/config/secrets.js';
import { createLogger } from '../src/observability/logger.js';
import { startServer } from '../src/server.js';
import { freshPgDatabase, startBenchPgServer } from './pg-databases.js';

const nIndex = process.argv.indexOf('--n');
const N = nIndex >= 0 ? Number(process.argv[nIndex + 1]) : 50;

let statements = 0;
const texts = new Map<string, number>();
const clientPrototype = pg.Client.prototype as unknown as { query: (this: unknown, ...args: unknown[]) => unknown };
const original = clientPrototype.query;
clientPrototype.query = function (this: unknown, ...args: unknown[]) {
  statements += 1;
  const first = args[0];
  const text = typeof first === 'string' ? first : ((first as { text?: string } | undefined)?.text ?? '?');
  const key = text.replace(/\s+/g, ' ').slice(0, 90);
  texts.set(key, (texts.get(key) ?? 0) + 1);
  return original.apply(this, args);
};

const server = await startBenchPgServer();
const fresh = await freshPgDatabase(server.url, 'stmts');
const config = loadConfig({
  env: {},
  overrides: { port: 0, host: '127.0.0.1', worker: false, databaseUrl: fresh.url },
});
const finflow = await startServer(config, { logger: createLogger('silent'), secrets: secretStore({}) });
const token = finflow.bootstrapKey!.token;
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
try {
  await fetch(`${finflow.url}/api/v1/customers`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ externalId: 'SEED-1', name: 'Seed' }),
  });
  const kinds: Array<[string, (i: number) => Promise<Response>]> = [
    ['GET /customers/{id}', () => fetch(`${finflow.url}/api/v1/customers/SEED-1`, { headers })],
    [
      'POST /customers (Idempotency-Key)',
      (i) =>
        fetch(`${finflow.url}/api/v1/customers`, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': `k-${i}` },
          body: JSON.stringify({ externalId: `C-${i}`, name: 'Lucía Fernández', language: 'es' }),
        }),
    ],
    [
      'POST /events',
      (i) =>
        fetch(`${finflow.url}/api/v1/events`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ type: 'bench.ping', key: `EV-${i}`, data: { amount: 1 } }),
        }),
    ],
  ];
  for (const [label, send] of kinds) {
    await (await send(-1)).text(); // warm
    statements = 0;
    texts.clear();
    const cpu = process.cpuUsage();
    for (let i = 0; i < N; i++) {
      const res = await send(i);
      await res.text();
      if (res.status >= 300) throw new Error(`${label}: ${res.status}`);
    }
    const used = process.cpuUsage(cpu);
    console.log(
      `${label}: ${(statements / N).toFixed(2)} statements/request; ` +
        `${((used.user + used.system) / N / 1000).toFixed(2)} ms CPU/request (server and client in one process)`,
    );
    for (const [text, n] of [...texts].sort((a, b) => b[1] - a[1])) {
      console.log(`    ${(n / N).toFixed(2)}  ${text}`);
    }
  }
} finally {
  await finflow.close();
  await fresh.drop();
  server.stop();
}

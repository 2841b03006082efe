// The bare baseline of bench:api (bench/api.ts): a minimal Hono app on the same database as the
// finflow server, doing per request one INSERT of a row comparable to an audited write (a JSON
// payload of the request's size, a SHA-256 over it chained to the previous hash, a timestamp), in
// its own transaction. No auth, no validation, no idempotency, no audit chain lock: what the
// hardware and the database allow for one durable write per request.
//
//   node --import tsx bench/api-bare-server.ts (--data-dir <dir> | --database-url <url>)
//
// Prints `bare listening <url>` on stderr when ready; stops on SIGTERM.
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { openDatabase } from '../src/storage/database.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const databaseUrl = arg('--database-url');
const dataDir = arg('--data-dir');
const database = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir: dataDir ?? 'memory://' });
await sql`create table if not exists bench_bare (
  id bigserial primary key,
  actor text not null,
  payload jsonb not null,
  hash text not null,
  created_at timestamptz not null
)`.execute(database.db);

let previous = '0'.repeat(64);
const app = new Hono();
app.post('/bare', async (c) => {
  const body = await c.req.text();
  const hash = createHash('sha256').update(previous).update(body).digest('hex');
  previous = hash;
  const row = await database.db
    .insertInto('bench_bare' as never)
    .values({ actor: 'key_bench', payload: body, hash, created_at: new Date() } as never)
    .returning('id' as never)
    .executeTakeFirstOrThrow();
  return c.json({ id: String((row as { id: unknown }).id) }, 201);
});

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
  process.stderr.write(`bare listening http://127.0.0.1:${info.port}\n`);
});
process.once('SIGTERM', () => {
  server.close(() => {
    void database.close().then(() => process.exit(0));
  });
});

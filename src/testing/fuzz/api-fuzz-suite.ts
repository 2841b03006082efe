import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
// First: the server's routes load @hono/zod-openapi, which must extend zod before any schema is built.
import { startTestServer, type TestServer } from '../test-server.js';
import { seedExamples } from '../../demo/seed-examples.js';
import { seedPortfolio } from '../../demo/seed-portfolio.js';
import { fixedCases, fuzzCases, type FuzzCase } from './fuzz-case.js';
import { operationsOf, type Operation } from './openapi-operations.js';
import { changedTables, fingerprintOf } from './write-fingerprint.js';

/**
 * Every route of the OpenAPI document, attacked with hostile input by a holder of the admin key:
 * never a 5xx, the process stays up, every refusal is problem+json (naming a field when the input
 * is at fault), and a refused request writes nothing at all. `npm run test:fuzz -- --runs N` runs
 * N cases per route (FINFLOW_FUZZ_RUNS); the suite runs a few hundred per write route.
 */
const WRITE_RUNS = Number(process.env.FINFLOW_FUZZ_RUNS ?? 200);
const READ_RUNS = Math.max(10, Math.round(WRITE_RUNS / 5));
const SEED = process.env.FINFLOW_FUZZ_SEED ? Number(process.env.FINFLOW_FUZZ_SEED) : undefined;
/** Only the operations whose `METHOD /path` contains this text (to replay one route). */
const ONLY = process.env.FINFLOW_FUZZ_ROUTE;
/** Skip the operations before this index (resume a long run where a shard stopped). */
const FROM = Number(process.env.FINFLOW_FUZZ_FROM ?? 0);
/** `i/n` from FINFLOW_FUZZ_SHARD: only every n-th operation from the i-th (0-based). */
const SHARD_ENV = /^(\d+)\/(\d+)$/.exec(process.env.FINFLOW_FUZZ_SHARD ?? '');
const FIELD_STATUSES = new Set([400, 413, 415]);

/**
 * Where the ids of a path parameter live, by the path segment before it (`/cases/{id}` → cases), so
 * most cases reach the handler with an entity that exists. API keys are left out: the fuzzer must
 * not revoke its own.
 */
const ID_SOURCES: Record<string, ReadonlyArray<readonly [table: string, column: string]>> = {
  customers: [['customers', 'id']],
  receivables: [['receivables', 'id']],
  // Incoming (receivables) and outgoing (payments domain) payments share the segment.
  payments: [
    ['receivable_payments', 'id'],
    ['payment_instructions', 'id'],
  ],
  instances: [['wf_instances', 'id']],
  tasks: [['wf_tasks', 'id']],
  workflows: [['wf_definitions', 'key']],
  decisions: [['wf_decisions', 'key']],
  calendars: [['wf_calendars', 'name']],
  queues: [['wf_queues', 'name']],
  accounts: [['ledger_accounts', 'id']],
  transfers: [['ledger_transfers', 'id']],
  journals: [['ledger_transfers', 'journal_id']],
  applications: [['credit_applications', 'id']],
  cases: [['collection_cases', 'id']],
  disputes: [['collection_disputes', 'id']],
  placements: [['collection_placements', 'id']],
  messages: [['channel_messages', 'id']],
  letters: [['channel_letters', 'id']],
  'billing-plans': [['billing_plans', 'id']],
  webhooks: [['webhook_subscriptions', 'id']],
  'webhook-deliveries': [['webhook_deliveries', 'id']],
  'inbound-sources': [['inbound_sources', 'name']],
  'bank-accounts': [['bank_accounts', 'id']],
  beneficiaries: [['beneficiaries', 'id']],
  'payment-batches': [['payment_batches', 'id']],
};

/**
 * Refusals that write by design: a failed sign-in is audited, and counted toward the account's lock
 * (issue 20: "nothing written except the audit row of the failure").
 */
const REFUSAL_WRITES: Record<string, string[]> = {
  'POST /session': ['audit_chain_head', 'audit_log', 'users'],
};

/**
 * The suite over one share of the routes: every n-th operation from the i-th (0-based). `npm test`
 * runs it in four files (src/api/api-fuzz-*-of-4.test.ts), so each stays well inside the per-file timeout
 * on a loaded machine; FINFLOW_FUZZ_SHARD overrides the share (`npm run test:fuzz` runs all).
 */
export function apiFuzzSuite(share: [part: number, parts: number]): void {
  const SHARD = SHARD_ENV ? (SHARD_ENV.slice(1).map(Number) as [number, number]) : share;
  void describe(`fuzz: hostile input on every route (share ${SHARD[0] + 1} of ${SHARD[1]})`, () => {
    let server: TestServer;
    let operations: Operation[];
    let pool: Map<string, string[]>;
    const stats = { cases: 0, status: new Map<number, number>() };

    before(async () => {
      server = await startTestServer({ worker: false });
      await seedExamples(server.engine);
      await seedPortfolio({ database: server.database, clock: server.engine.services.clock, engine: server.engine });
      const doc = await (await server.call('/api/v1/openapi.json')).json();
      operations = await operationsOf(doc);
      pool = new Map();
      for (const [segment, sources] of Object.entries(ID_SOURCES)) {
        const ids: string[] = [];
        for (const [table, column] of sources) {
          const rows = await sql<{
            v: string;
          }>`SELECT DISTINCT ${sql.ref(column)}::text AS v FROM ${sql.table(table)} LIMIT 5`.execute(
            server.database.db,
          );
          ids.push(...rows.rows.map((r) => encodeURIComponent(r.v)));
        }
        pool.set(segment, ids);
      }
    });
    after(async () => {
      console.log(`# fuzz: ${stats.cases} cases; statuses ${JSON.stringify(Object.fromEntries(stats.status))}`);
      await server.close();
    });

    void test('the write fingerprint sees an update and a delete, and not a rolled-back write', async () => {
      const db = server.database.db;
      const before = await fingerprintOf(server.database);
      await server.database
        .transaction(async (tx) => {
          await sql`UPDATE customers SET name = name || '!'`.execute(tx);
          throw new Error('roll back');
        })
        .catch(() => undefined);
      assert.deepEqual(changedTables(before, await fingerprintOf(server.database)), []);
      const one = await db.selectFrom('customers').select(['id', 'name']).limit(1).executeTakeFirstOrThrow();
      await db.updateTable('customers').set({ name: one.name }).where('id', '=', one.id).execute();
      assert.deepEqual(changedTables(before, await fingerprintOf(server.database)), ['customers'], 'an update');
      const now = await fingerprintOf(server.database);
      await sql`DELETE FROM wf_queues WHERE name = (SELECT min(name) FROM wf_queues)`.execute(db);
      assert.deepEqual(changedTables(now, await fingerprintOf(server.database)), ['wf_queues'], 'a delete');
    });

    // Every route in one test: minutes on a busy CI machine, more with --runs; the suite's default
    // per-test timeout (10 min) is for one scenario, not for this.
    void test(
      'no route answers 5xx, breaks the problem+json contract, or writes on a refusal',
      { timeout: 6 * 3600_000 },
      async (t) => {
        let current = await fingerprintOf(server.database);
        for (const [index, op] of operations.entries()) {
          if (op.path === '/openapi.json' || (ONLY && !`${op.method} ${op.path}`.includes(ONLY))) continue;
          if (index % SHARD[1] !== SHARD[0] || index < FROM) continue;
          await t.test(`${op.method} ${op.path}`, async () => {
            // fast-check counts examples within numRuns: add them, so the random cases still all run.
            const examples = fixedCases(op, pool).map((c) => [c] as [FuzzCase]);
            const result = await fc.check(
              fc.asyncProperty(fuzzCases(op, pool), async (c) => {
                const res = await send(server, c);
                stats.cases++;
                stats.status.set(res.status, (stats.status.get(res.status) ?? 0) + 1);
                assert.ok(res.status < 500, `${c.what} → ${res.status} ${res.text.slice(0, 500)}`);
                if (res.status >= 400) checkProblem(c, res);
                const now = await fingerprintOf(server.database);
                if (res.status >= 400) {
                  const allowed = REFUSAL_WRITES[`${op.method} ${op.path}`] ?? [];
                  const wrote = changedTables(current, now).filter((table) => !allowed.includes(table));
                  assert.deepEqual(wrote, [], `${c.what} → ${res.status} but wrote`);
                }
                current = now;
              }),
              {
                numRuns: (op.method === 'GET' ? READ_RUNS : WRITE_RUNS) + examples.length,
                examples,
                ...(SEED !== undefined ? { seed: SEED } : {}),
              },
            );
            if (result.failed) {
              const error =
                result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
              assert.fail(
                `${result.counterexample?.[0]?.what ?? ''}: ${error}\n(replay with FINFLOW_FUZZ_SEED=${result.seed}; shrunk ${result.numShrinks} times, case path ${result.counterexamplePath})`,
              );
            }
          });
        }
        const health = await server.call('/api/v1/health', { token: null });
        assert.equal(health.status, 200, 'the server is still up');
      },
    );
  });
}

/**
 * One request on its own connection (node:http, no agent): a refusal answered before its body was
 * read may close the connection, and a pooled client would then fail the next case for it.
 */
function send(server: TestServer, c: FuzzCase): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${server.adminToken}` };
    if (c.contentType) headers['content-type'] = c.contentType;
    if (c.idempotencyKey) headers['idempotency-key'] = c.idempotencyKey;
    // Node sends DELETE bodies unframed unless told their length.
    if (c.body !== undefined) headers['content-length'] = String(Buffer.byteLength(c.body));
    const req = request(`${server.url}/api/v1${c.url}`, { method: c.method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type'] ?? ''),
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(c.body);
  });
}

function checkProblem(c: FuzzCase, res: { status: number; type: string; text: string }): void {
  const what = `${c.what} → ${res.status}`;
  assert.equal(res.type, 'application/problem+json', `${what}: content-type ${res.type}`);
  const problem = JSON.parse(res.text) as Record<string, unknown>;
  assert.equal(problem.status, res.status, `${what}: problem.status ${String(problem.status)}`);
  assert.equal(typeof problem.code, 'string', what);
  assert.equal(typeof problem.detail, 'string', what);
  if (FIELD_STATUSES.has(res.status)) {
    const errors = problem.errors as Array<{ field?: unknown }> | undefined;
    assert.ok(
      Array.isArray(errors) && errors.length > 0 && errors.every((e) => typeof e.field === 'string'),
      `${what}: no field named in ${res.text.slice(0, 300)}`,
    );
  }
}

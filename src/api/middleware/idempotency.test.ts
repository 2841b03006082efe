import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { AppError } from '../../core/errors.js';
import { AuditedUnit } from '../../storage/audit/audited-unit.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import type { RouteModule } from '../context.js';
import { idempotent } from './idempotency.js';

/**
 * A route shaped like the money-moving routes later issues add: it writes a row and an audit entry.
 * `fail: true` makes it write and then fail, to prove a failed request leaves nothing behind.
 */
const probeRoutes: RouteModule = {
  register(app) {
    const route = createRoute({
      method: 'post',
      path: '/probe-payments',
      middleware: [idempotent()] as const,
      request: {
        body: {
          content: {
            'application/json': {
              schema: z.object({
                amount: z.string().regex(/^\d+$/),
                currency: z.string().length(3),
                fail: z.boolean().optional(),
              }),
            },
          },
        },
      },
      responses: { 201: { description: 'created' } },
    });
    app.openapi(route, async (c) => {
      const input = c.req.valid('json');
      const who = { actor: c.var.principal.id, requestId: c.var.requestId };
      const id = await AuditedUnit.run(c.var.database, who, c.var.clock, async (unit) => {
        const row = await sql<{
          id: bigint;
        }>`INSERT INTO probe_payments (amount, currency) VALUES (${BigInt(input.amount)}, ${input.currency}) RETURNING id`.execute(
          unit.tx,
        );
        const id = row.rows[0]!.id.toString();
        unit.audit({ action: 'probe.created', entityType: 'probe', entityId: id });
        return id;
      });
      await new Promise((r) => setTimeout(r, 30)); // widen the window for concurrent duplicates
      if (input.fail) throw new AppError('probe_failed', 409, 'failed after writing');
      return c.json({ id, amount: input.amount, currency: input.currency, at: Date.now() }, 201);
    });
  },
};

describe('Idempotency-Key', () => {
  let server: TestServer;
  const rows = async () =>
    (await sql<{ n: bigint }>`SELECT count(*)::bigint AS n FROM probe_payments`.execute(server.database.db)).rows[0]!.n;

  before(async () => {
    server = await startTestServer({ routes: [probeRoutes] });
    await sql`CREATE TABLE probe_payments (id bigserial PRIMARY KEY, amount bigint NOT NULL, currency text NOT NULL)`.execute(
      server.database.db,
    );
  });
  after(async () => {
    await server.close();
  });

  const post = (key: string | undefined, json: unknown) =>
    server.call('/api/v1/probe-payments', { method: 'POST', json, headers: key ? { 'idempotency-key': key } : {} });

  test('a replay returns the first response again and writes once', async () => {
    const first = await post('k-1', { amount: '1050', currency: 'EUR' });
    assert.equal(first.status, 201);
    const firstBody = await first.text();
    const second = await post('k-1', { amount: '1050', currency: 'EUR' });
    assert.equal(second.status, 201);
    assert.equal(await second.text(), firstBody);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(await rows(), 1n);
  });

  test('concurrent duplicates run the effect once and all get the same answer', async () => {
    const before = await rows();
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => post('k-concurrent', { amount: '7', currency: 'USD' })),
    );
    const bodies = await Promise.all(responses.map((r) => r.text()));
    assert.deepEqual(
      responses.map((r) => r.status),
      Array(6).fill(201),
    );
    assert.equal(new Set(bodies).size, 1);
    assert.equal(await rows(), before + 1n);
  });

  test('an expired key is claimed again: the request runs for real, even with a different body', async () => {
    const before = await rows();
    const first = await post('k-expiring', { amount: '5', currency: 'EUR' });
    assert.equal(first.status, 201);
    await sql`UPDATE idempotency_keys SET expires_at = now() - interval '1 minute' WHERE key = 'k-expiring'`.execute(
      server.database.db,
    );
    const again = await post('k-expiring', { amount: '6', currency: 'EUR' });
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), null);
    assert.equal(((await again.json()) as { amount: string }).amount, '6');
    assert.equal(await rows(), before + 2n);
    const replay = await post('k-expiring', { amount: '6', currency: 'EUR' });
    assert.equal(replay.headers.get('idempotent-replayed'), 'true', 'the new claim is remembered');
    assert.equal(await rows(), before + 2n);
  });

  test('the same key with a different request is refused with 422', async () => {
    await post('k-2', { amount: '1', currency: 'EUR' });
    const reused = await post('k-2', { amount: '2', currency: 'EUR' });
    assert.equal(reused.status, 422);
    const problem = (await reused.json()) as { code: string; errors: Array<{ field: string }> };
    assert.equal(problem.code, 'idempotency_key_reused');
    assert.equal(problem.errors[0]!.field, 'header.Idempotency-Key');
  });

  test('a failed request rolls back its writes and its key, so a retry runs for real', async () => {
    const before = await rows();
    const auditBefore = await server.database.db.selectFrom('audit_log').select('seq').execute();
    const failed = await post('k-3', { amount: '5', currency: 'EUR', fail: true });
    assert.equal(failed.status, 409);
    assert.equal(await rows(), before);
    assert.equal((await server.database.db.selectFrom('audit_log').select('seq').execute()).length, auditBefore.length);
    const retried = await post('k-3', { amount: '5', currency: 'EUR', fail: true });
    assert.equal(retried.status, 409);
    assert.equal(retried.headers.get('idempotent-replayed'), null);
  });

  test('keys are scoped to the caller', async () => {
    const created = await server.call('/api/v1/api-keys', {
      method: 'POST',
      json: { name: 'other', role: 'operator' },
    });
    const { token } = (await created.json()) as { token: string };
    const before = await rows();
    await post('shared-key', { amount: '9', currency: 'EUR' });
    const other = await server.call('/api/v1/probe-payments', {
      method: 'POST',
      token,
      json: { amount: '9', currency: 'EUR' },
      headers: { 'idempotency-key': 'shared-key' },
    });
    assert.equal(other.status, 201);
    assert.equal(other.headers.get('idempotent-replayed'), null);
    assert.equal(await rows(), before + 2n);
  });

  test('a malformed key is rejected naming the header', async () => {
    const res = await post('bad key with spaces', { amount: '1', currency: 'EUR' });
    assert.equal(res.status, 400);
    assert.equal(
      ((await res.json()) as { errors: Array<{ field: string }> }).errors[0]!.field,
      'header.Idempotency-Key',
    );
  });
});

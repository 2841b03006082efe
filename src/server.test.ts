import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createRoute } from '@hono/zod-openapi';
import type { RouteModule } from './api/context.js';
import { loadConfig } from './config/config.js';
import { createLogger } from './observability/logger.js';
import { startServer } from './server.js';
import { createPostgresDatabase, testTmpDir } from './testing/test-database.js';

const silent = createLogger('silent');

/** Config for a server that keeps its data where a second start can find it. */
async function persistentConfig() {
  const adminUrl = process.env.FINFLOW_TEST_PG_URL;
  const databaseUrl = adminUrl ? await createPostgresDatabase(adminUrl) : undefined;
  return loadConfig({
    env: {},
    overrides: {
      port: 0,
      dataDir: path.join(testTmpDir(), 'data'),
      shutdownTimeoutMs: 5000,
      ...(databaseUrl ? { databaseUrl } : {}),
    },
  });
}

describe('server lifecycle', () => {
  test('data survives a restart: the same key works, no second bootstrap key, migrations not re-applied', async () => {
    const config = await persistentConfig();
    const first = await startServer(config, { logger: silent });
    const token = first.bootstrapKey?.token;
    assert.ok(token, 'first start creates a bootstrap admin key');
    const created = await fetch(`${first.url}/api/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'survivor', role: 'viewer' }),
    });
    assert.equal(created.status, 201);
    await first.close();

    const second = await startServer(config, { logger: silent });
    try {
      assert.equal(second.bootstrapKey, undefined);
      const list = await fetch(`${second.url}/api/v1/api-keys`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(list.status, 200);
      const names = ((await list.json()) as { data: Array<{ name: string }> }).data.map((k) => k.name);
      assert.deepEqual(names.sort(), ['bootstrap admin', 'survivor']);
      const verify = await fetch(`${second.url}/api/v1/audit/verify`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(((await verify.json()) as { ok: boolean }).ok, true);
    } finally {
      await second.close();
    }
  });

  test('graceful shutdown lets an in-flight request finish, then refuses new ones and closes the database', async () => {
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const slow: RouteModule = {
      register(app) {
        app.openapi(
          createRoute({ method: 'get', path: '/slow', responses: { 200: { description: 'ok' } } }),
          async (c) => {
            entered();
            await new Promise((r) => setTimeout(r, 300));
            return c.json({ finished: true }, 200);
          },
        );
      },
    };
    const server = await startServer(await persistentConfig(), { logger: silent, routes: [slow] });
    const token = server.bootstrapKey!.token;
    const inFlight = fetch(`${server.url}/api/v1/slow`, { headers: { authorization: `Bearer ${token}` } });
    await inside;
    const closing = server.close();
    const res = await inFlight;
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { finished: true });
    await closing;
    await assert.rejects(fetch(`${server.url}/api/v1/health`));
    await assert.rejects(server.database.db.selectFrom('api_keys').selectAll().execute());
  });
});

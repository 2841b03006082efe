import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startTestServer } from '../../src/testing/test-server.js';
import { renderConsoleApiTypes } from './api-types.js';

test('the console API types match the server OpenAPI document (npm run console:api)', async () => {
  const server = await startTestServer({ worker: false });
  try {
    const doc = (await (await server.call('/api/v1/openapi.json')).json()) as Record<string, unknown>;
    const expected = await renderConsoleApiTypes(doc);
    const actual = readFileSync(path.resolve(import.meta.dirname, '../src/api/schema.d.ts'), 'utf8');
    assert.ok(actual === expected, 'console/src/api/schema.d.ts is stale: run `npm run console:api`');
  } finally {
    await server.close();
  }
});

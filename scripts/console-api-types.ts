// Writes console/src/api/schema.d.ts — the web console's API types — from the OpenAPI document of a
// throwaway server on an in-memory database: `npm run console:api`. A test fails when the file is
// stale (console/e2e/api-types.test.ts), so the console never calls a route the server does not have.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderConsoleApiTypes } from '../console/e2e/api-types.js';
import { startTestServer } from '../src/testing/test-server.js';

const server = await startTestServer({ worker: false });
try {
  const doc = (await (await server.call('/api/v1/openapi.json')).json()) as Record<string, unknown>;
  const file = path.resolve(import.meta.dirname, '../console/src/api/schema.d.ts');
  writeFileSync(file, await renderConsoleApiTypes(doc));
  process.stdout.write(`wrote ${file}\n`);
} finally {
  await server.close();
}

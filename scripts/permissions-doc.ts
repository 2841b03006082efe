// Writes docs/permissions.md from src/auth/roles.ts and the API's OpenAPI document, read from a
// throwaway server on an in-memory database: `npm run docs:permissions`.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { guardedOperations, renderPermissionsDoc } from '../src/auth/permissions-doc.js';
import { startTestServer } from '../src/testing/test-server.js';

const server = await startTestServer({ worker: false });
try {
  const doc = (await (await server.call('/api/v1/openapi.json')).json()) as Parameters<typeof guardedOperations>[0];
  const file = path.resolve(import.meta.dirname, '../docs/permissions.md');
  writeFileSync(file, renderPermissionsDoc(guardedOperations(doc)));
  process.stdout.write(`wrote ${file}\n`);
} finally {
  await server.close();
}

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { PERMISSIONS, ROLES, roleHas } from './roles.js';

/** docs/api.md's role table is what operators read; it must say exactly what roles.ts grants. */
test('the role table in docs/api.md matches roles.ts', () => {
  const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/api.md'), 'utf8');
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const permission = /^`([a-z]+:[a-z]+)`$/.exec(cells[1] ?? '')?.[1];
    if (permission && cells.length === ROLES.length + 4) rows.set(permission, cells.slice(3, 3 + ROLES.length));
  }
  assert.deepEqual([...rows.keys()].sort(), [...PERMISSIONS].sort(), 'one row per permission');
  for (const permission of PERMISSIONS) {
    const documented = rows.get(permission)!.map((cell) => cell === '✓');
    assert.deepEqual(
      documented,
      ROLES.map((role) => roleHas(role, permission)),
      `${permission}: ${ROLES.join(', ')}`,
    );
  }
});

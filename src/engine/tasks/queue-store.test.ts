import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { readAuditLog } from '../../storage/audit/audit-log.js';
import type { Database } from '../../storage/database.js';
import { openTestDatabase } from '../../testing/test-database.js';
import { getQueue, listQueues, putQueue } from './queue-store.js';

const clock = new ManualClock('2026-03-02T09:00:00Z');
let database: Database;
before(async () => {
  database = await openTestDatabase();
});
after(async () => {
  await database.close();
});

test('creates a queue with deduplicated members in the given order', async () => {
  const put = await putQueue(
    database,
    { name: 'collections.emea', members: ['bob', 'alice', 'bob'], actor: 'key_test', requestId: 'req_1' },
    clock,
  );
  assert.equal(put.created, true);
  assert.deepEqual(put.queue, {
    name: 'collections.emea',
    members: ['bob', 'alice'],
    rrCursor: 0,
    updatedAt: clock.now(),
    updatedBy: 'key_test',
  });
  assert.deepEqual(await getQueue(database.db, 'collections.emea'), put.queue);
  assert.equal(await getQueue(database.db, 'missing'), undefined);

  const [row] = await readAuditLog(database.db, { entityType: 'queue', entityId: 'collections.emea' });
  assert.equal(row?.action, 'queue.updated');
  assert.equal(row?.request_id, 'req_1');
  assert.equal(row?.before, null);
  assert.deepEqual(row?.after, { name: 'collections.emea', members: ['bob', 'alice'] });
});

test('updates keep the round-robin cursor and are audited; identical puts are no-ops', async () => {
  await putQueue(database, { name: 'credit', members: ['a', 'b'], actor: 'key_test' }, clock);
  await database.db.updateTable('wf_queues').set({ rr_cursor: 5 }).where('name', '=', 'credit').execute();

  const same = await putQueue(database, { name: 'credit', members: ['a', 'b', 'a'], actor: 'key_test' }, clock);
  assert.equal(same.changed, false);

  clock.advance(60_000);
  const updated = await putQueue(database, { name: 'credit', members: ['a', 'b', 'c'], actor: 'key_ops' }, clock);
  assert.equal(updated.created, false);
  assert.equal(updated.changed, true);
  assert.deepEqual(await getQueue(database.db, 'credit'), {
    name: 'credit',
    members: ['a', 'b', 'c'],
    rrCursor: 5,
    updatedAt: clock.now(),
    updatedBy: 'key_ops',
  });

  const rows = await readAuditLog(database.db, { entityType: 'queue', entityId: 'credit' });
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[1]?.before, { name: 'credit', members: ['a', 'b'] });
  assert.deepEqual(rows[1]?.after, { name: 'credit', members: ['a', 'b', 'c'] });

  // An empty queue is allowed: its tasks wait unassigned.
  assert.deepEqual(
    (await putQueue(database, { name: 'empty', members: [], actor: 'key_test' }, clock)).queue.members,
    [],
  );
  const names = (await listQueues(database.db)).map((q) => q.name);
  assert.deepEqual(names, [...names].sort());
  assert.ok(names.includes('credit') && names.includes('empty'));
});

test('concurrent first puts of one queue both succeed', async () => {
  const results = await Promise.all([
    putQueue(database, { name: 'race', members: ['x'], actor: 'key_test' }, clock),
    putQueue(database, { name: 'race', members: ['y'], actor: 'key_test' }, clock),
  ]);
  assert.deepEqual(results.map((r) => r.created).sort(), [false, true]);
  const rows = await readAuditLog(database.db, { entityType: 'queue', entityId: 'race' });
  assert.equal(rows.length, 2);
  assert.equal(rows[0]?.before, null);
  assert.deepEqual(rows[1]?.before, rows[0]?.after);
});

test('validation names each failing field', async () => {
  await assert.rejects(
    putQueue(database, { name: 'bad name', members: ['ok', '', '  ', 'x'.repeat(201)], actor: 'key_test' }, clock),
    (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'validation_failed');
      assert.deepEqual(
        error.issues.map((issue) => issue.field),
        ['name', 'members[1]', 'members[2]', 'members[3]'],
      );
      return true;
    },
  );
  await assert.rejects(
    putQueue(database, { name: 'q', members: 'alice' as unknown as string[], actor: 'key_test' }, clock),
    /members: must be a list/,
  );
  assert.equal(await getQueue(database.db, 'bad name'), undefined);
});

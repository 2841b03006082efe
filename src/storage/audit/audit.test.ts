import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openTestDatabase } from '../../testing/test-database.js';
import type { Database } from '../database.js';
import type { Tx } from '../schema.js';
import { appendAudit } from './audit-append.js';
import { readAuditLog } from './audit-log.js';
import { verifyAuditChain } from './audit-verify.js';

/** Tampering needs the append-only trigger out of the way, as an attacker with DB rights would do. */
async function tamper(database: Database, work: (tx: Tx) => Promise<unknown>): Promise<void> {
  await database.transaction(async (tx) => {
    await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(tx);
    await work(tx);
    await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(tx);
  });
}

async function writeRows(database: Database, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) {
    await database.transaction((tx) =>
      appendAudit(tx, {
        actor: 'key_test',
        action: 'probe.updated',
        entityType: 'probe',
        entityId: `prb_${i}`,
        before: {
          amount: BigInt(i * 100),
          currency: 'EUR',
          nested: { b: 1, a: [1, 2] },
        },
        after: {
          amount: BigInt(i * 100 + 1),
          currency: 'EUR',
          at: new Date('2026-01-01T00:00:00Z'),
        },
        reason: `change ${i}`,
      }),
    );
  }
}

describe('audit log hash chain', () => {
  let database: Database;
  beforeEach(async () => {
    await database?.close();
    database = await openTestDatabase();
    await writeRows(database, 5);
  });
  after(async () => {
    await database.close();
  });

  test('an untouched chain verifies', async () => {
    const result = await verifyAuditChain(database.db);
    assert.equal(result.ok, true);
    assert.equal(result.rowsChecked, 5);
    assert.equal(result.headSeq, 5n);
    assert.match(result.headHash, /^[0-9a-f]{64}$/);
  });

  test('rows record before/after with money as strings, and can be read per entity', async () => {
    const [row] = await readAuditLog(database.db, { entityType: 'probe', entityId: 'prb_2' });
    assert.deepEqual(row!.before, {
      amount: '200',
      currency: 'EUR',
      nested: { b: 1, a: [1, 2] },
    });
    assert.equal(row!.reason, 'change 2');
    assert.equal(row!.actor, 'key_test');
  });

  test('the database refuses updates and deletes of audit rows', async () => {
    await assert.rejects(sql`UPDATE audit_log SET actor = 'x' WHERE seq = 1`.execute(database.db), /append-only/);
    await assert.rejects(sql`DELETE FROM audit_log WHERE seq = 1`.execute(database.db), /append-only/);
  });

  test('an edited row is named', async () => {
    await tamper(database, (tx) => sql`UPDATE audit_log SET after = '{"amount":"999999"}' WHERE seq = 3`.execute(tx));
    const result = await verifyAuditChain(database.db);
    assert.equal(result.ok, false);
    assert.equal(result.problem?.kind, 'altered');
    assert.equal(result.problem?.seq, 3n);
  });

  test('an edited reason or actor is detected too', async () => {
    await tamper(database, (tx) => sql`UPDATE audit_log SET actor = 'someone_else' WHERE seq = 4`.execute(tx));
    const result = await verifyAuditChain(database.db);
    assert.equal(result.problem?.kind, 'altered');
    assert.equal(result.problem?.seq, 4n);
  });

  test('a deleted row is named', async () => {
    await tamper(database, (tx) => sql`DELETE FROM audit_log WHERE seq = 2`.execute(tx));
    const result = await verifyAuditChain(database.db);
    assert.equal(result.problem?.kind, 'missing');
    assert.equal(result.problem?.seq, 2n);
  });

  test('a deleted last row is detected against the head', async () => {
    await tamper(database, (tx) => sql`DELETE FROM audit_log WHERE seq = 5`.execute(tx));
    const result = await verifyAuditChain(database.db);
    assert.equal(result.problem?.kind, 'truncated');
    assert.equal(result.problem?.seq, 5n);
  });

  test('swapped rows are named', async () => {
    // Swap rows 2 and 3 wholesale (every column but the sequence number).
    await tamper(database, async (tx) => {
      await sql`UPDATE audit_log SET seq = -2 WHERE seq = 2`.execute(tx);
      await sql`UPDATE audit_log SET seq = 2 WHERE seq = 3`.execute(tx);
      await sql`UPDATE audit_log SET seq = 3 WHERE seq = -2`.execute(tx);
    });
    const result = await verifyAuditChain(database.db);
    assert.equal(result.problem?.kind, 'out_of_order');
    assert.equal(result.problem?.seq, 2n);
  });

  test('concurrent appenders keep one linear chain', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        database.transaction((tx) =>
          appendAudit(tx, {
            actor: 'system',
            action: 'probe.touched',
            entityType: 'probe',
            entityId: `c${i}`,
          }),
        ),
      ),
    );
    const result = await verifyAuditChain(database.db);
    assert.equal(result.ok, true, result.problem?.message);
    assert.equal(result.rowsChecked, 25);
  });

  test('an audit row is rolled back with its transaction', async () => {
    await assert.rejects(
      database.transaction(async (tx) => {
        await appendAudit(tx, {
          actor: 'system',
          action: 'x',
          entityType: 'probe',
          entityId: 'gone',
        });
        throw new Error('abort');
      }),
    );
    assert.equal((await readAuditLog(database.db, { entityType: 'probe', entityId: 'gone' })).length, 0);
    assert.equal((await verifyAuditChain(database.db)).ok, true);
  });
});

import assert from 'node:assert/strict';
import { after, beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createPostgresDatabase, onPostgres, openTestDatabase } from '../../testing/test-database.js';
import { openDatabase } from '../database.js';
import { migrate } from '../migrate.js';
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
    await database.auditSealer.settled();
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
    await tamper(database, (tx) =>
      sql`UPDATE audit_log SET after = '{"amount":"999999"}' WHERE chain_seq = 3`.execute(tx),
    );
    const result = await verifyAuditChain(database.db);
    assert.equal(result.ok, false);
    assert.equal(result.problem?.kind, 'altered');
    assert.equal(result.problem?.seq, 3n);
  });

  test('an edited reason or actor is detected too', async () => {
    await tamper(database, (tx) => sql`UPDATE audit_log SET actor = 'someone_else' WHERE chain_seq = 4`.execute(tx));
    const result = await verifyAuditChain(database.db);
    assert.equal(result.problem?.kind, 'altered');
    assert.equal(result.problem?.seq, 4n);
  });

  test('a deleted row is named', async () => {
    await tamper(database, (tx) => sql`DELETE FROM audit_log WHERE chain_seq = 2`.execute(tx));
    const result = await verifyAuditChain(database.db);
    assert.equal(result.problem?.kind, 'missing');
    assert.equal(result.problem?.seq, 2n);
  });

  test('a deleted last row is detected against the head', async () => {
    await tamper(database, (tx) => sql`DELETE FROM audit_log WHERE chain_seq = 5`.execute(tx));
    const result = await verifyAuditChain(database.db);
    assert.equal(result.problem?.kind, 'truncated');
    assert.equal(result.problem?.seq, 5n);
  });

  test('a row added after the head, outside finflow, is named', async () => {
    await tamper(database, async (tx) => {
      const [last] = await readAuditLog(tx, { entityType: 'probe', entityId: 'prb_5' });
      await sql`INSERT INTO audit_log (id, occurred_at, actor, action, entity_type, entity_id, chain_seq, prev_hash, hash)
                VALUES ('aud_forged', now(), 'x', 'x', 'probe', 'forged', 6, ${last!.hash}, ${'e'.repeat(64)})`.execute(
        tx,
      );
    });
    const result = await verifyAuditChain(database.db);
    assert.equal(result.problem?.kind, 'out_of_order');
    assert.equal(result.problem?.seq, 6n);
    assert.equal(result.problem?.id, 'aud_forged');
  });

  test('swapped rows are named', async () => {
    // Swap rows 2 and 3 in the chain wholesale (every column but the chain position).
    await tamper(database, async (tx) => {
      await sql`UPDATE audit_log SET chain_seq = -2 WHERE chain_seq = 2`.execute(tx);
      await sql`UPDATE audit_log SET chain_seq = 2 WHERE chain_seq = 3`.execute(tx);
      await sql`UPDATE audit_log SET chain_seq = 3 WHERE chain_seq = -2`.execute(tx);
    });
    const result = await verifyAuditChain(database.db);
    assert.equal(result.problem?.kind, 'out_of_order');
    assert.equal(result.problem?.seq, 2n);
  });

  test('a changed insertion number (the order rows are listed in) is detected', async () => {
    await tamper(database, (tx) => sql`UPDATE audit_log SET seq = 1000 WHERE chain_seq = 2`.execute(tx));
    const result = await verifyAuditChain(database.db);
    assert.equal(result.problem?.kind, 'altered');
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
    await database.auditSealer.settled();
    const result = await verifyAuditChain(database.db);
    assert.equal(result.ok, true, result.problem?.message);
    assert.equal(result.rowsChecked, 25);
    assert.equal(result.unsealedRows, 0);
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

  test('a committed row is sealed into the chain after its commit; until then verify reports it as unsealed', async () => {
    // A transaction not opened through Database.transaction() inserts at once and pokes no sealer.
    await database.db
      .transaction()
      .execute((tx) => appendAudit(tx, { actor: 'system', action: 'probe.raw', entityType: 'probe', entityId: 'raw' }));
    const [raw] = await readAuditLog(database.db, { entityType: 'probe', entityId: 'raw' });
    assert.equal(raw!.chain_seq, null);
    assert.equal(raw!.hash, null);
    const before = await verifyAuditChain(database.db);
    assert.equal(before.ok, true);
    assert.equal(before.rowsChecked, 5);
    assert.equal(before.unsealedRows, 1);
    assert.ok(before.oldestUnsealedAt instanceof Date);

    assert.equal(await database.auditSealer.sealNow(), 1);
    const after = await verifyAuditChain(database.db);
    assert.equal(after.ok, true, after.problem?.message);
    assert.equal(after.rowsChecked, 6);
    assert.equal(after.unsealedRows, 0);
    assert.equal(after.oldestUnsealedAt, null);
    const [sealed] = await readAuditLog(database.db, { entityType: 'probe', entityId: 'raw' });
    assert.equal(sealed!.chain_seq, 6n);
    assert.match(sealed!.hash!, /^[0-9a-f]{64}$/);
    assert.equal(await database.auditSealer.sealNow(), 0, 'a row is sealed once');
  });

  test('the one update the database allows is sealing an unsealed row, content unchanged', async () => {
    await database.db
      .transaction()
      .execute((tx) =>
        appendAudit(tx, { actor: 'system', action: 'probe.raw', entityType: 'probe', entityId: 'open' }),
      );
    const hash = 'f'.repeat(64);
    // An unsealed row's content cannot change, not even together with a seal.
    await assert.rejects(
      sql`UPDATE audit_log SET actor = 'x' WHERE entity_id = 'open'`.execute(database.db),
      /append-only/,
    );
    await assert.rejects(
      sql`UPDATE audit_log SET actor = 'x', chain_seq = 99, prev_hash = ${hash}, hash = ${hash} WHERE entity_id = 'open'`.execute(
        database.db,
      ),
      /append-only/,
    );
    // A sealed row cannot be re-sealed or un-sealed.
    await assert.rejects(
      sql`UPDATE audit_log SET chain_seq = 99 WHERE chain_seq = 1`.execute(database.db),
      /append-only/,
    );
    await assert.rejects(
      sql`UPDATE audit_log SET chain_seq = NULL, prev_hash = NULL, hash = NULL WHERE chain_seq = 1`.execute(
        database.db,
      ),
      /append-only/,
    );
    // A seal is whole: position and both hashes together.
    await assert.rejects(sql`UPDATE audit_log SET chain_seq = 99 WHERE entity_id = 'open'`.execute(database.db));
    assert.equal(await database.auditSealer.sealNow(), 1);
    assert.equal((await verifyAuditChain(database.db)).ok, true);
  });

  test('audited transactions do not wait on each other for the chain', { skip: !onPostgres() }, async () => {
    // One transaction has inserted its audit row and stays open; another appends and commits meanwhile.
    // (When appending meant locking the chain head, the second waited for the first to end.)
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const firstInserted = new Promise<void>((resolve) => (inserted = resolve));
    const first = database.db.transaction().execute(async (tx) => {
      await appendAudit(tx, { actor: 'system', action: 'probe.slow', entityType: 'probe', entityId: 'slow' });
      inserted();
      await held;
    });
    await firstInserted;
    await database.transaction((tx) =>
      appendAudit(tx, { actor: 'system', action: 'probe.fast', entityType: 'probe', entityId: 'fast' }),
    );
    await database.auditSealer.settled();
    const [fast] = await readAuditLog(database.db, { entityType: 'probe', entityId: 'fast' });
    assert.equal(fast!.chain_seq, 6n, 'the later transaction committed and was sealed while the first was open');
    release();
    await first;
    assert.equal(await database.auditSealer.sealNow(), 1);
    const [slow] = await readAuditLog(database.db, { entityType: 'probe', entityId: 'slow' });
    assert.equal(slow!.chain_seq, 7n, 'the chain records the order rows were sealed in');
    assert.ok(slow!.seq < fast!.seq, 'while the listing keeps the order they were written in');
    assert.equal((await verifyAuditChain(database.db)).ok, true);
  });

  test('the sealers of several processes on one PostgreSQL share the chain', { skip: !onPostgres() }, async () => {
    // Two Database objects are two processes' pools: each seals after its own commits, and skips a seal
    // while the other holds the chain head.
    const url = await createPostgresDatabase(process.env.FINFLOW_TEST_PG_URL!);
    const one = await openDatabase({ databaseUrl: url, poolSize: 3 });
    await migrate(one);
    const two = await openDatabase({ databaseUrl: url, poolSize: 3 });
    try {
      await Promise.all(
        [one, two].flatMap((db, p) =>
          Array.from({ length: 40 }, (_, i) =>
            db.transaction((tx) =>
              appendAudit(tx, {
                actor: `process-${p}`,
                action: 'probe.shared',
                entityType: 'probe',
                entityId: `${p}-${i}`,
              }),
            ),
          ),
        ),
      );
      await Promise.all([one.auditSealer.settled(), two.auditSealer.settled()]);
      const result = await verifyAuditChain(one.db);
      assert.equal(result.ok, true, result.problem?.message);
      assert.equal(result.rowsChecked, 80);
      assert.equal(result.unsealedRows, 0);
    } finally {
      await one.close();
      await two.close();
    }
  });
});

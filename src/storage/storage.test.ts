import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openTestDatabase, onPostgres } from '../testing/test-database.js';
import type { Database } from './database.js';
import { loadMigrations, migrate } from './migrate.js';

describe('storage', () => {
  let database: Database;
  before(async () => {
    database = await openTestDatabase();
  });
  after(async () => {
    await database.close();
  });

  test('reports the dialect in use', () => {
    assert.equal(database.kind, onPostgres() ? 'postgres' : 'pglite');
  });

  test('migrations are idempotent: a second run applies nothing and changes nothing', async () => {
    const before = await database.db.selectFrom('schema_migrations').selectAll().orderBy('version').execute();
    const report = await migrate(database);
    assert.deepEqual(report.applied, []);
    assert.equal(report.alreadyApplied, loadMigrations().length);
    const after = await database.db.selectFrom('schema_migrations').selectAll().orderBy('version').execute();
    assert.deepEqual(after, before);
  });

  test('an applied migration whose file was edited is refused', async () => {
    const edited = loadMigrations().map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edit`, checksum: 'x' } : m));
    await assert.rejects(migrate(database, edited), /was edited after it was applied/);
  });

  test('bigint amounts round-trip exactly beyond 2^53', async () => {
    const row = await sql<{
      amount: bigint;
    }>`SELECT 9007199254740993::bigint AS amount`.execute(database.db);
    assert.equal(row.rows[0]!.amount, 9007199254740993n);
  });

  test('a failing transaction writes nothing', async () => {
    await sql`CREATE TABLE IF NOT EXISTS tx_probe (id int PRIMARY KEY)`.execute(database.db);
    await assert.rejects(
      database.transaction(async (tx) => {
        await sql`INSERT INTO tx_probe VALUES (1)`.execute(tx);
        throw new Error('boom');
      }),
      /boom/,
    );
    const count = await sql<{
      n: bigint;
    }>`SELECT count(*)::bigint AS n FROM tx_probe`.execute(database.db);
    assert.equal(count.rows[0]!.n, 0n);
  });

  test('queries outside a transaction wait for it instead of joining it', async () => {
    await sql`CREATE TABLE IF NOT EXISTS tx_probe2 (id int PRIMARY KEY)`.execute(database.db);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = database
      .transaction(async (t) => {
        await sql`INSERT INTO tx_probe2 VALUES (1)`.execute(t);
        await held;
        throw new Error('rollback');
      })
      .catch(() => 'rolled back');
    await new Promise((r) => setTimeout(r, 20));
    const outside = sql<{
      n: bigint;
    }>`SELECT count(*)::bigint AS n FROM tx_probe2`.execute(database.db);
    release();
    assert.equal(await tx, 'rolled back');
    assert.equal((await outside).rows[0]!.n, 0n);
  });
});

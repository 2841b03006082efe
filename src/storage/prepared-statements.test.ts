import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { sql } from 'kysely';
import { toAppError } from '../api/problem.js';
import { createPostgresDatabase, onPostgres } from '../testing/test-database.js';
import { openDatabase, type Database } from './database.js';
import type { Queryable } from './schema.js';

// The pool's named statements (prepared-statements.ts), seen from the server's side: one connection,
// so every statement of a test meets the statements its earlier ones prepared.
describe('prepared statements on PostgreSQL', { skip: !onPostgres() && 'a PostgreSQL pool feature' }, () => {
  const opened: Database[] = [];
  after(async () => {
    for (const database of opened) await database.close();
  });
  const open = async (preparedStatements?: boolean): Promise<Database> => {
    const url = await createPostgresDatabase(process.env.FINFLOW_TEST_PG_URL!);
    const database = await openDatabase({
      databaseUrl: url,
      poolSize: 1,
      ...(preparedStatements === undefined ? {} : { preparedStatements }),
    });
    opened.push(database);
    return database;
  };
  // No parameters: sent by the simple protocol, so it is never prepared itself. openDatabase's own
  // first query (`select $1 as "ok"`, the check of the URL) is left out.
  const preparedOnServer = async (database: Database) =>
    (
      await sql<{
        statement: string;
        generic_plans: string;
      }>`SELECT statement, generic_plans::text FROM pg_prepared_statements ORDER BY prepare_time`.execute(database.db)
    ).rows.filter((row) => !row.statement.includes('as "ok"'));

  test('a parameterised statement is prepared once and then run on a generic plan', async () => {
    const database = await open();
    await sql`CREATE TABLE t (id int PRIMARY KEY, a int)`.execute(database.db);
    await sql`INSERT INTO t SELECT g, g FROM generate_series(1, 100) g`.execute(database.db);
    for (let id = 1; id <= 10; id++) {
      const { rows } = await sql<{ a: number }>`SELECT a FROM t WHERE id = ${id}`.execute(database.db);
      assert.deepEqual(rows, [{ a: id }]);
    }
    const prepared = await preparedOnServer(database);
    assert.equal(prepared.length, 1);
    assert.match(prepared[0]!.statement, /SELECT a FROM t WHERE id = \$1/);
    // The first five runs are planned for their values; PostgreSQL then keeps one plan for the rest.
    assert.ok(Number(prepared[0]!.generic_plans) >= 1, `generic plans: ${prepared[0]!.generic_plans}`);
  });

  test('a statement with many parameters (a bulk insert) stays unnamed', async () => {
    const database = await open();
    const values = Array.from({ length: 65 }, (_, i) => i);
    const { rows } = await sql<{ n: number }>`SELECT cardinality(ARRAY[${sql.join(values)}]::int[]) AS n`.execute(
      database.db,
    );
    assert.deepEqual(rows, [{ n: 65 }]);
    assert.deepEqual(await preparedOnServer(database), []);
  });

  test('switched off, nothing is prepared', async () => {
    const database = await open(false);
    await sql`SELECT ${1}::int AS one`.execute(database.db);
    assert.deepEqual(await preparedOnServer(database), []);
  });

  test('after a schema change under the connection, a statement is planned again for the new schema', async () => {
    const database = await open();
    await sql`CREATE TABLE t (id int PRIMARY KEY)`.execute(database.db);
    await sql`INSERT INTO t VALUES (1)`.execute(database.db);
    const read = (db: Queryable = database.db) =>
      sql<Record<string, unknown>>`SELECT * FROM t WHERE id = ${1}`.execute(db);
    assert.deepEqual((await read()).rows, [{ id: 1 }]);
    // What a migration by another process does to a running one.
    await sql`ALTER TABLE t ADD COLUMN note text DEFAULT 'new'`.execute(database.db);
    // Outside a transaction the refused call is prepared again and retried at once.
    assert.deepEqual((await read()).rows, [{ id: 1, note: 'new' }]);

    await sql`ALTER TABLE t ADD COLUMN more int DEFAULT 2`.execute(database.db);
    // Inside one, the refusal has aborted the transaction: that call fails, the next is planned afresh.
    const refused = await database
      .transaction((tx) => read(tx))
      .then(
        () => assert.fail('the stale statement ran'),
        (error: unknown) => error,
      );
    assert.match(String(refused), /cached plan must not change result type/);
    // An API request meeting it answers 409 (send it again), not 500: nothing was written.
    const answer = toAppError(refused);
    assert.deepEqual([answer.status, answer.code], [409, 'schema_changed']);
    assert.deepEqual((await database.transaction((tx) => read(tx))).rows, [{ id: 1, note: 'new', more: 2 }]);
  });
});

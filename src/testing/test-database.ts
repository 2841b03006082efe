import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../storage/database.js';
import { loadMigrations, migrate } from '../storage/migrate.js';

/**
 * A fresh, fully migrated database for one test: on PGlite by default, on the throwaway PostgreSQL
 * server that `npm test` starts when FINFLOW_TEST_PG=1. The same tests run on both.
 */
export const onPostgres = (): boolean => Boolean(process.env.FINFLOW_TEST_PG_URL);

export function testTmpDir(): string {
  const dir = path.join(
    process.env.FINFLOW_TEST_TMP ?? os.tmpdir(),
    `t-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function openTestDatabase(): Promise<Database> {
  const adminUrl = process.env.FINFLOW_TEST_PG_URL;
  if (adminUrl) {
    const url = await createPostgresDatabase(adminUrl);
    const database = await openDatabase({ databaseUrl: url, poolSize: 5 });
    await migrate(database);
    return database;
  }
  return openDatabase({
    dataDir: 'memory://',
    loadDataDir: await migratedTemplate(),
  });
}

/** An empty database on the test server, for tests that run migrations themselves. */
export async function createPostgresDatabase(adminUrl: string): Promise<string> {
  const name = `ff_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * initdb in PGlite takes seconds; loading a dump of an already migrated database takes a fraction
 * of that. The dump is built once per migration set and shared by test processes through a file.
 */
async function migratedTemplate(): Promise<Blob> {
  // One hash of every migration's checksum: a name that stays short however many migrations there
  // are (eight characters each reached the file-name limit at the thirtieth).
  const key = createHash('sha256')
    .update(
      loadMigrations()
        .map((m) => m.checksum)
        .join('\n'),
    )
    .digest('hex')
    .slice(0, 32);
  const file = path.join(process.env.FINFLOW_TEST_TMP ?? os.tmpdir(), `pglite-template-${key}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)]);
  const database = await openDatabase({ dataDir: 'memory://' });
  await migrate(database);
  const dump = await database.dumpDataDir!();
  await database.close();
  const tmp = `${file}.${process.pid}`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, file);
  return dump;
}

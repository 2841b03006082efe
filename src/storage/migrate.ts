import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { AppError } from '../core/errors.js';
import type { Database } from './database.js';
import { SCRIPT_MARKER } from './pglite-dialect.js';

/**
 * Plain-SQL migrations, applied in file-name order (`NNNN_name.sql`), each in its own transaction
 * together with its row in schema_migrations. A transaction-scoped advisory lock makes concurrent
 * start-ups of several workers safe: one applies, the others wait and then find it applied. An
 * applied file whose checksum changed is refused — history is never rewritten; add a new file.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const LOCK_KEY = 7_305_112_001; // arbitrary constant naming "finflow migrations" among advisory locks

export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((file) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file ${file} must be named NNNN_snake_name.sql`);
    const text = readFileSync(`${dir}/${file}`, 'utf8');
    return {
      version: Number(match[1]),
      name: file,
      sql: text,
      checksum: createHash('sha256').update(text).digest('hex'),
    };
  });
}

export async function migrate(
  database: Database,
  migrations: Migration[] = loadMigrations(),
  onApplied: (name: string) => void = () => {},
): Promise<MigrationReport> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`.execute(database.db);

  const report: MigrationReport = { applied: [], alreadyApplied: 0 };
  for (const migration of migrations) {
    const applied = await database.transaction(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(${LOCK_KEY})`.execute(tx);
      const existing = await tx
        .selectFrom('schema_migrations')
        .select(['checksum'])
        .where('version', '=', migration.version)
        .executeTakeFirst();
      if (existing) {
        if (existing.checksum !== migration.checksum) {
          throw new AppError(
            'migration_changed',
            500,
            `migration ${migration.name} was edited after it was applied (checksum differs); add a new migration instead`,
          );
        }
        return false;
      }
      await sql.raw(`${SCRIPT_MARKER}\n${migration.sql}`).execute(tx);
      await tx
        .insertInto('schema_migrations')
        .values({
          version: migration.version,
          name: migration.name,
          checksum: migration.checksum,
        })
        .execute();
      return true;
    });
    if (applied) {
      report.applied.push(migration.name);
      onApplied(migration.name);
    } else {
      report.alreadyApplied++;
    }
  }
  return report;
}

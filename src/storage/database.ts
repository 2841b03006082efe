import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { AUDIT_APPENDED, AuditSealer } from './audit/audit-seal.js';
import { runWithCommitHooks } from './commit-hooks.js';
import { lockDataDir } from './data-dir-lock.js';
import { PGliteDialect } from './pglite-dialect.js';
import { prepareStatements } from './prepared-statements.js';
import type { Queryable, Tables, Tx } from './schema.js';

export type DatabaseKind = 'pglite' | 'postgres';

/**
 * The storage port every module uses. Reads may use `db` directly; every write goes through
 * `transaction()`, so a change and the audit row that records it commit together or not at all.
 */
export interface Database {
  readonly kind: DatabaseKind;
  readonly db: Queryable;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** Links committed audit rows into the hash chain; poked after every commit that wrote some. */
  readonly auditSealer: AuditSealer;
  /** Seals what is committed, then closes. */
  close(): Promise<void>;
  /** PGlite only: a tarball of the whole data folder (backups; test templates). */
  dumpDataDir?: () => Promise<Blob>;
}

export interface OpenDatabaseOptions {
  /** postgres://… selects a PostgreSQL server; otherwise PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite data folder; `memory://` for a throwaway in-memory database. */
  dataDir?: string;
  /** PGlite only: a tarball from `dumpDataDir()` to start from (tests use it to skip initdb). */
  loadDataDir?: Blob | File;
  poolSize?: number;
  /**
   * PostgreSQL only: the server ends a session that sits idle inside a transaction this long, which
   * rolls it back and releases its locks — the lease on work a hung process claimed. Default 5 min.
   */
  idleInTransactionTimeoutMs?: number;
  /** PostgreSQL only: name parameterised statements so the server plans them once (default true). */
  preparedStatements?: boolean;
}

const INT8_OID = 20;
const DATE_OID = 1082;

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    return openPostgres(options.databaseUrl, {
      max: options.poolSize ?? 10,
      idleInTransactionMs: options.idleInTransactionTimeoutMs ?? 5 * 60_000,
      prepared: options.preparedStatements ?? true,
    });
  }
  return openPGlite(options.dataDir ?? 'memory://', options.loadDataDir);
}

interface PostgresOptions {
  max: number;
  idleInTransactionMs: number;
  prepared: boolean;
}

async function openPostgres(
  connectionString: string,
  { max, idleInTransactionMs, prepared }: PostgresOptions,
): Promise<Database> {
  // bigint columns hold money in minor units: parse them to BigInt, never to a lossy number.
  const types = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary'): unknown =>
      oid === INT8_OID
        ? (value: string) => BigInt(value)
        : oid === DATE_OID
          ? (value: string) => value
          : (pg.types.getTypeParser(oid, format) as unknown)) as typeof pg.types.getTypeParser,
  };
  // JIT off: finflow's queries are short OLTP statements and a few reports over indexed tables; with
  // JIT on, PostgreSQL spent a second compiling the portfolio report at 100 000 receivables, more than
  // it spent running it (docs/benchmarks.md, Web console).
  const pool = new pg.Pool({
    connectionString,
    max,
    types,
    idle_in_transaction_session_timeout: idleInTransactionMs,
    options: '-c jit=off',
  });
  if (prepared) prepareStatements(pool);
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  await db.selectNoFrom((eb) => eb.val(1).as('ok')).execute(); // fail fast on a bad URL
  return makeDatabase('postgres', db, async () => {
    await db.destroy();
  });
}

async function openPGlite(dataDir: string, loadDataDir: Blob | File | undefined): Promise<Database> {
  const inMemory = dataDir.startsWith('memory://');
  const lock = inMemory ? undefined : lockDataDir(dataDir);
  try {
    const pglite = await PGlite.create({
      // Same rule as the pg driver: int8 is always a BigInt (PGlite's default gives small ones as numbers).
      // Calendar dates (due dates) stay 'YYYY-MM-DD' strings: a JS Date would shift them by the time zone.
      parsers: { [INT8_OID]: (value: string) => BigInt(value), [DATE_OID]: (value: string) => value },
      ...(inMemory ? {} : { dataDir }),
      ...(loadDataDir ? { loadDataDir } : {}),
    });
    const db = new Kysely<Tables>({ dialect: new PGliteDialect(pglite) });
    const database = makeDatabase('pglite', db, async () => {
      await db.destroy();
      await pglite.close();
      lock?.release();
    });
    return {
      ...database,
      dumpDataDir: () => pglite.dumpDataDir('none'),
    };
  } catch (error) {
    lock?.release();
    throw error;
  }
}

function makeDatabase(kind: DatabaseKind, db: Queryable, close: () => Promise<void>): Database {
  const auditSealer = new AuditSealer(db);
  return {
    kind,
    db,
    auditSealer,
    // Hooks (the audit rows' insert) run as the transaction's last statements, before COMMIT; once it
    // has committed, its audit rows are sealed into the chain.
    transaction: async (work) => {
      const committed = new Set<string>();
      const value = await db.transaction().execute((tx) => runWithCommitHooks(tx, work, committed));
      if (committed.has(AUDIT_APPENDED)) auditSealer.poke();
      return value;
    },
    close: async () => {
      await auditSealer.close();
      await close();
    },
  };
}

/**
 * A Database whose transactions join `tx` instead of opening their own: a request that must commit
 * as one unit (an idempotent POST, a workflow step) hands this to the code it calls.
 */
export function joinTransaction(database: Database, tx: Tx): Database {
  return {
    kind: database.kind,
    db: tx,
    auditSealer: database.auditSealer,
    transaction: (work) => work(tx),
    close: async () => {},
  };
}

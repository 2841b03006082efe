import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * Kysely dialect for embedded PGlite. PGlite is one Postgres backend in this process, i.e. ONE
 * connection: a transaction and any other query must never interleave on it, or the other query
 * would silently run inside the open transaction. So "acquiring a connection" takes an exclusive
 * lease, and every query — inside a transaction or not — waits its turn.
 */
/** A raw SQL text starting with this comment is run as a multi-statement script. */
export const SCRIPT_MARKER = '/* finflow:script */';

export class PGliteDialect implements Dialect {
  constructor(private readonly pglite: PGlite) {}
  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pglite);
  }
  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection;
  #lease: Promise<void> = Promise.resolve();
  #release: (() => void) | undefined;

  constructor(pglite: PGlite) {
    this.#connection = new PGliteConnection(pglite);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const previous = this.#lease;
    let release!: () => void;
    this.#lease = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.#release = release;
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const mode = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${mode}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = undefined;
    release?.();
    return Promise.resolve();
  }

  async destroy(): Promise<void> {
    await this.#lease;
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    try {
      // Multi-statement scripts (migrations) need the simple-query protocol; everything else uses
      // the extended protocol, whose result parsing (int8 → bigint) matches the pg driver's.
      if (compiled.sql.startsWith(SCRIPT_MARKER)) {
        const results = await this.pglite.exec(compiled.sql);
        const last = results[results.length - 1];
        return toQueryResult<R>(last?.rows ?? [], last?.affectedRows);
      }
      const result = await this.pglite.query<R>(compiled.sql, compiled.parameters as unknown[]);
      return toQueryResult<R>(result.rows, result.affectedRows);
    } catch (error) {
      throw withoutParameters(error);
    }
  }

  streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite; page with keyset queries instead');
  }
}

/**
 * PGlite attaches the statement's parameter values to its errors (`params`, `queryOptions`), where
 * they would travel into logs, causes and error reports: a failed update of a webhook subscription
 * carries its signing secrets. The pg driver attaches none; neither does finflow.
 */
export function withoutParameters(error: unknown): unknown {
  if (typeof error === 'object' && error !== null) {
    const fields = error as Record<string, unknown>;
    delete fields.params;
    delete fields.queryOptions;
  }
  return error;
}

function toQueryResult<R>(rows: unknown[], affectedRows: number | undefined): QueryResult<R> {
  return {
    rows: rows as R[],
    ...(affectedRows !== undefined ? { numAffectedRows: BigInt(affectedRows) } : {}),
  };
}

import type pg from 'pg';

/**
 * Named prepared statements for the PostgreSQL pool.
 *
 * The pg driver sends every parameterised query as an unnamed statement, which PostgreSQL parses and
 * plans again at every call. On finflow's short domain statements that is most of the server's
 * work: a statement log of 2 000 payment approvals spent 10.7 s of 25 s binding (that is planning)
 * and 1.9 s parsing, against 6 s executing (docs/benchmarks.md, "Outgoing payments"). A named
 * statement is parsed once per connection; after five executions PostgreSQL keeps a generic plan
 * when it costs no more than the custom ones, so the planning goes too.
 *
 * Which statements: those with 1 to MAX_PARAMETERS parameters. Bulk inserts, whose text changes with
 * their row count, have more and stay unnamed — their planning is small beside their work, and
 * naming them would only fill the cache with shapes used once. Statements without parameters go by
 * the simple protocol as before (BEGIN, COMMIT, migrations).
 *
 * Bounded: each connection prepares at most MAX_PER_CONNECTION statements; past that, new shapes go
 * unnamed. The pool closes idle connections, so a long-running process does not keep stale shapes.
 *
 * A schema change under a live connection (another process migrated) makes PostgreSQL refuse a
 * prepared `SELECT *` whose columns changed ("cached plan must not change result type"). The
 * connection prepares that statement again under a new name, planned against the new schema: at once
 * when no transaction is open; inside one, the error has aborted the transaction, so that call fails
 * and the next one succeeds.
 *
 * Off (`FINFLOW_DATABASE_PREPARED_STATEMENTS=false`) behind a pooler in transaction mode (PgBouncer
 * before 1.21), which cannot keep a session's prepared statements.
 */

const MAX_PARAMETERS = 64;
const MAX_PER_CONNECTION = 500;

type QueryFn = (...args: unknown[]) => unknown;

/** PostgreSQL refused a prepared statement whose result columns a schema change altered. */
export const isStalePlan = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === '0A000' &&
  /cached plan must not change result type/.test(String((error as { message?: unknown }).message));

/** Makes every connection the pool opens name its parameterised statements (see above). */
export function prepareStatements(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as QueryFn;
    // Statement text → its name on this connection. A counter, not a hash of the text: the Map's own
    // string lookup is far cheaper than hashing every statement (2 % of the payments bench's CPU).
    const names = new Map<string, string>();
    let counter = 0;
    // Kysely opens and ends transactions with these plain statements; a stale plan outside one can be
    // retried at once, inside one it has aborted the transaction.
    let inTransaction = false;
    const nameOf = (text: string): string | undefined => {
      let name = names.get(text);
      if (name === undefined) {
        if (names.size >= MAX_PER_CONNECTION) return undefined;
        name = `ff_${++counter}`;
        names.set(text, name);
      }
      return name;
    };
    const named = (text: string, values: unknown[], retry: boolean): Promise<unknown> => {
      const name = nameOf(text);
      if (name === undefined) return query(text, values) as Promise<unknown>;
      return (query({ name, text, values }) as Promise<unknown>).catch((error: unknown) => {
        if (!isStalePlan(error)) throw error;
        // Prepared again under a new name, planned against the schema as it is now. (The old statement
        // stays on the server until the connection closes: one per statement and schema change.)
        names.delete(text);
        if (inTransaction || !retry) throw error;
        return named(text, values, false);
      });
    };
    // Kysely calls query(text, values) for statements and query(cursor) for streams; only the first
    // form is named, everything else passes through unchanged.
    (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
      const [text, values] = args;
      if (args.length === 2 && typeof text === 'string' && Array.isArray(values)) {
        if (values.length > 0 && values.length <= MAX_PARAMETERS) return named(text, values, true);
        if (/^(begin|start transaction)\b/i.test(text)) inTransaction = true;
        else if (/^(commit|rollback)$/i.test(text)) inTransaction = false;
      }
      return query(...args);
    };
  });
}

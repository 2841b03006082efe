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
 * prepared `SELECT *` whose columns changed ("cached plan must not change result type"). That
 * statement fails once; the connection then prepares it again under a new name, so the next call
 * is planned against the new schema.
 *
 * Off (`FINFLOW_DATABASE_PREPARED_STATEMENTS=false`) behind a pooler in transaction mode (PgBouncer
 * before 1.21), which cannot keep a session's prepared statements.
 */

const MAX_PARAMETERS = 64;
const MAX_PER_CONNECTION = 500;

type QueryFn = (...args: unknown[]) => unknown;

const isStalePlan = (error: unknown): boolean =>
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
    const named = (text: string, values: unknown[]): Promise<unknown> | undefined => {
      if (values.length === 0 || values.length > MAX_PARAMETERS) return undefined;
      let name = names.get(text);
      if (name === undefined) {
        if (names.size >= MAX_PER_CONNECTION) return undefined;
        name = `ff_${++counter}`;
        names.set(text, name);
      }
      return (query({ name, text, values }) as Promise<unknown>).catch((error: unknown) => {
        // The next call prepares the text under a new name, planned against the schema as it is now.
        // (The old statement stays on the server until the connection closes: one per schema change.)
        if (isStalePlan(error)) names.delete(text);
        throw error;
      });
    };
    // Kysely calls query(text, values) for statements and query(cursor) for streams; only the first
    // form is named, everything else passes through unchanged.
    (client as unknown as { query: QueryFn }).query = (...args: unknown[]) => {
      const [text, values] = args;
      if (args.length === 2 && typeof text === 'string' && Array.isArray(values)) {
        const result = named(text, values);
        if (result) return result;
      }
      return query(...args);
    };
  });
}

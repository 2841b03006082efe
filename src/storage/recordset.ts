import { sql, type RawBuilder } from 'kysely';

/**
 * Many rows as one JSON parameter, read back by json_to_recordset($1): for bulk INSERTs and
 * UPDATE … FROM whose row count grows with the input. A VALUES list takes a parameter per value, and
 * PostgreSQL refuses a statement of more than 65 535 (a ledger batch of 4 096 transfers was one);
 * here the statement has one parameter whatever the number of rows. For rows of scalar columns it is
 * also cheaper to bind (bench:reconcile: the ledger, receivable and installment writes). For rows
 * carrying large jsonb documents it is not: the audit rows and events stay VALUES lists in chunks,
 * which PostgreSQL turned into jsonb faster (docs/benchmarks.md, sixth session).
 */

/** A column of the document: its name and its SQL type. A jsonb column takes the value as it is. */
export type RecordsetColumn<Row> = readonly [keyof Row & string, string];

/**
 * `json_to_recordset(…) AS alias (columns)` for `rows` (a few thousand at most: the document is one
 * message). Callers give bigint values as strings (JSON has no bigint: JSON.stringify refuses them,
 * and a replacer would slow down every nested value); a missing or undefined value is NULL; a jsonb
 * column's value is the document itself (a JSON string would be stored as a string).
 */
export function recordset<Row>(
  alias: string,
  columns: ReadonlyArray<RecordsetColumn<Row>>,
  rows: readonly Row[],
): RawBuilder<unknown> {
  const document = JSON.stringify(rows);
  const shape = sql.join(columns.map(([column, type]) => sql`${sql.ref(column)} ${sql.raw(type)}`));
  return sql`json_to_recordset(${document}::json) AS ${sql.raw(alias)} (${shape})`;
}

/** INSERT INTO table (columns) SELECT columns FROM the rows' recordset; `tail` is ON CONFLICT …, RETURNING …. */
export function recordsetInsert<Row, Out = never>(
  table: string,
  columns: ReadonlyArray<RecordsetColumn<Row>>,
  rows: readonly Row[],
  tail: RawBuilder<unknown> = sql``,
): RawBuilder<Out> {
  const names = sql.join(columns.map(([column]) => sql.ref(column)));
  return sql<Out>`INSERT INTO ${sql.table(table)} (${names})
    SELECT ${names} FROM ${recordset('r', columns, rows)} ${tail}`;
}

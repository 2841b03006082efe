import { sql, type RawBuilder } from 'kysely';

/**
 * Many rows as one JSON parameter, read back by json_to_recordset($1): for bulk INSERTs and
 * UPDATE … FROM. A VALUES list of 2 000 rows of 10 columns is 20 000 parameters to serialise, send,
 * bind and plan (and PostgreSQL refuses a statement of more than 65 535); one array parameter per
 * column (unnest) escapes every JSON document a second time inside an array literal. One
 * JSON.stringify here and one parse in the server is cheaper than either, whatever the row count.
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

/**
 * Writing CSV (RFC 4180) for the exports: one field, and a whole table with a header line. Lines end
 * in CRLF, the last one too, as the RFC and spreadsheet imports expect.
 */

/** A field as text, quoted only when it needs to be (a comma, quote or line break), its quotes doubled. */
export function csvField(value: unknown): string {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'string'
        ? value
        : typeof value === 'bigint'
          ? value.toString()
          : value instanceof Date
            ? value.toISOString()
            : JSON.stringify(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The header (the column names) and one line per row, each row's fields in the columns' order. */
export function csvTable<K extends string>(
  columns: readonly K[],
  rows: ReadonlyArray<Readonly<Partial<Record<K, unknown>>>>,
): string {
  const lines = [columns.map(csvField).join(','), ...rows.map((row) => columns.map((k) => csvField(row[k])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

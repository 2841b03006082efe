import { compileConverter, type ColumnRef, type Converter, type ConvertResult } from './convert/row-converter.js';
import type { ImportIssue } from './import-issue.js';
import type { FieldMapping, ImportMapping } from './mapping/mapping-types.js';
import { readCsv, SourceError, type TextRecord } from './read-csv.js';
import { readFixedWidth } from './read-fixed-width.js';

/**
 * Opens a source file as the mapping says: streams its records (CSV or fixed-width), resolves the
 * mapping's columns (by the header for CSV), and converts the rows as they stream.
 */

export interface ConvertedRow {
  line: number;
  result: ConvertResult;
}

export interface OpenedFile {
  /** How messages name each target field's source: its column, or null for a constant. */
  labels: Map<string, string | null>;
  /** Problems that stop the file before its first row (a header without a mapped column). */
  fatal: ImportIssue[];
  rows: AsyncGenerator<ConvertedRow>;
}

/** The file's records, and where each mapped column is in a record's cells. */
interface Layout {
  records: AsyncGenerator<TextRecord>;
  resolve: (field: FieldMapping) => ColumnRef;
  /** CSV with a header: how many cells a row must have. */
  headerWidth?: number;
}

const columnOf = (field: FieldMapping) => (field.source.kind === 'column' ? field.source.column : undefined);

/** Opens the file's records, resolves the mapping's columns (by header for CSV), and converts rows as they stream. */
export async function openFile(
  file: string,
  mapping: ImportMapping,
  onBytes?: (bytes: number) => void,
): Promise<OpenedFile> {
  const fatal: ImportIssue[] = [];
  const { records, resolve, headerWidth } =
    mapping.format === 'fixed-width'
      ? fixedWidthLayout(file, mapping, onBytes)
      : await csvLayout(file, mapping, fatal, onBytes);
  const labels = new Map<string, string | null>();
  for (const field of mapping.fields)
    labels.set(field.target, field.source.kind === 'column' ? resolve(field).label : null);
  if (fatal.length > 0) {
    await records.return(undefined);
    return { labels, fatal, rows: (async function* () {})() };
  }
  return { labels, fatal, rows: convertedRows(records, compileConverter(mapping, resolve), headerWidth) };
}

function fixedWidthLayout(file: string, mapping: ImportMapping, onBytes?: (bytes: number) => void): Layout {
  const records = readFixedWidth(file, {
    encoding: mapping.encoding,
    skipLines: mapping.skipLines,
    columns: mapping.columns,
    ...(onBytes ? { onBytes } : {}),
  });
  const index = new Map(mapping.columns.map((c, i) => [c.name, i]));
  return {
    records,
    resolve: (field) => ({ index: index.get(String(columnOf(field)))!, label: String(columnOf(field)) }),
  };
}

async function csvLayout(
  file: string,
  mapping: ImportMapping,
  fatal: ImportIssue[],
  onBytes?: (bytes: number) => void,
): Promise<Layout> {
  const records = readCsv(file, {
    encoding: mapping.encoding,
    delimiter: mapping.csv.delimiter,
    quote: mapping.csv.quote,
    skipLines: mapping.skipLines,
    ...(onBytes ? { onBytes } : {}),
  });
  if (!mapping.csv.header) {
    return { records, resolve: (field) => ({ index: Number(columnOf(field)) - 1, label: String(columnOf(field)) }) };
  }
  const first = await nextRecord(records, fatal);
  const names = (first?.cells ?? []).map((name) => name.trim());
  const headerLine = first?.line ?? mapping.skipLines + 1;
  if (!first && fatal.length === 0) {
    fatal.push({ line: null, column: null, field: null, message: 'the file is empty: there is no header line' });
  }
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    if (!index.has(name)) index.set(name, i);
  });
  for (const field of mapping.fields) {
    const name = columnOf(field);
    if (name === undefined || index.has(String(name)) || !first) continue;
    fatal.push({
      line: headerLine,
      column: String(name),
      field: field.target,
      message: `is not in the header; the header has ${names.map((n) => JSON.stringify(n)).join(', ')}`,
    });
  }
  return {
    records,
    resolve: (field) => ({ index: index.get(String(columnOf(field)))!, label: String(columnOf(field)) }),
    headerWidth: names.length,
  };
}

async function nextRecord(records: AsyncGenerator<TextRecord>, fatal: ImportIssue[]): Promise<TextRecord | undefined> {
  try {
    const next = await records.next();
    return next.done ? undefined : next.value;
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    fatal.push({ line: error.line, column: null, field: null, message: error.message });
    return undefined;
  }
}

async function* convertedRows(
  records: AsyncGenerator<TextRecord>,
  converter: Converter,
  headerWidth: number | undefined,
): AsyncGenerator<ConvertedRow> {
  for await (const { line, cells } of records) {
    if (headerWidth !== undefined && cells.length !== headerWidth) {
      const extraBlank = cells.length > headerWidth && cells.slice(headerWidth).every((c) => c.trim() === '');
      if (!extraBlank) {
        const hint = cells.length > headerWidth ? ' (a delimiter inside an unquoted value?)' : '';
        const message = `has ${cells.length} values, but the header has ${headerWidth} columns${hint}`;
        yield { line, result: { ok: false, issues: [{ line, column: null, field: null, message }] } };
        continue;
      }
    }
    yield { line, result: converter.convert(cells, line) };
  }
}

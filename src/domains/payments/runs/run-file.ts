import { CsvError, parse } from 'csv-parse/sync';
import { AppError } from '../../../core/errors.js';

/**
 * A CSV file of records (a payment run, a file of payables) read into its lines: a header naming
 * the columns (in any order, names matched without regard to case), then one record per line.
 * Quotes follow RFC 4180; empty lines are skipped. Each line keeps its number in the file (the
 * header is line 1), counted from the byte offsets rather than taken from csv-parse, whose count
 * drifts after a quoted value holding a CRLF.
 */

export const RUN_COLUMNS = [
  'beneficiaryId',
  'amount',
  'currency',
  'bankAccountId',
  'requestedExecutionDate',
  'remittance',
  'creditorReference',
  'purpose',
  'sourceRef',
] as const;
export type RunColumn = (typeof RUN_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly RunColumn[] = ['beneficiaryId', 'amount'];

/** One problem with the file: the line (header = 1; null: the whole file) and the column it is in. */
export interface RunIssue {
  line: number | null;
  column: string | null;
  value?: string;
  message: string;
}

export interface FileLine<C extends string> {
  line: number;
  cells: Partial<Record<C, string>>;
}
export type RunLine = FileLine<RunColumn>;

/** `lines`: the lines that could be read; `issues`: every problem, the lines' own and the file's. */
export type ReadResult<C extends string> =
  { ok: true; lines: Array<FileLine<C>>; issues: RunIssue[] } | { ok: false; issues: RunIssue[] };

/** What a file holds: its columns, the required ones, and what one line is ("payment"). */
export interface FileSpec<C extends string> {
  columns: readonly C[];
  required: readonly C[];
  record: string;
  maxLines: number;
}

/** A payment run's file: one payment per line. */
export function readRunFile(bytes: Uint8Array, maxLines: number): ReadResult<RunColumn> {
  return readColumnsFile(bytes, { columns: RUN_COLUMNS, required: REQUIRED_COLUMNS, record: 'payment', maxLines });
}

/**
 * The file's lines, or why it cannot be read at all (every header problem at once); a line with
 * the wrong number of values is an issue of its own, reported with the other lines' problems.
 */
export function readColumnsFile<C extends string>(bytes: Uint8Array, spec: FileSpec<C>): ReadResult<C> {
  const buffer = Buffer.from(bytes);
  let records: Array<{ record: string[]; info: { bytes: number } }>;
  try {
    records = parse(buffer, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
    }) as unknown as Array<{ record: string[]; info: { bytes: number } }>;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines;
    const message =
      error.code === 'CSV_QUOTE_NOT_CLOSED'
        ? 'a quoted value is not closed before the end of the file'
        : `the file is not valid CSV: ${error.message}`;
    return { ok: false, issues: [{ line: typeof line === 'number' ? line : null, column: null, message }] };
  }
  const breaks: number[] = [];
  for (let i = buffer.indexOf(10); i >= 0; i = buffer.indexOf(10, i + 1)) breaks.push(i);
  let head = 0;
  const lineOf = (record: string[], end: number): number => {
    while (head < breaks.length && breaks[head]! < end - 1) head++;
    let line = head + 1;
    for (const cell of record) for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) line--;
    return line;
  };

  const [header, ...rest] = records;
  if (!header) return { ok: false, issues: [{ line: null, column: null, message: 'the file is empty' }] };
  const headerLine = lineOf(header.record, header.info.bytes);
  const issues: RunIssue[] = [];
  const columns: Array<C | null> = [];
  const byName = new Map(spec.columns.map((c) => [c.toLowerCase(), c]));
  for (const [index, raw] of header.record.entries()) {
    const name = raw.trim();
    const column = byName.get(name.toLowerCase());
    if (!column) {
      issues.push({
        line: headerLine,
        column: name || `#${index + 1}`,
        message: `unknown column "${name}"; the columns are ${spec.columns.join(', ')}`,
      });
    } else if (columns.includes(column)) {
      issues.push({ line: headerLine, column, message: `column ${column} appears twice` });
    }
    columns.push(column ?? null);
  }
  for (const required of spec.required) {
    if (!columns.includes(required)) {
      issues.push({ line: headerLine, column: required, message: `the required column ${required} is missing` });
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  if (rest.length === 0)
    return { ok: false, issues: [{ line: null, column: null, message: `the file has no ${spec.record} lines` }] };
  if (rest.length > spec.maxLines) {
    return {
      ok: false,
      issues: [
        {
          line: null,
          column: null,
          message: `the file has ${rest.length} lines; a file takes at most ${spec.maxLines}`,
        },
      ],
    };
  }
  const lines: Array<FileLine<C>> = [];
  for (const { record, info } of rest) {
    const line = lineOf(record, info.bytes);
    if (record.length !== columns.length) {
      issues.push({
        line,
        column: null,
        message: `has ${record.length} values; the header names ${columns.length} columns`,
      });
      continue;
    }
    const cells: FileLine<C>['cells'] = {};
    let readable = true;
    record.forEach((value, i) => {
      const trimmed = value.trim();
      // PostgreSQL text cannot hold a NUL byte: any query naming the cell would fail (a 500), so
      // the reader refuses it for every column of every kind of file.
      if (trimmed.includes('\u0000')) {
        issues.push({ line, column: columns[i]!, message: 'must not contain a NUL character' });
        readable = false;
      } else if (trimmed !== '') cells[columns[i]!] = trimmed;
    });
    if (readable) lines.push({ line, cells });
  }
  return { ok: true, lines, issues };
}

/**
 * A decimal amount in major units ("1234.56") as minor units of the currency, exactly: digit by
 * digit, never through a float. More decimals than the currency has are refused unless they are
 * zeros (finflow never rounds money). Returns the message of what is wrong instead when it is not.
 */
export function minorUnitsOf(text: string, digits: number, currency: string): bigint | string {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return `"${text}" is not a decimal amount in ${currency} (digits and "." only, e.g. 1234.56)`;
  const int = match[1]!;
  const frac = match[2] ?? '';
  if (frac.length > digits && /[^0]/.test(frac.slice(digits))) {
    return `"${text}" has ${frac.replace(/0+$/, '').length} decimal places; ${currency} has ${digits} (amounts are never rounded)`;
  }
  const minor = (int + frac.slice(0, digits).padEnd(digits, '0')).replace(/^0+(?=\d)/, '');
  if (minor.length > 18) return `"${text}" is too large`;
  if (/^0+$/.test(minor)) return 'must be above 0';
  return BigInt(minor);
}

/**
 * 422 `code` listing every problem of a file: `errors` as field issues (the column, its line),
 * `issues` as read. Nothing of the file was written.
 */
export function fileRefused(code: string, issues: RunIssue[]): AppError {
  const shown = issues.slice(0, 1000);
  const first = shown[0]!;
  const where = (i: RunIssue) =>
    [i.line === null ? null : `line ${i.line}`, i.column === null ? null : `column ${i.column}`]
      .filter(Boolean)
      .join(', ');
  return new AppError(
    code,
    422,
    issues.length === 1
      ? `${where(first) || 'the file'}: ${first.message}`
      : `${issues.length} problems in the file; nothing was created (first: ${where(first)}: ${first.message})`,
    {
      issues: shown.map((i) => ({
        field: i.column === null ? 'body' : `body.${i.column}`,
        message: i.message,
        ...(i.line === null ? {} : { line: i.line }),
      })),
      details: { issues: shown, issueCount: issues.length },
    },
  );
}

// eslint-disable-next-line no-control-regex -- rejecting control characters is this pattern's purpose
export const NO_CONTROL = /^[^\u0000-\u001f\u007f-\u009f]*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real day YYYY-MM-DD: "2026-02-30" and "2026-13-01" are not (the second is no Date at all). */
export function isCalendarDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

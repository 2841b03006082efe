import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import { AppError } from '../../../core/errors.js';
import { CustomerUpsertSchema } from '../../customers/customer-input.js';
import type { DomainContext } from '../../contract.js';
import { ReceivableInputSchema, SyncPaymentSchema } from '../../receivables/receivable-input.js';
import { joinTransaction } from '../../../storage/database.js';
import { compileConverter, type ColumnRef, type ConvertResult, type ImportIssue } from './convert.js';
import type { FieldMapping, ImportKind, ImportMapping } from './mapping.js';
import { readCsv, SourceError, type TextRecord } from './read-csv.js';
import { readFixedWidth } from './read-fixed-width.js';
import type { SyncMode, SyncReport, SyncRowResult } from '../sync-service.js';

/**
 * Imports a legacy export: reads the file (CSV or fixed-width) as the mapping says, converts every
 * row into a sync row, and hands them to the sync service in batches.
 *
 * The file is read twice, streamed both times, so memory stays at one batch whatever the file's
 * size: first every row is converted and checked (nothing is written if any row fails), then the
 * rows are converted again and synced. In all-or-nothing mode every batch runs inside one outer
 * transaction, so a row the sync service refuses in the last batch undoes the first. Problems name
 * the file's line and column: the converter's own, and the sync service's `{ index, field }` ones
 * mapped back through the batch's lines and the mapping's columns.
 */

// The sync service's interface; the caller passes the function in (tests give it their own).
export type { SyncMode, SyncReport, SyncRowResult } from '../sync-service.js';
export type SyncCounts = SyncReport['counts'];
export type SyncRowsFunction = (
  context: DomainContext,
  kind: ImportKind,
  rows: unknown[],
  options: { mode: SyncMode; actor: string; requestId?: string | null },
) => Promise<SyncReport>;

export interface ImportProgress {
  /** check: converting the whole file (done/total in bytes); import: syncing (done/total in rows). */
  phase: 'check' | 'import';
  done: number;
  total: number;
}

export const DEFAULT_MAX_ISSUES = 50;

/** The schemas the sync service validates rows with (the API's too): checked before anything is written. */
const ROW_SCHEMAS: Record<ImportKind, z.ZodType> = {
  customers: CustomerUpsertSchema,
  receivables: ReceivableInputSchema,
  payments: SyncPaymentSchema,
};

// ---------------------------------------------------------------------------------------------
// Reading and converting

interface FileStamp {
  size: number;
  mtimeMs: number;
}

function stamp(file: string): FileStamp {
  try {
    const { size, mtimeMs } = statSync(file);
    return { size, mtimeMs };
  } catch (cause) {
    throw new AppError('file_unreadable', 400, `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
}

interface ConvertedRow {
  line: number;
  result: ConvertResult;
}

interface OpenedFile {
  /** How messages name each target field's source: its column, or null for a constant. */
  labels: Map<string, string | null>;
  /** Problems that stop the file before its first row (a header without a mapped column). */
  fatal: ImportIssue[];
  rows: AsyncGenerator<ConvertedRow>;
}

/** Opens the file's records, resolves the mapping's columns (by header for CSV), and converts rows as they stream. */
async function openFile(file: string, mapping: ImportMapping, onBytes?: (bytes: number) => void): Promise<OpenedFile> {
  const labels = new Map<string, string | null>();
  const fatal: ImportIssue[] = [];
  let records: AsyncGenerator<TextRecord>;
  let resolve: (field: FieldMapping) => ColumnRef;
  let headerWidth: number | undefined;
  const column = (field: FieldMapping) => (field.source.kind === 'column' ? field.source.column : undefined);

  if (mapping.format === 'fixed-width') {
    records = readFixedWidth(file, {
      encoding: mapping.encoding,
      skipLines: mapping.skipLines,
      columns: mapping.columns,
      ...(onBytes ? { onBytes } : {}),
    });
    const index = new Map(mapping.columns.map((c, i) => [c.name, i]));
    resolve = (field) => ({ index: index.get(String(column(field)))!, label: String(column(field)) });
  } else {
    records = readCsv(file, {
      encoding: mapping.encoding,
      delimiter: mapping.csv.delimiter,
      quote: mapping.csv.quote,
      skipLines: mapping.skipLines,
      ...(onBytes ? { onBytes } : {}),
    });
    if (mapping.csv.header) {
      const first = await nextRecord(records, fatal);
      const names = (first?.cells ?? []).map((name) => name.trim());
      const headerLine = first?.line ?? mapping.skipLines + 1;
      if (!first && fatal.length === 0) {
        fatal.push({ line: null, column: null, field: null, message: 'the file is empty: there is no header line' });
      }
      headerWidth = names.length;
      const index = new Map<string, number>();
      names.forEach((name, i) => {
        if (!index.has(name)) index.set(name, i);
      });
      for (const field of mapping.fields) {
        const name = column(field);
        if (name === undefined || index.has(String(name)) || !first) continue;
        fatal.push({
          line: headerLine,
          column: String(name),
          field: field.target,
          message: `is not in the header; the header has ${names.map((n) => JSON.stringify(n)).join(', ')}`,
        });
      }
      resolve = (field) => ({ index: index.get(String(column(field)))!, label: String(column(field)) });
    } else {
      resolve = (field) => ({ index: Number(column(field)) - 1, label: String(column(field)) });
    }
  }
  for (const field of mapping.fields)
    labels.set(field.target, field.source.kind === 'column' ? resolve(field).label : null);
  if (fatal.length > 0) {
    await records.return(undefined);
    return { labels, fatal, rows: (async function* () {})() };
  }

  const converter = compileConverter(mapping, resolve);
  async function* rows(): AsyncGenerator<ConvertedRow> {
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
  return { labels, fatal, rows: rows() };
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

// ---------------------------------------------------------------------------------------------
// Pass 1: check

export interface CheckResult {
  file: string;
  /** Rows read (the header and skipped lines not counted). */
  rows: number;
  /** The first maxIssues problems, in file order. */
  issues: ImportIssue[];
  /** All problems, counted. */
  issueCount: number;
  bytes: number;
  seconds: number;
  stamp: FileStamp;
}

export interface CheckOptions {
  maxIssues?: number;
  onProgress?: (progress: ImportProgress) => void;
}

/**
 * Converts every row of the file without writing anything and reports what would stop the import:
 * conversion problems, rows whose cell count does not match the header, rows the sync service's
 * schema refuses (a bad e-mail address, a loan without a term), and an externalId that appears
 * twice. What needs the database (an unknown customer, a rating not on the scale) is found by the
 * sync itself. Needs no database.
 */
export async function checkFile(
  file: string,
  mapping: ImportMapping,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const started = performance.now();
  const fileStamp = stamp(file);
  const maxIssues = options.maxIssues ?? DEFAULT_MAX_ISSUES;
  const issues: ImportIssue[] = [];
  let issueCount = 0;
  const add = (found: ImportIssue[]) => {
    issueCount += found.length;
    for (const issue of found) if (issues.length < maxIssues) issues.push(issue);
  };
  let bytes = 0;
  const onBytes = (n: number) => {
    bytes += n;
    options.onProgress?.({ phase: 'check', done: bytes, total: fileStamp.size });
  };

  const opened = await openFile(file, mapping, onBytes);
  add(opened.fatal);
  let rows = 0;
  const seen = new Map<string, number>();
  const idLabel = opened.labels.get('externalId') ?? null;
  const schema = ROW_SCHEMAS[mapping.kind];
  try {
    for await (const { line, result } of opened.rows) {
      rows++;
      if (!result.ok) {
        add(result.issues);
        continue;
      }
      const valid = schema.safeParse(result.row);
      if (!valid.success) {
        const errors = valid.error.issues.map((i) => ({
          field: i.path.join('.'),
          message: withValue(result.row, i.path, i.message),
        }));
        add(syncIssues({ index: 0, status: 'error', errors }, [line], opened.labels));
        continue;
      }
      const id = result.row.externalId;
      if (typeof id !== 'string') continue;
      const first = seen.get(id);
      if (first === undefined) seen.set(id, line);
      else {
        add([{ line, column: idLabel, field: 'externalId', value: id, message: `"${id}" is also on line ${first}` }]);
      }
    }
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    add([{ line: error.line, column: null, field: null, message: error.message }]);
  }
  return { file, rows, issues, issueCount, bytes, seconds: (performance.now() - started) / 1000, stamp: fileStamp };
}

// ---------------------------------------------------------------------------------------------
// Pass 2: import

export interface ImportOptions {
  mode: SyncMode;
  actor: string;
  requestId?: string | null;
  /** Run everything in one transaction and roll it back: what the import would do. */
  dryRun?: boolean;
  /** Rows per syncRows call (the sync service's MAX_SYNC_ROWS). */
  batchSize?: number;
  maxIssues?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** The result of checkFile, when the caller checked the file already (before opening the database). */
  checked?: CheckResult;
  sync: SyncRowsFunction;
}

export interface ImportReport {
  kind: ImportKind;
  file: string;
  mode: SyncMode;
  dryRun: boolean;
  /** Recorded with every audit row the import writes. */
  requestId: string | null;
  /** Whether the rows are in the database now (all-or-nothing: all of them; per-row: the good ones). */
  committed: boolean;
  /** check: conversion problems, nothing was written; sync: rows the sync service refused; done: no problems. */
  stage: 'check' | 'sync' | 'done';
  rows: number;
  counts: SyncCounts;
  issues: ImportIssue[];
  issueCount: number;
  /** All-or-nothing stops syncing at a batch that fails when the next one cannot run: the first line not checked. */
  uncheckedFromLine: number | null;
  seconds: number;
  rowsPerSecond: number;
}

class Rollback extends Error {}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The report of an import that stopped at the check: nothing was written. */
export function checkReport(
  mapping: ImportMapping,
  file: string,
  options: Pick<ImportOptions, 'mode' | 'dryRun' | 'requestId'>,
  checked: CheckResult,
): ImportReport {
  return {
    kind: mapping.kind,
    file,
    mode: options.mode,
    dryRun: options.dryRun ?? false,
    requestId: options.requestId ?? null,
    committed: false,
    stage: 'check',
    rows: checked.rows,
    counts: { created: 0, updated: 0, unchanged: 0, failed: 0 },
    issues: checked.issues,
    issueCount: checked.issueCount,
    uncheckedFromLine: null,
    seconds: round(checked.seconds, 3),
    rowsPerSecond: checked.seconds > 0 ? round(checked.rows / checked.seconds, 1) : 0,
  };
}

/** Checks the file (unless `options.checked` is given), then syncs its rows in batches. */
export async function importFile(
  context: DomainContext,
  file: string,
  mapping: ImportMapping,
  options: ImportOptions,
): Promise<ImportReport> {
  const started = performance.now() - (options.checked?.seconds ?? 0) * 1000;
  const maxIssues = options.maxIssues ?? DEFAULT_MAX_ISSUES;
  const checked = options.checked ?? (await checkFile(file, mapping, options));
  const dryRun = options.dryRun ?? false;
  const report = checkReport(mapping, file, options, checked);
  const finish = (): ImportReport => {
    const seconds = (performance.now() - started) / 1000;
    report.seconds = round(seconds, 3);
    report.rowsPerSecond = seconds > 0 ? round(report.rows / seconds, 1) : 0;
    return report;
  };
  if (checked.issueCount > 0) return finish();

  report.stage = 'sync';
  const batchSize = options.batchSize ?? 10_000;
  const outer = options.mode === 'all_or_nothing' || dryRun;
  const syncMode: SyncMode = dryRun ? 'all_or_nothing' : options.mode;
  const addIssue = (issue: ImportIssue) => {
    report.issueCount++;
    if (report.issues.length < maxIssues) report.issues.push(issue);
  };

  const run = async (ctx: DomainContext): Promise<void> => {
    assertUnchanged(file, checked.stamp);
    const opened = await openFile(file, mapping);
    let batch: unknown[] = [];
    let lines: number[] = [];
    let synced = 0;
    let failedBefore = false;
    const flush = async (): Promise<boolean> => {
      if (batch.length === 0) return true;
      let result: SyncReport;
      try {
        result = await options.sync(ctx, mapping.kind, batch, {
          mode: syncMode,
          actor: options.actor,
          requestId: options.requestId ?? null,
        });
      } catch (error) {
        // After a refused batch, the transaction may be unusable: report what was found so far.
        if (!failedBefore || !outer) throw error;
        report.uncheckedFromLine = lines[0] ?? null;
        return false;
      }
      for (const key of ['created', 'updated', 'unchanged', 'failed'] as const)
        report.counts[key] += result.counts[key];
      for (const row of result.rows) {
        if (row.status !== 'error') continue;
        const sent = batch[row.index] as Record<string, unknown>;
        const errors = row.errors?.map((e) => ({ ...e, message: withValue(sent, e.field.split('.'), e.message) }));
        for (const issue of syncIssues({ ...row, ...(errors ? { errors } : {}) }, lines, opened.labels))
          addIssue(issue);
      }
      if (result.counts.failed > 0 || (syncMode === 'all_or_nothing' && !result.committed)) failedBefore = true;
      synced += batch.length;
      options.onProgress?.({ phase: 'import', done: synced, total: checked.rows });
      batch = [];
      lines = [];
      return true;
    };
    let rows = 0;
    for await (const { line, result } of opened.rows) {
      rows++;
      if (!result.ok) throw fileChanged(file, `line ${line} no longer converts`);
      batch.push(result.row);
      lines.push(line);
      if (batch.length >= batchSize && !(await flush())) break;
    }
    if (report.uncheckedFromLine === null) {
      await flush();
      if (report.uncheckedFromLine === null && rows !== checked.rows) {
        throw fileChanged(file, `it had ${checked.rows} rows and now has ${rows}`);
      }
    }
    assertUnchanged(file, checked.stamp);
    if (outer && (failedBefore || dryRun)) throw new Rollback();
  };

  if (outer) {
    try {
      await context.database.transaction((tx) => run({ ...context, database: joinTransaction(context.database, tx) }));
      report.committed = true;
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    }
  } else {
    await run(context);
    report.committed = true;
  }
  if (report.issueCount === 0) report.stage = 'done';
  return finish();
}

/** A schema message with the value it is about, the way conversion messages read: `"x@": Invalid email address`. */
function withValue(row: Record<string, unknown>, path: ReadonlyArray<PropertyKey>, message: string): string {
  let value: unknown = row;
  for (const key of path)
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return typeof value === 'string' || typeof value === 'number' ? `${JSON.stringify(value)}: ${message}` : message;
}

function assertUnchanged(file: string, before: FileStamp): void {
  const now = stamp(file);
  if (now.size !== before.size || now.mtimeMs !== before.mtimeMs) throw fileChanged(file, 'its size or time changed');
}

const fileChanged = (file: string, why: string): AppError =>
  new AppError('file_changed', 409, `${file} changed while it was being imported (${why}); run the import again`);

/**
 * The sync service's errors for one row, placed in the file: the row's line, and the column the
 * failing field was read from. `address` finds the column of `address.city`; a field the mapping
 * does not fill (e.g. an invoice's amount) is named as a field.
 */
export function syncIssues(
  row: SyncRowResult,
  lines: readonly number[],
  labels: ReadonlyMap<string, string | null>,
): ImportIssue[] {
  const line = lines[row.index] ?? null;
  const errors = row.errors?.length ? row.errors : [{ field: '', message: 'refused by the sync service' }];
  return errors.map(({ field: raw, message }) => {
    const stripped = raw.replace(/^(?:rows)?\[\d+\]\.?/, '');
    const field = stripped === 'row' ? '' : stripped;
    let target: string | undefined = labels.has(field) ? field : undefined;
    target ??= [...labels.keys()].find((t) => t.startsWith(`${field}.`));
    target ??= [...labels.keys()].filter((t) => field.startsWith(`${t}.`)).sort((a, b) => b.length - a.length)[0];
    return {
      line,
      column: target === undefined ? null : (labels.get(target) ?? null),
      field: field === '' ? null : field,
      message,
    };
  });
}

import { performance } from 'node:perf_hooks';
import type { z } from 'zod';
import { CustomerUpsertSchema } from '../../customers/customer-input.js';
import { ReceivableInputSchema, SyncPaymentSchema } from '../../receivables/receivable-input.js';
import { stamp, type FileStamp } from './file-stamp.js';
import type { ImportIssue } from './import-issue.js';
import type { ImportKind, ImportMapping } from './mapping/mapping-types.js';
import { openFile, type OpenedFile } from './open-file.js';
import { SourceError } from './read-csv.js';
import { syncIssues, withValue } from './sync-issues.js';

/**
 * Pass 1 of an import: reads and converts the whole file without writing anything. The file is
 * read twice, streamed both times, so memory stays at one batch whatever the file's size.
 */

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
  const rows = await checkRows(opened, mapping.kind, add);
  return { file, rows, issues, issueCount, bytes, seconds: (performance.now() - started) / 1000, stamp: fileStamp };
}

/** Checks each converted row against the sync schema and for a repeated externalId; returns the rows read. */
async function checkRows(opened: OpenedFile, kind: ImportKind, add: (found: ImportIssue[]) => void): Promise<number> {
  let rows = 0;
  const seen = new Map<string, number>();
  const idLabel = opened.labels.get('externalId') ?? null;
  const schema = ROW_SCHEMAS[kind];
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
  return rows;
}

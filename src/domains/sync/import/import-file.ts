import { performance } from 'node:perf_hooks';
import type { DomainContext } from '../../contract.js';
import { joinTransaction } from '../../../storage/database.js';
import type { SyncMode, SyncReport } from '../sync-service.js';
import { checkFile, DEFAULT_MAX_ISSUES, type CheckResult, type ImportProgress } from './check-file.js';
import { assertUnchanged, fileChanged } from './file-stamp.js';
import type { ImportIssue } from './import-issue.js';
import { checkReport, round, type ImportReport } from './import-report.js';
import type { ImportKind, ImportMapping } from './mapping/mapping-types.js';
import { openFile } from './open-file.js';
import { syncIssues, withValue } from './sync-issues.js';

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
export type SyncRowsFunction = (
  context: DomainContext,
  kind: ImportKind,
  rows: unknown[],
  options: { mode: SyncMode; actor: string; requestId?: string | null },
) => Promise<SyncReport>;

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

/** One import's settings and report, as the sync pass works through the file. */
interface SyncJob {
  file: string;
  mapping: ImportMapping;
  options: ImportOptions;
  checked: CheckResult;
  report: ImportReport;
  maxIssues: number;
  dryRun: boolean;
  /** All-or-nothing or a dry run: every batch in one outer transaction. */
  outer: boolean;
  syncMode: SyncMode;
}

class Rollback extends Error {}

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
  const outer = options.mode === 'all_or_nothing' || dryRun;
  const syncMode: SyncMode = dryRun ? 'all_or_nothing' : options.mode;
  const job: SyncJob = { file, mapping, options, checked, report, maxIssues, dryRun, outer, syncMode };
  if (outer) {
    try {
      await context.database.transaction((tx) =>
        syncFile({ ...context, database: joinTransaction(context.database, tx) }, job),
      );
      report.committed = true;
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    }
  } else {
    await syncFile(context, job);
    report.committed = true;
  }
  if (report.issueCount === 0) report.stage = 'done';
  return finish();
}

/** Pass 2: reads the checked file again and syncs its rows in batches; throws Rollback to undo the outer transaction. */
async function syncFile(ctx: DomainContext, job: SyncJob): Promise<void> {
  const { file, mapping, options, checked, report } = job;
  assertUnchanged(file, checked.stamp);
  const opened = await openFile(file, mapping);
  const batches = new Batches(ctx, job, opened.labels);
  const batchSize = options.batchSize ?? 10_000;
  let rows = 0;
  for await (const { line, result } of opened.rows) {
    rows++;
    if (!result.ok) throw fileChanged(file, `line ${line} no longer converts`);
    if (batches.push(result.row, line) >= batchSize && !(await batches.flush())) break;
  }
  if (report.uncheckedFromLine === null) {
    await batches.flush();
    if (report.uncheckedFromLine === null && rows !== checked.rows) {
      throw fileChanged(file, `it had ${checked.rows} rows and now has ${rows}`);
    }
  }
  assertUnchanged(file, checked.stamp);
  if (job.outer && (batches.failedBefore || job.dryRun)) throw new Rollback();
}

/** The rows on their way to the sync service, one batch at a time, with the file lines they came from. */
class Batches {
  #rows: unknown[] = [];
  #lines: number[] = [];
  #synced = 0;
  /** Whether a batch had a refused row (all-or-nothing: the outer transaction is rolled back). */
  failedBefore = false;

  constructor(
    private readonly ctx: DomainContext,
    private readonly job: SyncJob,
    private readonly labels: ReadonlyMap<string, string | null>,
  ) {}

  /** Adds a row; returns the batch's size. */
  push(row: unknown, line: number): number {
    this.#rows.push(row);
    this.#lines.push(line);
    return this.#rows.length;
  }

  /** Syncs the batch; false when it failed after an earlier refused batch (the rest stays unchecked). */
  async flush(): Promise<boolean> {
    const { mapping, options, report, syncMode, outer, checked } = this.job;
    if (this.#rows.length === 0) return true;
    let result: SyncReport;
    try {
      result = await options.sync(this.ctx, mapping.kind, this.#rows, {
        mode: syncMode,
        actor: options.actor,
        requestId: options.requestId ?? null,
      });
    } catch (error) {
      // After a refused batch, the transaction may be unusable: report what was found so far.
      if (!this.failedBefore || !outer) throw error;
      report.uncheckedFromLine = this.#lines[0] ?? null;
      return false;
    }
    this.#record(result);
    if (result.counts.failed > 0 || (syncMode === 'all_or_nothing' && !result.committed)) this.failedBefore = true;
    this.#synced += this.#rows.length;
    options.onProgress?.({ phase: 'import', done: this.#synced, total: checked.rows });
    this.#rows = [];
    this.#lines = [];
    return true;
  }

  /** Adds the sync service's counts and refused rows (placed at their line and column) to the report. */
  #record(result: SyncReport): void {
    const { report, maxIssues } = this.job;
    const addIssue = (issue: ImportIssue) => {
      report.issueCount++;
      if (report.issues.length < maxIssues) report.issues.push(issue);
    };
    for (const key of ['created', 'updated', 'unchanged', 'failed'] as const) report.counts[key] += result.counts[key];
    for (const row of result.rows) {
      if (row.status !== 'error') continue;
      const sent = this.#rows[row.index] as Record<string, unknown>;
      const errors = row.errors?.map((e) => ({ ...e, message: withValue(sent, e.field.split('.'), e.message) }));
      for (const issue of syncIssues({ ...row, ...(errors ? { errors } : {}) }, this.#lines, this.labels))
        addIssue(issue);
    }
  }
}

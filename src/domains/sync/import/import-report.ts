import type { SyncMode, SyncReport } from '../sync-service.js';
import type { CheckResult } from './check-file.js';
import type { ImportIssue } from './import-issue.js';
import type { ImportKind, ImportMapping } from './mapping/mapping-types.js';

/** What an import did: the check's or the sync's problems, counts and speed. */

export type SyncCounts = SyncReport['counts'];

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

export const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** The report of an import that stopped at the check: nothing was written. */
export function checkReport(
  mapping: ImportMapping,
  file: string,
  options: { mode: SyncMode; dryRun?: boolean; requestId?: string | null },
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

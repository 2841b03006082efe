import { sql } from 'kysely';
import type { z } from 'zod';
import { AppError, validationError, type FieldIssue } from '../../core/errors.js';
import { inDomainTransaction, type DomainWork } from '../unit-of-work.js';
import type { DomainContext } from '../contract.js';
import { applierFor, type Applied, type Applier } from './sync-appliers.js';
import { createNewCustomers, type CustomerParse, type SettledRow } from './sync-new-customers.js';

/**
 * Bulk upsert from the institution's core system, keyed by external ids: customers, receivables and
 * payments, up to 10 000 rows a call. Every row is validated on its own, and one bad row never hides
 * the errors of the others; each failing row is reported with its index and field. Receivables and
 * payments are applied set-based, a chunk of SYNC_CHUNK rows in a few statements inside a savepoint;
 * when the chunk fails, the savepoint is rolled back and that chunk's rows are applied again one by
 * one, each in its own savepoint (as customers' updates always are), so the report names exactly the
 * rows that fail and nothing of them — audit row, event, balance move — stays behind. `all_or_nothing` (the default) commits only when every row succeeded; `per_row` commits
 * the good rows and reports the bad ones. Sending the same rows again changes nothing (`unchanged`).
 */

export type SyncKind = 'customers' | 'receivables' | 'payments';
export type SyncMode = 'all_or_nothing' | 'per_row';
export const SYNC_KINDS: SyncKind[] = ['customers', 'receivables', 'payments'];
export const MAX_SYNC_ROWS = 10_000;
/** Rows applied set-based at a time (receivables, payments); a failing chunk is redone row by row. */
export const SYNC_CHUNK = 1000;

export interface SyncRowResult {
  index: number;
  status: 'created' | 'updated' | 'unchanged' | 'error';
  id?: string;
  errors?: Array<{ field: string; message: string }>;
}

export interface SyncReport {
  kind: SyncKind;
  mode: SyncMode;
  committed: boolean;
  counts: { created: number; updated: number; unchanged: number; failed: number };
  rows: SyncRowResult[];
}

/** Thrown to roll the whole transaction back in all-or-nothing mode, carrying the report out. */
class RolledBack extends Error {
  constructor(readonly report: SyncReport) {
    super('sync rolled back');
  }
}

export async function syncRows(
  context: DomainContext,
  kind: SyncKind,
  rows: unknown[],
  options: { mode: SyncMode; actor: string; requestId?: string | null },
): Promise<SyncReport> {
  if (rows.length > MAX_SYNC_ROWS) {
    throw validationError([{ field: 'rows', message: `at most ${MAX_SYNC_ROWS} rows a request (got ${rows.length})` }]);
  }
  try {
    return await inDomainTransaction(context, options, async (unit) => {
      const apply = await applierFor(kind, unit);
      const parsed = rows.map((raw) => apply.schema.safeParse(raw));
      const results: SyncRowResult[] = new Array<SyncRowResult>(rows.length);
      const settled =
        kind === 'customers'
          ? await createNewCustomers(unit, parsed as CustomerParse[])
          : new Map<number, SettledRow>();
      for (const [index, row] of settled) results[index] = { index, ...row };
      const pending = [...parsed.entries()].filter(([index]) => !settled.has(index));
      for (let from = 0; from < pending.length; from += apply.runBatch ? SYNC_CHUNK : pending.length) {
        const chunk = pending.slice(from, from + (apply.runBatch ? SYNC_CHUNK : pending.length));
        const applied = apply.runBatch ? await applyChunk(unit, apply, chunk) : new Map<number, Applied>();
        for (const [index, row] of chunk) {
          const done = applied.get(index);
          results[index] = { index, ...(done ?? (await applyRow(unit, apply, row))) };
        }
      }
      const report = summarise(kind, options.mode, results);
      if (options.mode === 'all_or_nothing' && report.counts.failed > 0) throw new RolledBack(report);
      return { ...report, committed: true };
    });
  } catch (error) {
    if (error instanceof RolledBack) return { ...error.report, committed: false };
    throw error;
  }
}

type Parse = ReturnType<z.ZodType['safeParse']>;

/**
 * The valid rows of a chunk, set-based in one savepoint: applied by index, or none when the chunk
 * failed (its savepoint and its share of the unit's audit rows, events and balance moves rolled
 * back), and the caller applies them row by row to find the failing ones.
 */
async function applyChunk(
  unit: DomainWork,
  apply: Applier,
  chunk: Array<[number, Parse]>,
): Promise<Map<number, Applied>> {
  const valid = chunk.filter(([, parsed]) => parsed.success);
  if (valid.length === 0 || !apply.runBatch) return new Map();
  const mark = unit.mark();
  await sql`SAVEPOINT sync_chunk`.execute(unit.tx);
  try {
    const applied = await apply.runBatch(valid.map(([, parsed]) => parsed.data as never));
    await sql`RELEASE SAVEPOINT sync_chunk`.execute(unit.tx);
    return new Map(valid.map(([index], i) => [index, applied[i]!]));
  } catch {
    // Whatever failed — a refused row, a conflict within the chunk — row by row says which row and why.
    await sql`ROLLBACK TO SAVEPOINT sync_chunk`.execute(unit.tx);
    unit.rollbackTo(mark);
    return new Map();
  }
}

/**
 * One row in its own savepoint: a refused row (an AppError below 500) rolls back its writes and its
 * share of the unit's pending audit rows and events, and becomes the row's errors.
 */
async function applyRow(unit: DomainWork, apply: Applier, parsed: Parse): Promise<Omit<SyncRowResult, 'index'>> {
  if (!parsed.success) {
    return {
      status: 'error',
      errors: parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'row', message: i.message })),
    };
  }
  const mark = unit.mark();
  await sql`SAVEPOINT sync_row`.execute(unit.tx);
  try {
    const applied = await apply.run(parsed.data as never);
    await sql`RELEASE SAVEPOINT sync_row`.execute(unit.tx);
    return applied;
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT sync_row`.execute(unit.tx);
    unit.rollbackTo(mark);
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    return { status: 'error', errors: issuesOf(error) };
  }
}

function issuesOf(error: AppError): FieldIssue[] {
  if (error.issues.length) return error.issues.map(({ field, message }) => ({ field, message }));
  return [{ field: error.field ?? 'row', message: error.message }];
}

function summarise(kind: SyncKind, mode: SyncMode, rows: SyncRowResult[]): SyncReport {
  const counts = { created: 0, updated: 0, unchanged: 0, failed: 0 };
  for (const row of rows) {
    if (row.status === 'error') counts.failed += 1;
    else counts[row.status] += 1;
  }
  return { kind, mode, committed: false, counts, rows };
}

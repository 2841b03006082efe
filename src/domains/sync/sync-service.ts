import { sql } from 'kysely';
import type { z } from 'zod';
import { AppError, validationError, type FieldIssue } from '../../core/errors.js';
import { CustomerUpsertSchema, type CustomerUpsert } from '../customers/customer-input.js';
import { createCustomers, newCustomerIssues, upsertCustomer } from '../customers/customer-service.js';
import { unitRatingScale } from '../customers/ratings.js';
import { inDomainTransaction, type DomainWork } from '../unit-of-work.js';
import type { DomainContext } from '../contract.js';
import { recordPayment } from '../receivables/payments.js';
import { ReceivableInputSchema, SyncPaymentSchema } from '../receivables/receivable-input.js';
import { createReceivable } from '../receivables/receivable-service.js';

/**
 * Bulk upsert from the institution's core system, keyed by external ids: customers, receivables and
 * payments, up to 10 000 rows a call. Every row is validated and applied in its own savepoint, so
 * one bad row never hides the errors of the others; each failing row is reported with its index and
 * field. `all_or_nothing` (the default) commits only when every row succeeded; `per_row` commits
 * the good rows and reports the bad ones. Sending the same rows again changes nothing (`unchanged`).
 */

export type SyncKind = 'customers' | 'receivables' | 'payments';
export type SyncMode = 'all_or_nothing' | 'per_row';
export const SYNC_KINDS: SyncKind[] = ['customers', 'receivables', 'payments'];
export const MAX_SYNC_ROWS = 10_000;

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

type Applied = { id: string; status: 'created' | 'updated' | 'unchanged' };

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
      const done =
        kind === 'customers' ? await createNewCustomers(unit, parsed as CustomerParse[], results) : new Set<number>();
      for (const [index, row] of parsed.entries()) {
        if (!done.has(index)) results[index] = { index, ...(await applyRow(unit, apply, row)) };
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

type Applier = { schema: z.ZodType; run(row: never): Promise<Applied> };

async function applierFor(kind: SyncKind, unit: DomainWork): Promise<Applier> {
  switch (kind) {
    case 'customers': {
      const ratingScale = await unitRatingScale(unit);
      return {
        schema: CustomerUpsertSchema,
        run: async (row: z.infer<typeof CustomerUpsertSchema>) => {
          const { customer, status } = await upsertCustomer(unit, row, ratingScale);
          return { id: customer.id, status };
        },
      };
    }
    case 'receivables':
      return {
        schema: ReceivableInputSchema,
        run: async (row: z.infer<typeof ReceivableInputSchema>) => {
          const { receivable, status } = await createReceivable(unit, row);
          return { id: receivable.id, status };
        },
      };
    case 'payments':
      return {
        schema: SyncPaymentSchema,
        run: async (row: z.infer<typeof SyncPaymentSchema>) => {
          const { receivableExternalId, ...payment } = row;
          const { payment: recorded, status } = await recordPayment(unit, receivableExternalId, payment).catch(
            (error: unknown) => {
              throw error instanceof AppError && error.code === 'not_found'
                ? new AppError('unknown_receivable', 422, `no receivable ${receivableExternalId}`, {
                    field: 'receivableExternalId',
                  })
                : error;
            },
          );
          return { id: recorded.id, status };
        },
      };
  }
}

type Parse = ReturnType<z.ZodType['safeParse']>;
type CustomerParse = ReturnType<typeof CustomerUpsertSchema.safeParse>;

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

/**
 * The fast path of a customer sync: rows for external ids that do not exist yet (and appear once in
 * the batch) are checked without the database and inserted a thousand a statement. Everything else
 * — updates, repeats, duplicates within the batch — goes row by row. Returns the indexes it settled.
 */
async function createNewCustomers(
  unit: DomainWork,
  parsed: CustomerParse[],
  results: SyncRowResult[],
): Promise<Set<number>> {
  const seen = new Map<string, number>();
  for (const p of parsed) if (p.success) seen.set(p.data.externalId, (seen.get(p.data.externalId) ?? 0) + 1);
  const ids = [...seen.keys()].filter((id) => seen.get(id) === 1);
  const existing = new Set<string>();
  for (let i = 0; i < ids.length; i += 5000) {
    const found = await unit.tx
      .selectFrom('customers')
      .select('external_id')
      .where('external_id', 'in', ids.slice(i, i + 5000))
      .execute();
    for (const f of found) existing.add(f.external_id);
  }
  const ratingScale = await unitRatingScale(unit);
  const settled = new Set<number>();
  const fresh: Array<{ index: number; row: CustomerUpsert }> = [];
  for (const [index, p] of parsed.entries()) {
    if (!p.success || seen.get(p.data.externalId) !== 1 || existing.has(p.data.externalId)) continue;
    const issues = newCustomerIssues(p.data, ratingScale);
    settled.add(index);
    if (issues.length) results[index] = { index, status: 'error', errors: issues };
    else fresh.push({ index, row: p.data });
  }
  const created = await createCustomers(
    unit,
    fresh.map((f) => f.row),
    ratingScale,
  );
  for (const [i, f] of fresh.entries()) results[f.index] = { index: f.index, status: 'created', id: created[i]!.id };
  return settled;
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

import type { FieldIssue } from '../../core/errors.js';
import type { CustomerUpsert, CustomerUpsertSchema } from '../customers/customer-input.js';
import { existingExternalIds } from '../customers/customer-queries.js';
import { createCustomers, newCustomerIssues } from '../customers/customer-service.js';
import type { DomainWork } from '../unit-of-work.js';
import { unitRatingScale } from '../customers/ratings.js';

export type CustomerParse = ReturnType<typeof CustomerUpsertSchema.safeParse>;

/** How the fast path settled a row: created, or refused with the issues of a new customer. */
export type SettledRow = { status: 'created'; id: string } | { status: 'error'; errors: FieldIssue[] };

/**
 * The fast path of a customer sync: rows for external ids that do not exist yet (and appear once in
 * the batch) are checked without the database and inserted a thousand a statement. Everything else
 * — updates, repeats, duplicates within the batch — goes row by row. Returns the rows it settled, by index.
 */
export async function createNewCustomers(unit: DomainWork, parsed: CustomerParse[]): Promise<Map<number, SettledRow>> {
  const seen = new Map<string, number>();
  for (const p of parsed) if (p.success) seen.set(p.data.externalId, (seen.get(p.data.externalId) ?? 0) + 1);
  const existing = await existingExternalIds(
    unit.tx,
    [...seen.keys()].filter((id) => seen.get(id) === 1),
  );
  const ratingScale = await unitRatingScale(unit);
  const settled = new Map<number, SettledRow>();
  const fresh: Array<{ index: number; row: CustomerUpsert }> = [];
  for (const [index, p] of parsed.entries()) {
    if (!p.success || seen.get(p.data.externalId) !== 1 || existing.has(p.data.externalId)) continue;
    const issues = newCustomerIssues(p.data, ratingScale);
    if (issues.length) settled.set(index, { status: 'error', errors: issues });
    else fresh.push({ index, row: p.data });
  }
  const created = await createCustomers(
    unit,
    fresh.map((f) => f.row),
    ratingScale,
  );
  for (const [i, f] of fresh.entries()) settled.set(f.index, { status: 'created', id: created[i]!.id });
  return settled;
}

import { sql, type Selectable } from 'kysely';
import type { Queryable, Tables, Tx } from '../../storage/schema.js';
import './tables.js';

/**
 * What other domains may read of receivables, installments and their customers: small read-only
 * queries owned here, so that collections (and whoever comes next) does not run SQL on tables it
 * does not own. Nothing here locks; a caller that must hold a receivable still takes
 * `lockReceivable`.
 */

export type ReceivableColumns = Selectable<Tables['receivables']>;

/** The named columns of one receivable (it must exist). */
export async function receivableColumns<K extends keyof ReceivableColumns>(
  db: Queryable | Tx,
  id: string,
  columns: readonly K[],
): Promise<Pick<ReceivableColumns, K>> {
  const row = await db
    .selectFrom('receivables')
    .select(columns as readonly (keyof ReceivableColumns)[])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row;
}

/** The named columns of one receivable, or undefined when there is none by that id. */
export async function findReceivableColumns<K extends keyof ReceivableColumns>(
  db: Queryable | Tx,
  id: string,
  columns: readonly K[],
): Promise<Pick<ReceivableColumns, K> | undefined> {
  const row = await db
    .selectFrom('receivables')
    .select(columns as readonly (keyof ReceivableColumns)[])
    .where('id', '=', id)
    .executeTakeFirst();
  return row;
}

/** The first installments with principal still unpaid, in schedule order (what a collector sees). */
export async function unpaidInstallments(db: Queryable | Tx, receivableId: string, limit: number) {
  return db
    .selectFrom('installments')
    .select([
      'seq',
      'due_date',
      'principal_due',
      'interest_due',
      'fee_due',
      'principal_paid',
      'interest_paid',
      'fee_paid',
    ])
    .where('receivable_id', '=', receivableId)
    .whereRef('principal_paid', '<', 'principal_due')
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/** What is unpaid of the installments due on one day (null: none due that day). */
export async function unpaidDueOn(db: Queryable | Tx, receivableId: string, dueDate: string): Promise<bigint | null> {
  const row = await db
    .selectFrom('installments')
    .select(
      sql<string | null>`SUM(principal_due + interest_due + fee_due - principal_paid - interest_paid - fee_paid)`.as(
        'unpaid',
      ),
    )
    .where('receivable_id', '=', receivableId)
    .where('due_date', '=', dueDate)
    .executeTakeFirst();
  return row?.unpaid === null || row?.unpaid === undefined ? null : BigInt(row.unpaid);
}

/**
 * Every open receivable's installment due on `dueDate` with principal unpaid, with the customer's
 * email and phone (one set-based query, for reminders before the due date). `ratings`, when not
 * empty, keeps only customers with one of those risk ratings.
 */
export async function installmentsDueOn(db: Queryable | Tx, dueDate: string, ratings: readonly string[]) {
  let query = db
    .selectFrom('installments as i')
    .innerJoin('receivables as r', 'r.id', 'i.receivable_id')
    .innerJoin('customers as c', 'c.id', 'r.customer_id')
    .select([
      'r.id as receivable_id',
      'r.external_id',
      'r.currency',
      'c.id as customer_id',
      'c.email',
      'c.phone',
      'i.seq',
      sql<string>`i.principal_due + i.interest_due + i.fee_due - i.principal_paid - i.interest_paid - i.fee_paid`.as(
        'unpaid',
      ),
    ])
    .where('i.due_date', '=', dueDate)
    .where('r.status', '=', 'open')
    .whereRef('i.principal_paid', '<', 'i.principal_due');
  if (ratings.length) query = query.where('c.risk_rating', 'in', ratings);
  return query.execute();
}

import { sql } from 'kysely';
import type { DomainWork } from '../unit-of-work.js';
import './tables.js';

/**
 * Overpayments are held per customer and currency (the ledger's customer-credit liability): a payment
 * that leaves money unallocated adds it here, its reversal takes it back. The caller posts the journal
 * and holds the receivable's lock; this keeps the customer's view of the balance in step.
 */
export async function adjustCreditBalance(
  unit: DomainWork,
  customerId: string,
  currency: string,
  delta: bigint,
): Promise<void> {
  await unit.tx
    .updateTable('customers')
    .set({
      credit_balances: sql`jsonb_set(credit_balances, ARRAY[${currency}],
        to_jsonb((COALESCE((credit_balances->>${currency})::bigint, 0) + ${delta.toString()}::bigint)::text))`,
    })
    .where('id', '=', customerId)
    .execute();
}

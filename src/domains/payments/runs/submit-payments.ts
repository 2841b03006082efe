import { newId } from '../../../core/ids.js';
import type { DomainWork } from '../../unit-of-work.js';
import { eventData, presentPayment, SUBMITTED_EVENT, type Remittance } from '../instructions.js';
import type { PaymentRow } from '../tables.js';

/**
 * Payment instructions made in bulk (a CSV run's lines, the payables falling due), written set-based:
 * a few multi-row inserts instead of one round trip per payment, so 10 000 lines take seconds. Each
 * payment is submitted exactly as POST /payments submits one — status pending_approval, a history
 * row, an audit row `payment.created` and the event `payment.pending_approval`, which starts its own
 * payment-instruction-approval workflow — so a bulk payment is approved like any other (the matrix,
 * four eyes, the ledger hold). The caller has checked every input.
 */

export interface NewPayment {
  bankAccountId: string;
  beneficiaryId: string;
  amount: bigint;
  currency: string;
  requestedExecutionDate: string;
  remittance: Remittance | null;
  purpose: string | null;
  source: 'csv' | 'payable' | 'recurring' | 'disbursement';
  sourceRef: string | null;
}

/** Rows per INSERT: ~20 parameters a row stays far below PostgreSQL's 65 535 per statement. */
const CHUNK = 1000;

export async function submitPayments(unit: DomainWork, inputs: NewPayment[], createdBy: string): Promise<PaymentRow[]> {
  const now = unit.clock.now();
  const rows: PaymentRow[] = [];
  for (let start = 0; start < inputs.length; start += CHUNK) {
    const values = inputs.slice(start, start + CHUNK).map((input) => {
      const id = newId('pmt', now.getTime());
      return {
        id,
        bank_account_id: input.bankAccountId,
        beneficiary_id: input.beneficiaryId,
        amount: input.amount,
        currency: input.currency,
        requested_execution_date: input.requestedExecutionDate,
        // As POST /payments generates it: the id's ULID (pain.001 identifiers take no underscore).
        end_to_end_id: `FF${id.slice(4)}`,
        remittance: input.remittance ? JSON.stringify(input.remittance) : null,
        purpose: input.purpose,
        source: input.source,
        source_ref: input.sourceRef,
        status: 'pending_approval',
        approval: null,
        beneficiary_snapshot: null,
        rejection: null,
        created_by: createdBy,
        created_at: now,
        updated_at: now,
      };
    });
    const inserted = await unit.tx.insertInto('payment_instructions').values(values).returningAll().execute();
    // RETURNING gives no order guarantee: put the rows back in the inputs' order.
    const byId = new Map(inserted.map((row) => [row.id, row]));
    const ordered = values.map((v) => byId.get(v.id)!);
    await unit.tx
      .insertInto('payment_history')
      .values(
        ordered.map((row) => ({
          payment_id: row.id,
          at: now,
          by: createdBy,
          from_status: null,
          to_status: 'pending_approval',
          reason: null,
          data: JSON.stringify({ source: row.source, sourceRef: row.source_ref }),
        })),
      )
      .execute();
    rows.push(...ordered);
  }
  for (const row of rows) {
    unit.audit({
      action: 'payment.created',
      entityType: 'payment_instruction',
      entityId: row.id,
      before: null,
      after: presentPayment(row),
    });
    unit.publish(SUBMITTED_EVENT, row.id, { ...eventData(row), previousStatus: null, createdBy });
  }
  return rows;
}

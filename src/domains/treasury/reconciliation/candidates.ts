import type { Tx } from '../../../storage/schema.js';
import { daysBetween, fit, type Candidate, type EntryRow } from './candidate.js';
import { incomingCandidates } from './incoming-candidates.js';
import { nameSimilarity } from './names.js';

/**
 * The candidates of each rule for one entry — code finds them, the decision (rules.ts) scores them:
 *   - debit: `end_to_end` — the payment instruction of the entry's account with its end-to-end id,
 *     sent or accepted;
 *   - credit with return information: `return` — the settled payment its end-to-end id names;
 *   - other credits, against open receivables in the entry's currency: `creditor_reference` (a valid
 *     ISO 11649 reference, structured or in the text, whose body is the receivable's external id),
 *     `reference_text` (the external id as a word of the remittance text) and `name_amount` (the
 *     entry pays exactly the open amount; the counterparty's name is compared with the customer's).
 */

export async function candidatesFor(tx: Tx, entry: EntryRow, remaining: bigint): Promise<Candidate[]> {
  if (entry.reversal) return [];
  if (entry.direction === 'debit') return outgoing(tx, entry);
  if (entry.return_reason) return returns(tx, entry);
  return (await incomingCandidates(tx, [{ entry, remaining }]))[0]!;
}

async function outgoing(tx: Tx, entry: EntryRow): Promise<Candidate[]> {
  if (!entry.end_to_end_id) return [];
  const rows = await tx
    .selectFrom('payment_instructions as p')
    .innerJoin('beneficiaries as b', 'b.id', 'p.beneficiary_id')
    .select(['p.id', 'p.amount', 'p.end_to_end_id', 'p.requested_execution_date', 'b.name'])
    .where('p.end_to_end_id', '=', entry.end_to_end_id)
    .where('p.bank_account_id', '=', entry.bank_account_id)
    .where('p.status', 'in', ['sent', 'accepted'])
    .execute();
  const amount = BigInt(entry.amount);
  const charges = entry.charges === null ? 0n : BigInt(entry.charges);
  return rows.map((p) => ({
    rule: 'end_to_end' as const,
    targetKind: 'outgoing_payment' as const,
    targetId: p.id,
    label: p.end_to_end_id,
    openAmount: p.amount,
    amountFit: amount === p.amount || (charges > 0n && amount === p.amount + charges) ? 'exact' : 'different',
    nameSimilarity: nameSimilarity(entry.counterparty_name, p.name),
    daysFromDue: daysBetween(entry.booking_date, p.requested_execution_date),
    counterpartyName: entry.counterparty_name,
    targetName: p.name,
  }));
}

async function returns(tx: Tx, entry: EntryRow): Promise<Candidate[]> {
  if (!entry.end_to_end_id) return [];
  const rows = await tx
    .selectFrom('payment_instructions as p')
    .innerJoin('beneficiaries as b', 'b.id', 'p.beneficiary_id')
    .select(['p.id', 'p.amount', 'p.end_to_end_id', 'p.requested_execution_date', 'b.name'])
    .where('p.end_to_end_id', '=', entry.end_to_end_id)
    .where('p.bank_account_id', '=', entry.bank_account_id)
    .where('p.status', '=', 'settled')
    .execute();
  return rows.map((p) => ({
    rule: 'return' as const,
    targetKind: 'outgoing_payment' as const,
    targetId: p.id,
    label: p.end_to_end_id,
    openAmount: p.amount,
    amountFit: fit(BigInt(entry.amount), p.amount),
    nameSimilarity: nameSimilarity(entry.counterparty_name, p.name),
    daysFromDue: daysBetween(entry.booking_date, p.requested_execution_date),
    counterpartyName: entry.counterparty_name,
    targetName: p.name,
  }));
}

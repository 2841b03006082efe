import { sql, type Selectable } from 'kysely';
import type { Tx } from '../../../storage/schema.js';
import type { BankEntriesTable, MatchTargetKind } from '../tables.js';
import { parseCreditorReference } from './creditor-reference.js';
import { nameSimilarity } from './names.js';
import type { AmountFit, RuleName } from './rules.js';

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

export type EntryRow = Selectable<BankEntriesTable>;

export interface Candidate {
  rule: RuleName;
  targetKind: MatchTargetKind;
  targetId: string;
  /** What a person recognises: the receivable's external id, the payment's end-to-end id. */
  label: string;
  /** What the target still expects: the receivable's outstanding, the payment's amount. */
  openAmount: bigint;
  amountFit: AmountFit;
  nameSimilarity: number;
  daysFromDue: number;
  counterpartyName: string | null;
  targetName: string | null;
}

const LIMIT = 20;
const DAY = 86_400_000;
const daysBetween = (a: string, b: string) => Math.abs(Math.round((Date.parse(a) - Date.parse(b)) / DAY));
const fit = (paid: bigint, open: bigint): AmountFit => (paid === open ? 'exact' : paid < open ? 'partial' : 'over');

export async function candidatesFor(tx: Tx, entry: EntryRow, remaining: bigint): Promise<Candidate[]> {
  if (entry.reversal) return [];
  if (entry.direction === 'debit') return outgoing(tx, entry);
  if (entry.return_reason) return returns(tx, entry);
  return incoming(tx, entry, remaining);
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

/** Words of a remittance text that could be an external id: split at spaces and separators, uppercased. */
export function referenceWords(text: string | null): string[] {
  if (!text) return [];
  const words = new Set<string>();
  for (const raw of text.toUpperCase().split(/[\s,;()[\]{}"'/]+/)) {
    const word = raw.replace(/^[.:#-]+|[.:#-]+$/g, '');
    if (word.length >= 3 && word.length <= 100) words.add(word);
  }
  return [...words].slice(0, 50);
}

function openReceivables(tx: Tx, currency: string) {
  return tx
    .selectFrom('receivables as r')
    .innerJoin('customers as c', 'c.id', 'r.customer_id')
    .select([
      'r.id',
      'r.external_id',
      'r.outstanding',
      'r.oldest_unpaid_due_date',
      'r.maturity_date',
      'c.name as customer_name',
    ])
    .where('r.status', '=', 'open')
    .where('r.currency', '=', currency)
    .where('r.outstanding', '>', 0n);
}

async function incoming(tx: Tx, entry: EntryRow, remaining: bigint): Promise<Candidate[]> {
  const out: Candidate[] = [];
  const add = (rule: RuleName, rows: Awaited<ReturnType<ReturnType<typeof openReceivables>['execute']>>) => {
    for (const r of rows) {
      out.push({
        rule,
        targetKind: 'receivable',
        targetId: r.id,
        label: r.external_id,
        openAmount: r.outstanding,
        amountFit: fit(remaining, r.outstanding),
        nameSimilarity: nameSimilarity(entry.counterparty_name, r.customer_name),
        daysFromDue: daysBetween(entry.booking_date, r.oldest_unpaid_due_date ?? r.maturity_date),
        counterpartyName: entry.counterparty_name,
        targetName: r.customer_name,
      });
    }
  };
  const words = referenceWords(entry.remittance);
  // A valid RF reference, structured or typed into the text; an invalid one names nothing.
  const bodies = new Set<string>();
  for (const ref of [entry.creditor_reference, ...words.filter((w) => /^RF\d{2}/.test(w))]) {
    if (!ref) continue;
    const parsed = parseCreditorReference(ref);
    if (parsed.kind === 'rf') bodies.add(parsed.body);
  }
  if (bodies.size > 0) {
    add(
      'creditor_reference',
      await openReceivables(tx, entry.currency)
        .where(sql<string>`upper(r.external_id)`, 'in', [...bodies])
        .limit(LIMIT)
        .execute(),
    );
  }
  if (words.length > 0) {
    add(
      'reference_text',
      await openReceivables(tx, entry.currency)
        .where(sql<string>`upper(r.external_id)`, 'in', words)
        .limit(LIMIT)
        .execute(),
    );
  }
  if (remaining > 0n) {
    add(
      'name_amount',
      await openReceivables(tx, entry.currency)
        .where('r.outstanding', '=', remaining)
        .orderBy('r.id')
        .limit(LIMIT * 5)
        .execute(),
    );
  }
  return out;
}

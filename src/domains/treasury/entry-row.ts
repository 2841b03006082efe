import type { StatementEntry } from '../../adapters/bank-statements/index.js';
import { codeOf } from './entry-fingerprint.js';

/**
 * A booked statement entry as the bank_entries row matching reads: the amount and direction, the
 * dates, and — lifted from its transaction details — the references matching looks at first
 * (end-to-end id, structured creditor reference, remittance text, counterparty). A batch booking
 * keeps every transaction in `details`; the lifted fields are its first transaction's.
 */
export interface EntryFields {
  amount: bigint;
  currency: string;
  direction: 'credit' | 'debit';
  reversal: boolean;
  bookingDate: string;
  valueDate: string | null;
  entryReference: string | null;
  accountServicerReference: string | null;
  bankTransactionCode: string | null;
  endToEndId: string | null;
  creditorReference: string | null;
  remittance: string | null;
  counterpartyName: string | null;
  counterpartyAccount: string | null;
  returnReason: string | null;
  charges: bigint | null;
  transactionCount: number;
  details: string;
}

const NOT_PROVIDED = 'NOTPROVIDED';

/** An end-to-end id a bank fills in for "none" is no reference. */
const reference = (value: string | null | undefined): string | null =>
  value && value.trim() !== '' && value.toUpperCase() !== NOT_PROVIDED ? value.trim() : null;

export function entryFields(entry: StatementEntry, bookingDate: string): EntryFields {
  const first = entry.transactions[0];
  const unstructured = entry.transactions.flatMap((t) => t.remittance?.unstructured ?? []);
  const charges = entry.charges?.total?.amount ?? sumCharges(entry);
  return {
    amount: entry.amount.amount,
    currency: entry.amount.currency,
    direction: entry.creditDebit === 'CRDT' ? 'credit' : 'debit',
    reversal: entry.reversal,
    bookingDate,
    valueDate: entry.valueDate ?? entry.valueDateTime?.slice(0, 10) ?? null,
    entryReference: entry.reference,
    accountServicerReference: entry.accountServicerReference,
    bankTransactionCode: codeOf(entry),
    endToEndId: reference(first?.endToEndId),
    creditorReference: first?.remittance?.creditorReferences[0]?.reference ?? null,
    remittance: (unstructured.length > 0 ? unstructured.join(' ') : entry.additionalInfo)?.slice(0, 1000) ?? null,
    counterpartyName: first?.counterparty?.name ?? null,
    counterpartyAccount: first?.counterparty?.iban ?? first?.counterparty?.otherAccountId ?? null,
    returnReason: first?.returnInfo?.reasonCode ?? first?.returnInfo?.reasonProprietary ?? null,
    charges,
    transactionCount: entry.transactions.length,
    details: compactJson(entry),
  };
}

function sumCharges(entry: StatementEntry): bigint | null {
  const records = entry.charges?.records ?? [];
  if (records.length === 0) return null;
  return records.reduce((sum, r) => sum + r.amount.amount, 0n);
}

/**
 * The entry as JSON without what it does not carry: nulls, empty lists and empty objects are left
 * out (a camt entry is mostly absent fields), amounts as decimal strings. A third of the size, and
 * the largest share of an import's time was PostgreSQL reading this column.
 */
export function compactJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v === null) return undefined;
    if (Array.isArray(v)) return v.length === 0 ? undefined : v;
    if (typeof v === 'object' && Object.keys(v).length === 0) return undefined;
    return v;
  });
}

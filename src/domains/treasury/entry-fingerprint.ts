import { createHash } from 'node:crypto';
import type { StatementEntry } from '../../adapters/bank-statements/index.js';

/**
 * What makes a booked entry the same entry in another file. Banks reuse statement ids and resend
 * overlapping periods (an intraday camt.052, then the day's camt.053), so an entry is recognised by
 * its content, not by the file it came in:
 *   - with the bank's own reference for it (AcctSvcrRef, unique per booking at the bank): that
 *     reference, the booking date, direction, reversal and amount;
 *   - without one: the booking and value dates, direction, reversal, amount, the entry reference, the
 *     bank transaction code and each transaction's end-to-end id, remittance and counterparty.
 * Where the statement sits in the file is left out. Two entries identical in all of this on one day
 * are both real (two equal payments from one customer): the import numbers them by occurrence.
 */
export function entryFingerprint(entry: StatementEntry): string {
  const core = [
    entry.bookingDate ?? entry.bookingDateTime?.slice(0, 10) ?? '',
    entry.creditDebit,
    entry.reversal ? 'R' : '',
    entry.amount.currency,
    entry.amount.amount.toString(),
  ];
  const parts = entry.accountServicerReference
    ? ['asr', entry.accountServicerReference, ...core]
    : [
        'content',
        ...core,
        entry.valueDate ?? entry.valueDateTime?.slice(0, 10) ?? '',
        entry.reference ?? '',
        codeOf(entry) ?? '',
        ...entry.transactions.flatMap((t) => [
          t.endToEndId ?? '',
          t.amount?.amount.toString() ?? '',
          (t.remittance?.unstructured ?? []).join(' '),
          (t.remittance?.creditorReferences ?? []).map((r) => r.reference).join(' '),
          t.counterparty?.iban ?? t.counterparty?.otherAccountId ?? '',
          t.counterparty?.name ?? '',
        ]),
        entry.transactions.length === 0 ? (entry.additionalInfo ?? '') : '',
      ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** The bank transaction code as one string: ISO domain/family/sub-family, else the bank's own. */
export function codeOf(entry: StatementEntry): string | null {
  const code = entry.bankTransactionCode;
  if (!code) return null;
  if (code.domain) return [code.domain, code.family, code.subFamily].filter(Boolean).join('/');
  return code.proprietary;
}

import type { Selectable } from 'kysely';
import { AppError, conflict, notFound } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { ensureAccount } from '../../ledger/accounts.js';
import { postJournal } from '../../ledger/journal.js';
import { reverseJournal } from '../../ledger/reversal.js';
import { postBankCharges, returnPayment, settlePayment } from '../../payments/settlement.js';
import { recordPayment, reversePayment } from '../../receivables/payments.js';
import type { DomainWork } from '../../unit-of-work.js';
import type { BankMatchesTable, MatchTargetKind } from '../tables.js';
import type { EntryRow } from './candidate.js';

/**
 * What a match does, and how a reversal undoes it:
 *   - receivable: the entry's money is posted to the receivable through `recordPayment` (the
 *     allocation waterfall, the delinquency re-evaluation — a cure stops the collection case — and
 *     `receivable.payment_received`); reversed by `reversePayment`. The payment's external id is the
 *     bank entry id (`<entry id>.<n>` for the entry's n-th receivable match, since a split or a match
 *     made again after a reversal needs an id of its own);
 *   - outgoing_payment: a debit settles the payment (`settlePayment`: the ledger hold posted), a
 *     credit with return information returns it (`returnPayment`). Not reversible here: both are
 *     facts the bank reported, and undoing them is the payment's own correction;
 *   - charge: bank charges posted (`expenses:bank_charges` against the account's cash); reversed by
 *     reversing the journal;
 *   - writeoff: a difference nobody will explain, posted to `expenses:reconciliation_differences`
 *     against the account's cash; reversed by reversing the journal.
 * Every match and reversal is audited (`bank_match.created`, `bank_match.reversed` on the bank entry).
 */

export type MatchRow = Selectable<BankMatchesTable>;

export const DIFFERENCES_ACCOUNT = { code: 'expenses:reconciliation_differences', normalSide: 'debit' } as const;

export interface MatchRequest {
  kind: MatchTargetKind;
  targetId: string | null;
  amount: bigint;
  ruleCode: string;
  decisionVersion: number | null;
  confidence: number;
  /** 'auto' or the person. */
  matchedBy: string;
  note?: string | null;
}

export function presentMatch(m: MatchRow) {
  return {
    id: m.id,
    bankEntryId: m.bank_entry_id,
    targetKind: m.target_kind,
    targetId: m.target_id,
    amount: m.amount.toString(),
    currency: m.currency,
    ruleCode: m.rule_code,
    decisionVersion: m.decision_version,
    confidence: m.confidence,
    matchedBy: m.matched_by,
    matchedAt: m.matched_at.toISOString(),
    note: m.note,
    receivablePaymentId: m.receivable_payment_id,
    journalId: m.journal_id,
    reversedAt: m.reversed_at?.toISOString() ?? null,
    reversedBy: m.reversed_by,
    reversalReason: m.reversal_reason,
  };
}
export type MatchView = ReturnType<typeof presentMatch>;

/** The entry, locked for a change of its matches (every path takes it first: one order, no deadlock). */
export async function lockEntry(unit: DomainWork, id: string): Promise<EntryRow> {
  const row = await unit.tx.selectFrom('bank_entries').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('bank entry', id);
  return row;
}

export async function matchesOf(unit: DomainWork, entryId: string): Promise<MatchRow[]> {
  return unit.tx.selectFrom('bank_matches').selectAll().where('bank_entry_id', '=', entryId).orderBy('id').execute();
}

/** What of the entry no active match covers yet. */
export const remainingOf = (entry: EntryRow, matches: MatchRow[]): bigint =>
  BigInt(entry.amount) - matches.filter((m) => m.reversed_at === null).reduce((s, m) => s + m.amount, 0n);

const cashOf = async (unit: DomainWork, bankAccountId: string) =>
  (
    await unit.tx
      .selectFrom('bank_accounts')
      .select('ledger_account_id')
      .where('id', '=', bankAccountId)
      .executeTakeFirstOrThrow()
  ).ledger_account_id;

export async function applyMatch(
  unit: DomainWork,
  entry: EntryRow,
  existing: MatchRow[],
  m: MatchRequest,
): Promise<MatchRow> {
  const id = newId('bkm', unit.clock.now().getTime());
  let receivablePaymentId: string | null = null;
  let journalId: string | null = null;
  const credit = entry.direction === 'credit';
  switch (m.kind) {
    case 'receivable': {
      if (!credit) throw refused('a debit entry pays no receivable');
      const n = existing.filter((x) => x.target_kind === 'receivable').length;
      const { payment } = await recordPayment(unit, m.targetId!, {
        externalId: n === 0 ? entry.id : `${entry.id}.${n + 1}`,
        amount: m.amount.toString(),
        currency: entry.currency,
        receivedOn: entry.booking_date,
      });
      receivablePaymentId = payment.id;
      break;
    }
    case 'outgoing_payment': {
      if (credit) {
        await returnPayment(unit, m.targetId!, {
          bankEntryId: entry.id,
          reason: entry.return_reason ?? 'NARR',
          amount: m.amount,
        });
      } else {
        await settlePayment(unit, m.targetId!, { bankEntryId: entry.id, bookingDate: entry.booking_date });
      }
      break;
    }
    case 'charge':
      journalId = await postBankCharges(unit, {
        id: `${id}.charges`,
        bankAccountId: entry.bank_account_id,
        amount: m.amount,
        currency: entry.currency,
        refund: credit,
        reason: `bank charges of bank entry ${entry.id}`,
        metadata: { bankEntryId: entry.id },
      });
      break;
    case 'writeoff': {
      const cash = await cashOf(unit, entry.bank_account_id);
      const differences = await ensureAccount(unit, { ...DIFFERENCES_ACCOUNT, currency: entry.currency }, unit.actor);
      journalId = `${id}.writeoff`;
      await postJournal(unit, {
        journalId,
        transfers: [
          {
            id: journalId,
            debitAccountId: credit ? cash : differences.id,
            creditAccountId: credit ? differences.id : cash,
            amount: m.amount,
            currency: entry.currency,
            code: 'reconciliation.writeoff',
            metadata: { bankEntryId: entry.id },
          },
        ],
        actor: unit.actor,
        reason: m.note ?? `written off from bank entry ${entry.id}`,
        requestId: unit.requestId,
      });
      break;
    }
  }
  const row = await unit.tx
    .insertInto('bank_matches')
    .values({
      id,
      bank_entry_id: entry.id,
      target_kind: m.kind,
      target_id: m.targetId,
      amount: m.amount,
      currency: entry.currency,
      rule_code: m.ruleCode,
      decision_version: m.decisionVersion,
      confidence: m.confidence,
      matched_by: m.matchedBy,
      matched_at: unit.clock.now(),
      note: m.note ?? null,
      receivable_payment_id: receivablePaymentId,
      journal_id: journalId,
      reversed_at: null,
      reversed_by: null,
      reversal_reason: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: 'bank_match.created',
    entityType: 'bank_entry',
    entityId: entry.id,
    before: { status: entry.status },
    after: presentMatch(row),
    reason: m.note ?? null,
  });
  return row;
}

const refused = (message: string) => new AppError('match_refused', 422, message, { field: 'body.targets' });

/** Undoes one match (see above) and stamps it reversed; the caller sets the entry's status. */
export async function reverseMatch(unit: DomainWork, match: MatchRow, reason: string, by: string): Promise<MatchRow> {
  if (match.reversed_at) {
    throw conflict('match_reversed', `bank match ${match.id} was reversed already`, { state: 'reversed' });
  }
  switch (match.target_kind) {
    case 'receivable':
      await reversePayment(unit, match.receivable_payment_id!, reason);
      break;
    case 'outgoing_payment':
      throw conflict(
        'match_not_reversible',
        `bank match ${match.id} settled or returned payment ${match.target_id}: the bank's booking is not undone here`,
        { state: match.target_kind },
      );
    case 'charge':
    case 'writeoff':
      await reverseJournal(unit, {
        journalId: match.journal_id!,
        newJournalId: `${match.journal_id!}.reversal`,
        actor: unit.actor,
        reason,
        requestId: unit.requestId,
      });
      break;
  }
  const row = await unit.tx
    .updateTable('bank_matches')
    .set({ reversed_at: unit.clock.now(), reversed_by: by, reversal_reason: reason })
    .where('id', '=', match.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  unit.audit({
    action: 'bank_match.reversed',
    entityType: 'bank_entry',
    entityId: match.bank_entry_id,
    before: presentMatch(match),
    after: presentMatch(row),
    reason,
  });
  return row;
}

import { AppError, conflict, notFound, validationError, type FieldIssue } from '../../core/errors.js';
import type { DomainWork } from '../unit-of-work.js';
import { lockBalances, moveBalances } from './balance-batch.js';
import { addDelta, checkLimits, type Deltas } from './ledger-balances.js';
import {
  auditPosting,
  CLIENT_ID,
  CLIENT_ID_RULE,
  requestHash,
  toTransfer,
  type JournalResult,
  type ReverseJournalRequest,
  type TransferKind,
  type TransferRow,
} from './ledger-model.js';
import { auditJournal } from './journal.js';
import {
  insertTransfers,
  mergeDeltas,
  resolution,
  resolutionDeltas,
  transferIdReused,
  type Planned,
} from './transfer-writes.js';

/** Reversals: a journal entry is undone by a new one, never edited. */

const reversalHash = (journalId: string, newJournalId: string, targetId: string, kind: TransferKind) =>
  requestHash({ op: 'reverse', journalId, newJournalId, targetId, kind });

function validateReversal(request: ReverseJournalRequest): void {
  const issues: FieldIssue[] = [];
  if (typeof request.journalId !== 'string' || request.journalId.length === 0) {
    issues.push({ field: 'journalId', message: 'must be a journal id' });
  }
  if (typeof request.newJournalId !== 'string' || !CLIENT_ID.test(request.newJournalId)) {
    issues.push({ field: 'newJournalId', message: CLIENT_ID_RULE });
  } else if (request.newJournalId === request.journalId) {
    issues.push({ field: 'newJournalId', message: 'must differ from the journal it reverses' });
  }
  if (issues.length > 0) throw validationError(issues);
}

/** The reversal's transfers (posted ones swapped, open holds voided) and the balance moves they make. */
function planReversal(
  journalId: string,
  newJournalId: string,
  reversible: TransferRow[],
  openPendings: TransferRow[],
): { planned: Planned[]; deltas: Deltas } {
  const deltas: Deltas = new Map();
  const planned: Planned[] = [
    ...reversible.map((t): Planned => {
      addDelta(deltas, t.credit_account_id, 'debit', 'posted', t.amount);
      addDelta(deltas, t.debit_account_id, 'credit', 'posted', t.amount);
      return {
        id: `${t.id}.reversal`,
        journalId: newJournalId,
        debitAccountId: t.credit_account_id,
        creditAccountId: t.debit_account_id,
        amount: t.amount,
        currency: t.currency,
        kind: 'reversal',
        pendingId: null,
        reversesId: t.id,
        expiresAt: null,
        code: t.code,
        reference: t.reference,
        metadata: {},
        requestHash: reversalHash(journalId, newJournalId, t.id, 'reversal'),
      };
    }),
    ...openPendings.map((p) => {
      mergeDeltas(deltas, resolutionDeltas(p, 0n));
      return resolution(
        p,
        `${p.id}.reversal`,
        'void_pending',
        p.amount,
        reversalHash(journalId, newJournalId, p.id, 'void_pending'),
        newJournalId,
      );
    }),
  ];
  return { planned, deltas };
}

/**
 * Reverses a journal entry with a new one, `newJournalId`: each posted and post_pending transfer of
 * the journal gets a `reversal` transfer (debit and credit swapped, `reversesId` set, id
 * `<original id>.reversal`), and each of its pending transfers still unresolved is voided (id
 * `<pending id>.reversal`). The same request again returns the reversal (`created: false`).
 * Refusals: 404 unknown journal, 409 `journal_already_reversed`, `nothing_to_reverse`,
 * `journal_id_reused`, `transfer_id_reused`, and 422 `balance_limit_exceeded` when undoing would
 * overdraw a flagged account (money already spent from it).
 */
export async function reverseJournal(unit: DomainWork, request: ReverseJournalRequest): Promise<JournalResult> {
  validateReversal(request);
  const { journalId, newJournalId } = request;
  const { tx } = unit;
  const now = unit.clock.now();

  // The journal's transfers locked: a concurrent reversal, or a resolution or expiry of one of its
  // holds, waits here and then finds this one (the accounts are not locked for that: balance-batch.ts).
  const original = await tx
    .selectFrom('ledger_transfers')
    .selectAll()
    .where('journal_id', '=', journalId)
    .orderBy('seq')
    .forNoKeyUpdate()
    .execute();
  if (original.length === 0) throw notFound('ledger journal', journalId);
  const accounts = await lockBalances(
    unit,
    original.flatMap((t) => [t.debit_account_id, t.credit_account_id]),
  );
  const reversible = original.filter((t) => t.kind === 'posted' || t.kind === 'post_pending');
  const pendings = original.filter((t) => t.kind === 'pending');
  const originalIds = original.map((t) => t.id);

  const related = await tx
    .selectFrom('ledger_transfers')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('journal_id', '=', newJournalId),
        eb('reverses_id', 'in', originalIds),
        eb('pending_id', 'in', originalIds),
        eb(
          'id',
          'in',
          original.map((t) => `${t.id}.reversal`),
        ),
      ]),
    )
    .orderBy('seq')
    .execute();

  const inNewJournal = related.filter((r) => r.journal_id === newJournalId);
  if (inNewJournal.length > 0) {
    const ours = inNewJournal.every((r) => {
      const target = r.reverses_id ?? r.pending_id;
      return target !== null && r.request_hash === reversalHash(journalId, newJournalId, target, r.kind);
    });
    if (!ours) {
      throw new AppError(
        'journal_id_reused',
        409,
        `journal ${newJournalId} already exists and is not the reversal of ${journalId}`,
        { field: 'newJournalId', details: { journalId: newJournalId } },
      );
    }
    return { journalId: newJournalId, transfers: inNewJournal.map(toTransfer), created: false };
  }

  // A reversal leaves reversal transfers, or (a journal of holds only) voids outside the journal: a
  // void by resolvePending is written into the pending transfer's own journal.
  const reversal = related.find(
    (r) => r.reverses_id !== null || (r.kind === 'void_pending' && r.journal_id !== journalId),
  );
  if (reversal) {
    throw conflict('journal_already_reversed', `journal ${journalId} was already reversed by ${reversal.journal_id}`, {
      journalId,
      reversedBy: reversal.journal_id,
    });
  }
  const resolvedPendings = new Set(related.filter((r) => r.pending_id !== null).map((r) => r.pending_id));
  const openPendings = pendings.filter((p) => !resolvedPendings.has(p.id));
  if (reversible.length === 0 && openPendings.length === 0) {
    throw conflict('nothing_to_reverse', `journal ${journalId} has no posted transfers and no open holds to reverse`, {
      journalId,
    });
  }
  const { planned, deltas } = planReversal(journalId, newJournalId, reversible, openPendings);
  const plannedIds = new Set(planned.map((p) => p.id));
  const taken = related.find((r) => plannedIds.has(r.id));
  if (taken) throw transferIdReused(taken.id);
  checkLimits(accounts, deltas);
  const transfers = await insertTransfers(tx, planned, request.actor, now);
  moveBalances(unit, deltas);
  auditJournal(unit, request, 'ledger.journal.reversed', journalId, {
    journalId: newJournalId,
    reverses: journalId,
    postings: transfers.map(auditPosting),
  });
  return { journalId: newJournalId, transfers, created: true };
}

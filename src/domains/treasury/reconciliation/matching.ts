import { sql } from 'kysely';
import { AppError } from '../../../core/errors.js';
import type { DomainWork } from '../../unit-of-work.js';
import { matchSlice } from './bulk-matching.js';
import type { EntryRow } from './candidate.js';
import { candidatesFor } from './candidates.js';
import {
  type Outcome,
  exception,
  markMatched,
  scoreCandidates,
  suggestionsFrom,
  choose,
  type Scored,
  type Suggestion,
} from './outcomes.js';
import { isBatchBooking, planBatchBooking } from './batch-bookings.js';
import { applyMatch, lockEntry, matchesOf, remainingOf, type MatchRow } from './posting.js';
import { rulesOf, type Rules } from './rules.js';

/**
 * Automatic matching of booked entries: each entry's candidates (candidates.ts) are scored by the
 * decision (rules.ts); the rules are tried in order (end-to-end id, return, creditor reference,
 * reference text, name + amount) and the first rule with a candidate at or above its auto-confirm
 * confidence decides — exactly one such candidate is confirmed (matched by `auto`), several make the
 * entry an exception. An entry without one is an exception too, and so is the rest of an entry that
 * paid more than its receivable's open amount. An exception gets ranked suggestions and an engine
 * task in the `treasury-reconciliation` queue (the workflow started by `bank_entry.exception`).
 *
 * Entries are matched a slice at a time (bulk-matching.ts): the plain credits that pay a receivable
 * in one go; the rest — outgoing payments, returns, entries a person touched, competing entries —
 * one by one here. Each of those is matched in its own savepoint: a refusal while posting (a receivable cancelled
 * meanwhile) makes that entry an exception naming the refusal, and the run goes on. An entry whose
 * match a person reversed is never confirmed automatically again — only suggested.
 */

/** Entries matched together (bulk-matching.ts): large enough to share the work, small enough for memory. */
const SLICE = 2000;

export interface RunSummary {
  entries: number;
  matched: number;
  partlyMatched: number;
  exceptions: number;
  skipped: number;
}

/** Opens a transaction for `work` (the caller's kind: a request's, a collect run's) and commits it. */
export type InUnit = <T>(work: (unit: DomainWork) => Promise<T>) => Promise<T>;

export interface RunScope {
  entryIds?: string[];
  bankAccountId?: string | undefined;
  includeExceptions?: boolean;
}

/**
 * Entries still to match: the given ones, or every unmatched (and, asked, exception) entry of the
 * account; in id order, every run locks entries in the same order (no deadlock between two).
 *
 * One transaction per slice of SLICE entries: a 100 000-entry statement holds its locks, audit rows
 * and events a slice at a time, not all at once. A slice that fails stops the run (its own work
 * rolled back, the error thrown); the slices before it stay matched, the rest stay for a later run.
 */
export async function runReconciliation(inUnit: InUnit, scope: RunScope): Promise<RunSummary> {
  const statuses = scope.includeExceptions ? ['unmatched', 'exception'] : ['unmatched'];
  const ids = scope.entryIds ?? (await inUnit((unit) => entriesToMatch(unit, statuses, scope.bankAccountId)));
  const sorted = [...new Set(ids)].sort();
  const summary: RunSummary = { entries: sorted.length, matched: 0, partlyMatched: 0, exceptions: 0, skipped: 0 };
  for (let from = 0; from < sorted.length; from += SLICE) {
    // Counted once the slice has committed (a retried transaction runs its work again).
    const outcomes = await inUnit(async (unit) => {
      const rules = rulesOf(unit);
      const slice = await matchSlice(unit, sorted.slice(from, from + SLICE), statuses, rules);
      const done: Outcome[] = [...slice.outcomes];
      for (const id of slice.rest) done.push(await reconcileEntry(unit, id, statuses, rules));
      return done;
    });
    for (const outcome of outcomes) summary[outcome] += 1;
  }
  return summary;
}

async function entriesToMatch(unit: DomainWork, statuses: string[], bankAccountId: string | undefined) {
  let q = unit.tx.selectFrom('bank_entries').select('id').where('status', 'in', statuses).orderBy('id');
  if (bankAccountId) q = q.where('bank_account_id', '=', bankAccountId);
  return (await q.execute()).map((r) => r.id);
}

async function reconcileEntry(unit: DomainWork, id: string, statuses: string[], rules: Rules): Promise<Outcome> {
  const entry = await lockEntry(unit, id);
  if (!statuses.includes(entry.status)) return 'skipped';
  const matches = await matchesOf(unit, id);
  const remaining = remainingOf(entry, matches);
  // Something already matched by a person (a split left open), or reversed: a person goes on with it.
  const touched = matches.length > 0;
  const scored = await scoredCandidates(unit, entry, remaining, rules);
  const suggestions = suggestionsFrom(scored, remaining);

  if (entry.reversal) return exception(unit, entry, 'a reversal booked by the bank: a person decides', suggestions);
  const account = await unit.tx
    .selectFrom('bank_accounts')
    .select('currency')
    .where('id', '=', entry.bank_account_id)
    .executeTakeFirstOrThrow();
  if (account.currency !== entry.currency) {
    return exception(unit, entry, `the entry is in ${entry.currency}, the account in ${account.currency}`, []);
  }
  if (isBatchBooking(entry)) return reconcileBatchBooking(unit, entry, remaining, matches, touched, rules);
  const { chosen, reason } = choose(scored);
  if (!chosen || touched) {
    const why = touched ? 'its earlier match was reversed or split by a person' : reason;
    return exception(unit, entry, why, suggestions);
  }

  return confirmed(unit, entry, chosen.label, suggestions, async () => {
    const created = await confirm(unit, entry, chosen, remaining, matches);
    const left = remainingOf(entry, [...matches, ...created]);
    if (left === 0n) {
      await markMatched(unit, entry);
      return 'matched';
    }
    await exception(
      unit,
      entry,
      `${left} left over after paying ${chosen.label} (open ${chosen.openAmount}): a person decides where it goes`,
      suggestionsFrom(
        scored.filter((s) => s.targetId !== chosen.targetId),
        left,
      ),
    );
    return 'partlyMatched';
  });
}

/**
 * Runs `work` (the matches of one entry) in its own savepoint: a refusal while posting (a receivable
 * cancelled meanwhile, a payment changed) rolls back only this entry's matches and makes it an
 * exception naming the refusal, and the run goes on.
 */
async function confirmed(
  unit: DomainWork,
  entry: EntryRow,
  label: string,
  suggestions: Suggestion[],
  work: () => Promise<Outcome>,
): Promise<Outcome> {
  const mark = unit.mark();
  await sql`SAVEPOINT reconcile_entry`.execute(unit.tx);
  try {
    const outcome = await work();
    await sql`RELEASE SAVEPOINT reconcile_entry`.execute(unit.tx);
    return outcome;
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT reconcile_entry`.execute(unit.tx);
    unit.rollbackTo(mark);
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    return exception(unit, entry, `matching ${label} was refused: ${error.message}`, suggestions);
  }
}

/** A debit the bank booked for several payments at once (batch-bookings.ts): all of them, or a person. */
async function reconcileBatchBooking(
  unit: DomainWork,
  entry: EntryRow,
  remaining: bigint,
  matches: MatchRow[],
  touched: boolean,
  rules: Rules,
): Promise<Outcome> {
  const plan = await planBatchBooking(unit, entry, remaining, rules);
  const suggestions = suggestionsFrom(plan.scored, remaining);
  if (!plan.chosen || touched) {
    return exception(
      unit,
      entry,
      touched ? 'its earlier match was reversed or split by a person' : plan.reason,
      suggestions,
    );
  }
  const chosen = plan.chosen;
  return confirmed(unit, entry, `the batch booking's ${chosen.length} payments`, suggestions, async () => {
    const created: MatchRow[] = [];
    for (const payment of chosen) {
      created.push(
        await applyMatch(unit, entry, [...matches, ...created], {
          ruleCode: payment.code,
          decisionVersion: payment.version,
          confidence: payment.confidence,
          kind: 'outgoing_payment',
          targetId: payment.targetId,
          amount: payment.openAmount,
          matchedBy: 'auto',
        }),
      );
    }
    if (plan.charges > 0n) {
      const first = chosen[0]!;
      created.push(
        await applyMatch(unit, entry, [...matches, ...created], {
          ruleCode: first.code,
          decisionVersion: first.version,
          confidence: first.confidence,
          kind: 'charge',
          targetId: null,
          amount: plan.charges,
          matchedBy: 'auto',
          note: 'charges the bank booked with the batch',
        }),
      );
    }
    await markMatched(unit, entry);
    return 'matched';
  });
}

async function scoredCandidates(unit: DomainWork, entry: EntryRow, remaining: bigint, rules: Rules): Promise<Scored[]> {
  if (remaining <= 0n) return [];
  return scoreCandidates(entry, await candidatesFor(unit.tx, entry, remaining), rules);
}

async function confirm(
  unit: DomainWork,
  entry: EntryRow,
  chosen: Scored,
  remaining: bigint,
  matches: MatchRow[],
): Promise<MatchRow[]> {
  const base = { ruleCode: chosen.code, decisionVersion: chosen.version, confidence: chosen.confidence };
  const created: MatchRow[] = [];
  if (chosen.targetKind === 'receivable') {
    // Partial stays partial (the waterfall allocates it); more than the open amount pays the open amount.
    const amount = remaining < chosen.openAmount ? remaining : chosen.openAmount;
    created.push(
      await applyMatch(unit, entry, matches, {
        ...base,
        kind: 'receivable',
        targetId: chosen.targetId,
        amount,
        matchedBy: 'auto',
      }),
    );
    return created;
  }
  // Outgoing: settle (debit) or return (credit); charges the bank added to a debit post as such.
  const paymentAmount = chosen.rule === 'end_to_end' ? chosen.openAmount : remaining;
  created.push(
    await applyMatch(unit, entry, matches, {
      ...base,
      kind: 'outgoing_payment',
      targetId: chosen.targetId,
      amount: paymentAmount,
      matchedBy: 'auto',
    }),
  );
  if (remaining > paymentAmount && entry.charges !== null && remaining - paymentAmount === BigInt(entry.charges)) {
    created.push(
      await applyMatch(unit, entry, [...matches, ...created], {
        ...base,
        kind: 'charge',
        targetId: null,
        amount: remaining - paymentAmount,
        matchedBy: 'auto',
        note: 'charges the bank booked with the payment',
      }),
    );
  }
  return created;
}

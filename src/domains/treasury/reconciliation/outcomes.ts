import { sql } from 'kysely';
import type { DomainWork } from '../../unit-of-work.js';
import type { Candidate, EntryRow } from './candidate.js';
import { matchesOf, remainingOf } from './posting.js';
import { RULE_ORDER, type RuleAnswer, type Rules } from './rules.js';

/**
 * How an entry's matching ends, whether it was matched on its own (matching.ts) or with its slice
 * (bulk-matching.ts): the decisive candidate chosen from the scored ones, the ranked suggestions, and
 * the entry marked matched or made an exception.
 */

const EXCEPTION_EVENT = 'bank_entry.exception';
export const RESOLVED_EVENT = 'bank_entry.resolved';
const SUGGESTIONS = 5;

export type Scored = Candidate & RuleAnswer;

/** How matching one entry ended (the keys of a run's summary). */
export type Outcome = 'matched' | 'partlyMatched' | 'exceptions' | 'skipped';

export interface Suggestion {
  rank: number;
  targetKind: string;
  targetId: string;
  label: string;
  targetName: string | null;
  openAmount: string;
  amount: string;
  rule: string;
  code: string;
  confidence: number;
  reason: string;
}

/** The decision's answer for each candidate; a candidate it scores 0 is dropped. */
export async function scoreCandidates(entry: EntryRow, candidates: Candidate[], rules: Rules): Promise<Scored[]> {
  const scored: Scored[] = [];
  for (const c of candidates) {
    const answer = await rules({
      rule: c.rule,
      direction: entry.direction,
      amountFit: c.amountFit,
      nameSimilarity: c.nameSimilarity,
      daysFromDue: c.daysFromDue,
    });
    if (answer.confidence > 0) scored.push({ ...c, ...answer });
  }
  return scored;
}

/** The first rule (in order) with a confirmable candidate decides; one target is confirmed, several are ambiguous. */
export function choose(scored: Scored[]): { chosen: Scored | null; reason: string } {
  for (const rule of RULE_ORDER) {
    const sure = scored.filter((s) => s.rule === rule && s.confidence >= s.autoConfirmAt);
    const targets = new Set(sure.map((s) => s.targetId));
    if (targets.size === 1) return { chosen: sure[0]!, reason: '' };
    if (targets.size > 1) {
      return { chosen: null, reason: `ambiguous: ${targets.size} candidates by ${rule} (${sure[0]!.code})` };
    }
  }
  return {
    chosen: null,
    reason: scored.length === 0 ? 'no candidate found' : 'no candidate confident enough to confirm',
  };
}

/** Ranked: highest confidence first, one per target (its best rule). */
export function suggestionsFrom(scored: Scored[], remaining: bigint): Suggestion[] {
  const best = new Map<string, Scored>();
  for (const s of scored) {
    const key = `${s.targetKind} ${s.targetId}`;
    const seen = best.get(key);
    if (!seen || s.confidence > seen.confidence) best.set(key, s);
  }
  return [...best.values()]
    .sort((a, b) => b.confidence - a.confidence || a.label.localeCompare(b.label))
    .slice(0, SUGGESTIONS)
    .map((s, i) => ({
      rank: i + 1,
      targetKind: s.targetKind,
      targetId: s.targetId,
      label: s.label,
      targetName: s.targetName,
      openAmount: s.openAmount.toString(),
      // What a person's match would take: at most the target's open amount (a receivable's open
      // balance, an outgoing payment's whole amount — a settlement takes exactly that, and charges on
      // the entry stay over for a person to book).
      amount: (s.openAmount < remaining ? s.openAmount : remaining).toString(),
      rule: s.rule,
      code: s.code,
      confidence: s.confidence,
      reason: s.reason,
    }));
}

export async function markMatched(unit: DomainWork, entry: EntryRow): Promise<void> {
  await unit.tx
    .updateTable('bank_entries')
    .set({ status: 'matched', reconciled_at: unit.clock.now(), exception_reason: null, suggestions: null })
    .where('id', '=', entry.id)
    .execute();
  if (entry.status === 'exception') unit.publish(RESOLVED_EVENT, entry.id, { entryId: entry.id, status: 'matched' });
}

/**
 * Makes the entry an exception with its reason and suggestions; the first time, `bank_entry.exception`
 * starts the exception workflow (one open task per entry: the event's key is the correlation key).
 */
export async function exception(
  unit: DomainWork,
  entry: EntryRow,
  reason: string,
  suggestions: Suggestion[],
): Promise<'exceptions'> {
  await exceptions(unit, [
    { entry, reason, suggestions, remaining: remainingOf(entry, await matchesOf(unit, entry.id)) },
  ]);
  return 'exceptions';
}

export interface ExceptionCase {
  entry: EntryRow;
  reason: string;
  suggestions: Suggestion[];
  /** What of the entry no active match covers. */
  remaining: bigint;
}

/** `exception` for many entries: one UPDATE for all of them, then each one's event. */
export async function exceptions(unit: DomainWork, cases: readonly ExceptionCase[]): Promise<void> {
  if (cases.length === 0) return;
  const now = unit.clock.now();
  const { ids, reasons, lists, since } = {
    ids: cases.map((c) => c.entry.id),
    reasons: cases.map((c) => c.reason),
    lists: cases.map((c) => JSON.stringify(c.suggestions)),
    since: cases.map((c) => (c.entry.exception_at ?? now).toISOString()),
  };
  await sql`
    UPDATE bank_entries AS e SET status = 'exception', exception_reason = v.reason, suggestions = v.suggestions,
           exception_at = v.since, reconciled_at = NULL
      FROM unnest(${ids}::text[], ${reasons}::text[], ${lists}::jsonb[], ${since}::timestamptz[])
           AS v (id, reason, suggestions, since)
     WHERE e.id = v.id`.execute(unit.tx);
  for (const { entry, reason, suggestions, remaining } of cases) {
    if (entry.status === 'exception') continue;
    unit.publish(EXCEPTION_EVENT, entry.id, {
      entryId: entry.id,
      task: {
        entryId: entry.id,
        bankAccountId: entry.bank_account_id,
        direction: entry.direction,
        amount: String(entry.amount),
        remaining: remaining.toString(),
        currency: entry.currency,
        bookingDate: entry.booking_date,
        counterpartyName: entry.counterparty_name,
        remittance: entry.remittance,
        creditorReference: entry.creditor_reference,
        endToEndId: entry.end_to_end_id,
        reason,
        suggestions,
      },
    });
  }
}

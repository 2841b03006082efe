import { sql } from 'kysely';
import { AppError } from '../../../core/errors.js';
import type { DomainWork } from '../../unit-of-work.js';
import { candidatesFor, type Candidate, type EntryRow } from './candidates.js';
import { applyMatch, lockEntry, matchesOf, remainingOf, type MatchRow } from './posting.js';
import { RULE_ORDER, rulesOf, type RuleAnswer } from './rules.js';

/**
 * Automatic matching of booked entries: each entry's candidates (candidates.ts) are scored by the
 * decision (rules.ts); the rules are tried in order (end-to-end id, return, creditor reference,
 * reference text, name + amount) and the first rule with a candidate at or above its auto-confirm
 * confidence decides — exactly one such candidate is confirmed (matched by `auto`), several make the
 * entry an exception. An entry without one is an exception too, and so is the rest of an entry that
 * paid more than its receivable's open amount. An exception gets ranked suggestions and an engine
 * task in the `treasury-reconciliation` queue (the workflow started by `bank_entry.exception`).
 *
 * Each entry is matched in its own savepoint: a refusal while posting (a receivable cancelled
 * meanwhile) makes that entry an exception naming the refusal, and the run goes on. An entry whose
 * match a person reversed is never confirmed automatically again — only suggested.
 */

export const EXCEPTION_EVENT = 'bank_entry.exception';
export const RESOLVED_EVENT = 'bank_entry.resolved';
const SUGGESTIONS = 5;

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

export interface RunSummary {
  entries: number;
  matched: number;
  partlyMatched: number;
  exceptions: number;
  skipped: number;
}

type Scored = Candidate & RuleAnswer;

/** Entries still to match: the given ones, or every unmatched (and, asked, exception) entry of the account. */
export async function runReconciliation(
  unit: DomainWork,
  scope: { entryIds?: string[]; bankAccountId?: string | undefined; includeExceptions?: boolean },
): Promise<RunSummary> {
  const statuses = scope.includeExceptions ? ['unmatched', 'exception'] : ['unmatched'];
  let ids = scope.entryIds;
  if (!ids) {
    let q = unit.tx.selectFrom('bank_entries').select('id').where('status', 'in', statuses).orderBy('id');
    if (scope.bankAccountId) q = q.where('bank_account_id', '=', scope.bankAccountId);
    ids = (await q.execute()).map((r) => r.id);
  }
  const rules = rulesOf(unit);
  const summary: RunSummary = { entries: 0, matched: 0, partlyMatched: 0, exceptions: 0, skipped: 0 };
  for (const id of ids) {
    const outcome = await reconcileEntry(unit, id, statuses, rules);
    summary.entries += 1;
    summary[outcome] += 1;
  }
  return summary;
}

async function reconcileEntry(
  unit: DomainWork,
  id: string,
  statuses: string[],
  rules: ReturnType<typeof rulesOf>,
): Promise<keyof Omit<RunSummary, 'entries'>> {
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
  const { chosen, reason } = choose(scored);
  if (!chosen || touched) {
    const why = touched ? 'its earlier match was reversed or split by a person' : reason;
    return exception(unit, entry, why, suggestions);
  }

  const mark = unit.mark();
  await sql`SAVEPOINT reconcile_entry`.execute(unit.tx);
  try {
    const created = await confirm(unit, entry, chosen, remaining, matches);
    await sql`RELEASE SAVEPOINT reconcile_entry`.execute(unit.tx);
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
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT reconcile_entry`.execute(unit.tx);
    unit.rollbackTo(mark);
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    return exception(unit, entry, `matching ${chosen.label} was refused: ${error.message}`, suggestions);
  }
}

async function scoredCandidates(
  unit: DomainWork,
  entry: EntryRow,
  remaining: bigint,
  rules: ReturnType<typeof rulesOf>,
): Promise<Scored[]> {
  if (remaining <= 0n) return [];
  const scored: Scored[] = [];
  for (const c of await candidatesFor(unit.tx, entry, remaining)) {
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
function choose(scored: Scored[]): { chosen: Scored | null; reason: string } {
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
function suggestionsFrom(scored: Scored[], remaining: bigint): Suggestion[] {
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
  const now = unit.clock.now();
  await unit.tx
    .updateTable('bank_entries')
    .set({
      status: 'exception',
      exception_reason: reason,
      suggestions: JSON.stringify(suggestions),
      exception_at: entry.exception_at ?? now,
      reconciled_at: null,
    })
    .where('id', '=', entry.id)
    .execute();
  if (entry.status !== 'exception') {
    const matched = await matchesOf(unit, entry.id);
    unit.publish(EXCEPTION_EVENT, entry.id, {
      entryId: entry.id,
      task: {
        entryId: entry.id,
        bankAccountId: entry.bank_account_id,
        direction: entry.direction,
        amount: String(entry.amount),
        remaining: remainingOf(entry, matched).toString(),
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
  return 'exceptions';
}

import { sql } from 'kysely';
import { AppError } from '../../../core/errors.js';
import { newId } from '../../../core/ids.js';
import { recordPayments } from '../../receivables/payments.js';
import type { DomainWork } from '../../unit-of-work.js';
import type { EntryRow } from './candidate.js';
import { incomingCandidates, type IncomingAsk } from './incoming-candidates.js';
import {
  choose,
  exceptions,
  RESOLVED_EVENT,
  scoreCandidates,
  suggestionsFrom,
  type ExceptionCase,
  type Outcome,
  type Scored,
} from './outcomes.js';
import { presentMatch } from './posting.js';
import type { Rules } from './rules.js';

/**
 * Automatic matching of a slice of entries at once — what makes a statement of 100 000 customer
 * payments take seconds rather than the half hour one entry at a time would. The outcome of every
 * entry is the one matching it alone (matching.ts) gives; only the work is shared:
 *   - the entries locked, their earlier matches and their accounts read in one statement each;
 *   - the keyed candidates (creditor reference, reference text) of every plain credit in one join,
 *     scored by the rules decision (answers are remembered per distinct question); the name + amount
 *     candidates only for the entries those did not decide;
 *   - the confirmed receivable matches posted in one `recordPayments` (the allocation waterfall,
 *     delinquency and events as one by one), their bank matches inserted and entries marked in a few
 *     statements; the undecided entries made exceptions with their suggestions.
 * Left for the one-by-one path (`rest`): debits and returns (outgoing payments), reversals, entries
 * already touched by a person, another currency than the account's, a payment of more than the open
 * amount (a partial match with a remainder), and entries that compete for a receivable — one entry's
 * match would change another's candidates, so they go one after the other once the slice is posted.
 * If the slice's posting is refused (a receivable cancelled meanwhile), its entries all go that way.
 */

export interface SliceResult {
  outcomes: Outcome[];
  /** Entries to match one by one, in id order. */
  rest: string[];
}

interface Plain extends IncomingAsk {
  scored: Scored[];
  chosen: Scored | null;
  reason: string;
}

export async function matchSlice(
  unit: DomainWork,
  ids: readonly string[],
  statuses: readonly string[],
  rules: Rules,
): Promise<SliceResult> {
  const entries = await unit.tx
    .selectFrom('bank_entries')
    .selectAll()
    .where('id', 'in', [...ids])
    .orderBy('id')
    .forUpdate()
    .execute();
  const result: SliceResult = { outcomes: [], rest: [] };
  const found = new Set(entries.map((e) => e.id));
  // An id that names no entry: the one-by-one path says so (404), as it always has.
  for (const id of ids) if (!found.has(id)) result.rest.push(id);
  const touched = new Set(
    (
      await unit.tx
        .selectFrom('bank_matches')
        .select('bank_entry_id')
        .distinct()
        .where('bank_entry_id', 'in', [...ids])
        .execute()
    ).map((m) => m.bank_entry_id),
  );
  const accountIds = [...new Set(entries.map((e) => e.bank_account_id))];
  const currencyOf = new Map(
    accountIds.length === 0
      ? []
      : (
          await unit.tx.selectFrom('bank_accounts').select(['id', 'currency']).where('id', 'in', accountIds).execute()
        ).map((a) => [a.id, a.currency]),
  );

  const plain: IncomingAsk[] = [];
  for (const entry of entries) {
    if (!statuses.includes(entry.status)) result.outcomes.push('skipped');
    else if (isPlainCredit(entry) && !touched.has(entry.id) && currencyOf.get(entry.bank_account_id) === entry.currency)
      plain.push({ entry, remaining: BigInt(entry.amount) });
    else result.rest.push(entry.id);
  }
  const decided = await decide(unit, plain, rules);

  // Entries competing for a receivable (one's chosen target among another's candidates) go one by one.
  const choosers = new Map<string, number>();
  for (const p of decided) if (p.chosen) choosers.set(p.chosen.targetId, (choosers.get(p.chosen.targetId) ?? 0) + 1);
  const competes = (p: Plain) =>
    p.scored.some((s) => {
      const n = choosers.get(s.targetId) ?? 0;
      return n > (p.chosen?.targetId === s.targetId ? 1 : 0);
    });
  const confirmed: Plain[] = [];
  const undecided: ExceptionCase[] = [];
  for (const p of decided) {
    if (competes(p) || (p.chosen && p.remaining > p.chosen.openAmount)) result.rest.push(p.entry.id);
    else if (p.chosen) confirmed.push(p);
    else {
      const { entry, reason, remaining } = p;
      undecided.push({ entry, reason, remaining, suggestions: suggestionsFrom(p.scored, remaining) });
      result.outcomes.push('exceptions');
    }
  }
  await exceptions(unit, undecided);
  if (await postReceivableMatches(unit, confirmed)) {
    for (let i = 0; i < confirmed.length; i += 1) result.outcomes.push('matched');
  } else {
    result.rest.push(...confirmed.map((p) => p.entry.id));
  }
  result.rest.sort();
  return result;
}

/** A credit that pays a receivable if anything: not a return, not a reversal. */
const isPlainCredit = (entry: EntryRow) => entry.direction === 'credit' && !entry.return_reason && !entry.reversal;

/** Scores the keyed candidates, then the name + amount ones of the entries those left undecided. */
async function decide(unit: DomainWork, asks: IncomingAsk[], rules: Rules): Promise<Plain[]> {
  const keyed = await incomingCandidates(unit.tx, asks, { keyed: true, nameAmount: false });
  const plain: Plain[] = [];
  for (const [i, ask] of asks.entries()) {
    const scored = await scoreCandidates(ask.entry, keyed[i]!, rules);
    plain.push({ ...ask, scored, ...choose(scored) });
  }
  const open = plain.filter((p) => p.chosen === null);
  const byAmount = await incomingCandidates(unit.tx, open, { keyed: false, nameAmount: true });
  for (const [i, p] of open.entries()) {
    p.scored.push(...(await scoreCandidates(p.entry, byAmount[i]!, rules)));
    Object.assign(p, choose(p.scored));
  }
  return plain;
}

/**
 * Posts the confirmed matches (each pays its receivable what the entry brought, at most the open
 * amount — see matchSlice) in one savepoint; false when the receivables refused (nothing kept).
 */
async function postReceivableMatches(unit: DomainWork, confirmed: Plain[]): Promise<boolean> {
  if (confirmed.length === 0) return true;
  const mark = unit.mark();
  await sql`SAVEPOINT reconcile_slice`.execute(unit.tx);
  let payments;
  try {
    payments = await recordPayments(
      unit,
      confirmed.map(({ entry, remaining, chosen }) => ({
        receivableRef: chosen!.targetId,
        input: {
          externalId: entry.id,
          amount: remaining.toString(),
          currency: entry.currency,
          receivedOn: entry.booking_date,
        },
      })),
    );
    await sql`RELEASE SAVEPOINT reconcile_slice`.execute(unit.tx);
  } catch (error) {
    await sql`ROLLBACK TO SAVEPOINT reconcile_slice`.execute(unit.tx);
    unit.rollbackTo(mark);
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    return false;
  }
  const now = unit.clock.now();
  const values = confirmed.map(({ entry, remaining, chosen }, i) => ({
    id: newId('bkm', now.getTime()),
    bank_entry_id: entry.id,
    target_kind: 'receivable' as const,
    target_id: chosen!.targetId,
    amount: remaining,
    currency: entry.currency,
    rule_code: chosen!.code,
    decision_version: chosen!.version,
    confidence: chosen!.confidence,
    matched_by: 'auto',
    matched_at: now,
    note: null,
    receivable_payment_id: payments[i]!.id,
    journal_id: null,
    reversed_at: null,
    reversed_by: null,
    reversal_reason: null,
  }));
  const statusOf = new Map(confirmed.map(({ entry }) => [entry.id, entry.status]));
  for (let from = 0; from < values.length; from += INSERT_ROWS) {
    const rows = await unit.tx
      .insertInto('bank_matches')
      .values(values.slice(from, from + INSERT_ROWS))
      .returningAll()
      .execute();
    for (const row of rows) {
      unit.audit({
        action: 'bank_match.created',
        entityType: 'bank_entry',
        entityId: row.bank_entry_id,
        before: { status: statusOf.get(row.bank_entry_id) },
        after: presentMatch(row),
        reason: null,
      });
    }
  }
  const ids = confirmed.map((p) => p.entry.id);
  await unit.tx
    .updateTable('bank_entries')
    .set({ status: 'matched', reconciled_at: now, exception_reason: null, suggestions: null })
    .where('id', 'in', ids)
    .execute();
  for (const { entry } of confirmed) {
    if (entry.status === 'exception') unit.publish(RESOLVED_EVENT, entry.id, { entryId: entry.id, status: 'matched' });
  }
  return true;
}

/** Matches per INSERT: 17 columns × 1 000 rows stays well under PostgreSQL's 65 535 parameters. */
const INSERT_ROWS = 1000;

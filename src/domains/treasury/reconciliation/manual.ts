import { AppError, conflict, notFound } from '../../../core/errors.js';
import type { DomainWork } from '../../unit-of-work.js';
import { presentEntry } from '../statement-queries.js';
import type { MatchTargetKind } from '../tables.js';
import { exception, markMatched, RESOLVED_EVENT, type Suggestion } from './outcomes.js';
import { applyMatch, lockEntry, matchesOf, presentMatch, remainingOf, reverseMatch } from './posting.js';

/**
 * What a person does with an entry: match it to one or more targets with amounts (a split; what is
 * left stays an exception), ignore it (with a reason: an internal transfer, a test booking), or
 * reverse one match (the entry goes back to unmatched when nothing else is matched on it). Each in
 * the request's transaction, audited on the bank entry.
 */

export interface TargetInput {
  kind: MatchTargetKind;
  targetId?: string | undefined;
  amount: string;
}

const field = (index: number, name: string, message: string) =>
  new AppError('match_refused', 422, message, { field: `body.targets.${index}.${name}` });

export async function matchByHand(
  unit: DomainWork,
  entryId: string,
  input: { targets: TargetInput[]; note?: string | undefined },
  by: string,
) {
  const entry = await lockEntry(unit, entryId);
  if (entry.status === 'matched' || entry.status === 'ignored') {
    throw conflict('entry_state', `bank entry ${entryId} is ${entry.status}`, { state: entry.status });
  }
  let matches = await matchesOf(unit, entryId);
  const remaining = remainingOf(entry, matches);
  const total = input.targets.reduce((s, t) => s + BigInt(t.amount), 0n);
  if (total > remaining) {
    throw new AppError('match_refused', 422, `the targets take ${total}, the entry has ${remaining} left to match`, {
      field: 'body.targets',
    });
  }
  for (const [i, t] of input.targets.entries()) {
    await checkTarget(unit, entry, t, i);
    const row = await applyMatch(unit, entry, matches, {
      kind: t.kind,
      targetId: t.targetId ?? null,
      amount: BigInt(t.amount),
      ruleCode: 'manual',
      decisionVersion: null,
      confidence: 100,
      matchedBy: by,
      note: input.note ?? null,
    });
    matches = [...matches, row];
  }
  const left = remainingOf(entry, matches);
  if (left === 0n) await markMatched(unit, entry);
  else await exception(unit, entry, `${left} left to match after a partial match by ${by}`, []);
  return entryWithMatches(unit, entryId);
}

async function checkTarget(unit: DomainWork, entry: Awaited<ReturnType<typeof lockEntry>>, t: TargetInput, i: number) {
  const needsTarget = t.kind === 'receivable' || t.kind === 'outgoing_payment';
  if (needsTarget && !t.targetId) throw field(i, 'targetId', `a ${t.kind} match names its target`);
  if (!needsTarget && t.targetId) throw field(i, 'targetId', `a ${t.kind} has no target`);
  if (t.kind === 'receivable') {
    const r = await unit.tx
      .selectFrom('receivables')
      .select(['id', 'currency', 'status'])
      .where((eb) => eb.or([eb('id', '=', t.targetId!), eb('external_id', '=', t.targetId!)]))
      .executeTakeFirst();
    if (!r) throw field(i, 'targetId', `no receivable ${t.targetId}`);
    if (entry.direction !== 'credit') throw field(i, 'kind', 'a debit entry pays no receivable');
    if (r.currency !== entry.currency) throw field(i, 'targetId', `the receivable is in ${r.currency}`);
    if (r.status !== 'open') throw field(i, 'targetId', `the receivable is ${r.status}`);
    t.targetId = r.id;
  }
  if (t.kind === 'outgoing_payment') {
    const p = await unit.tx
      .selectFrom('payment_instructions')
      .select(['id', 'status', 'amount', 'bank_account_id'])
      .where('id', '=', t.targetId!)
      .executeTakeFirst();
    if (!p) throw field(i, 'targetId', `no payment ${t.targetId}`);
    if (p.bank_account_id !== entry.bank_account_id) {
      throw field(i, 'targetId', `payment ${p.id} is paid from another account`);
    }
    const wanted = entry.direction === 'debit' ? ['sent', 'accepted'] : ['settled'];
    if (!wanted.includes(p.status)) {
      throw field(
        i,
        'targetId',
        `payment ${p.id} is ${p.status}: a ${entry.direction} entry takes a ${wanted.join(' or ')} one`,
      );
    }
    if (entry.direction === 'debit' && BigInt(t.amount) !== p.amount) {
      throw field(i, 'amount', `payment ${p.id} is for ${p.amount}: a settlement takes its whole amount`);
    }
    if (entry.direction === 'credit' && BigInt(t.amount) > p.amount) {
      throw field(i, 'amount', `payment ${p.id} is for ${p.amount}: no more can come back`);
    }
  }
}

export async function ignoreEntry(unit: DomainWork, entryId: string, reason: string, by: string) {
  const entry = await lockEntry(unit, entryId);
  const matches = (await matchesOf(unit, entryId)).filter((m) => m.reversed_at === null);
  if (entry.status === 'matched' || entry.status === 'ignored' || matches.length > 0) {
    throw conflict(
      'entry_state',
      matches.length > 0
        ? `bank entry ${entryId} has matches: reverse them before ignoring it`
        : `bank entry ${entryId} is ${entry.status}`,
      { state: entry.status },
    );
  }
  await unit.tx
    .updateTable('bank_entries')
    .set({ status: 'ignored', ignored_reason: reason, reconciled_at: unit.clock.now() })
    .where('id', '=', entryId)
    .execute();
  unit.audit({
    action: 'bank_entry.ignored',
    entityType: 'bank_entry',
    entityId: entryId,
    before: { status: entry.status },
    after: { status: 'ignored', by },
    reason,
  });
  if (entry.status === 'exception') unit.publish(RESOLVED_EVENT, entryId, { entryId, status: 'ignored' });
  return entryWithMatches(unit, entryId);
}

export async function reverseBankMatch(unit: DomainWork, matchId: string, reason: string, by: string) {
  const found = await unit.tx
    .selectFrom('bank_matches')
    .select('bank_entry_id')
    .where('id', '=', matchId)
    .executeTakeFirst();
  if (!found) throw notFound('bank match', matchId);
  const entry = await lockEntry(unit, found.bank_entry_id);
  const match = (await matchesOf(unit, entry.id)).find((m) => m.id === matchId)!;
  const reversed = await reverseMatch(unit, match, reason, by);
  const active = (await matchesOf(unit, entry.id)).filter((m) => m.reversed_at === null);
  // Back to unmatched (nothing else matched on it), or an exception with what is still matched.
  if (active.length > 0) {
    await exception(unit, entry, `a match was reversed by ${by} (${reason}); the rest stays matched`, []);
  } else {
    await unit.tx
      .updateTable('bank_entries')
      .set({ status: 'unmatched', reconciled_at: null, exception_reason: null, suggestions: null })
      .where('id', '=', entry.id)
      .execute();
    if (entry.status === 'exception') {
      unit.publish(RESOLVED_EVENT, entry.id, { entryId: entry.id, status: 'unmatched' });
    }
  }
  return presentMatch(reversed);
}

export async function entryWithMatches(unit: Pick<DomainWork, 'tx'>, entryId: string) {
  const row = await unit.tx.selectFrom('bank_entries').selectAll().where('id', '=', entryId).executeTakeFirstOrThrow();
  const matches = await unit.tx
    .selectFrom('bank_matches')
    .selectAll()
    .where('bank_entry_id', '=', entryId)
    .orderBy('id')
    .execute();
  return reconciliationView(row, matches);
}

export function reconciliationView(
  row: Parameters<typeof presentEntry>[0],
  matches: Parameters<typeof presentMatch>[0][],
) {
  const active = matches.filter((m) => m.reversed_at === null);
  return {
    ...presentEntry(row),
    remaining: (BigInt(row.amount) - active.reduce((s, m) => s + m.amount, 0n)).toString(),
    exceptionReason: row.exception_reason,
    exceptionAt: row.exception_at?.toISOString() ?? null,
    ignoredReason: row.ignored_reason,
    reconciledAt: row.reconciled_at?.toISOString() ?? null,
    suggestions: (row.suggestions ?? []) as Suggestion[],
    matches: matches.map(presentMatch),
  };
}
export type ReconciliationEntryView = ReturnType<typeof reconciliationView>;

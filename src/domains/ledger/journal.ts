import { sql } from 'kysely';
import { AppError, validationError, type FieldIssue } from '../../core/errors.js';
import { isCurrency } from '../../core/money.js';
import type { DomainWork } from '../unit-of-work.js';
import { lockBalances, movingBalances } from './balance-batch.js';
import { addDelta, checkLimits, type Deltas } from './ledger-balances.js';
import {
  auditPosting,
  CLIENT_ID,
  CLIENT_ID_RULE,
  INT8_MAX,
  isPlainObject,
  MAX_TEXT,
  requestHash,
  toTransfer,
  type JournalRequest,
  type AccountRow,
  type JournalResult,
  type LedgerTransfer,
  type TransferKind,
  type TransferRow,
} from './ledger-model.js';
import { insertTransfers, transferIdReused, type Planned } from './transfer-writes.js';

/**
 * The double-entry ledger (docs/ledger.md): posting a journal entry. Every write runs in the
 * caller's unit of work: it locks the accounts it touches in id order, inserts immutable transfers,
 * and leaves the balance moves and its audit row to the unit, which writes them before commit — so
 * the commit makes all of it durable at once, or none of it.
 *
 * Transfer ids are chosen by the client and are unique forever: sending the same request again
 * returns what the first one wrote (`created: false`) and changes nothing, which makes retries safe.
 */

interface ValidatedJournal {
  journalId: string;
  planned: Planned[];
  /** The name of field `name` of the request's transfer `i`: `transfers[2].debitAccountId`. */
  fields: (i: number, name: string) => string;
}

function validateJournal(request: JournalRequest): ValidatedJournal {
  const issues: FieldIssue[] = [];
  const field = (i: number, name: string) => `transfers[${i}].${name}`;
  if (!Array.isArray(request.transfers) || request.transfers.length === 0) {
    throw validationError([{ field: 'transfers', message: 'a journal entry needs at least one transfer' }]);
  }
  if (
    request.journalId !== undefined &&
    (typeof request.journalId !== 'string' || !CLIENT_ID.test(request.journalId))
  ) {
    issues.push({ field: 'journalId', message: CLIENT_ID_RULE });
  }
  const journalId = request.journalId ?? request.transfers[0]!.id;
  const seen = new Set<string>();
  const planned = request.transfers.map((t, i): Planned => {
    if (typeof t.id !== 'string' || !CLIENT_ID.test(t.id))
      issues.push({ field: field(i, 'id'), message: CLIENT_ID_RULE });
    else if (seen.has(t.id)) issues.push({ field: field(i, 'id'), message: `${t.id} appears twice in this request` });
    seen.add(t.id);
    for (const side of ['debitAccountId', 'creditAccountId'] as const) {
      if (typeof t[side] !== 'string' || t[side].length === 0 || t[side].length > MAX_TEXT) {
        issues.push({ field: field(i, side), message: 'must be an account id' });
      }
    }
    if (t.debitAccountId === t.creditAccountId) {
      issues.push({ field: field(i, 'creditAccountId'), message: 'must differ from debitAccountId' });
    }
    if (typeof t.amount !== 'bigint' || t.amount <= 0n) {
      issues.push({ field: field(i, 'amount'), message: 'must be a positive amount in minor units' });
    } else if (t.amount > INT8_MAX) {
      issues.push({ field: field(i, 'amount'), message: 'must be at most 9223372036854775807' });
    }
    if (typeof t.currency !== 'string' || !isCurrency(t.currency)) {
      issues.push({ field: field(i, 'currency'), message: 'must be an ISO 4217 currency code' });
    }
    const expiresAt = t.expiresAt ?? null;
    if (expiresAt !== null) {
      if (!t.pending) issues.push({ field: field(i, 'expiresAt'), message: 'only a pending transfer expires' });
      else if (!(expiresAt instanceof Date) || Number.isNaN(expiresAt.getTime())) {
        issues.push({ field: field(i, 'expiresAt'), message: 'must be a time' });
      }
    }
    for (const name of ['code', 'reference'] as const) {
      const v = t[name];
      if (v !== undefined && v !== null && (typeof v !== 'string' || v.length === 0 || v.length > MAX_TEXT)) {
        issues.push({ field: field(i, name), message: `must be 1-${MAX_TEXT} characters` });
      }
    }
    if (t.metadata !== undefined && !isPlainObject(t.metadata)) {
      issues.push({ field: field(i, 'metadata'), message: 'must be an object' });
    }
    const kind: TransferKind = t.pending ? 'pending' : 'posted';
    const content = {
      journalId,
      kind,
      debitAccountId: t.debitAccountId,
      creditAccountId: t.creditAccountId,
      amount: String(t.amount),
      currency: t.currency,
      expiresAt: expiresAt instanceof Date && !Number.isNaN(expiresAt.getTime()) ? expiresAt.toISOString() : null,
      code: t.code ?? null,
      reference: t.reference ?? null,
      metadata: t.metadata ?? {},
    };
    return {
      id: t.id,
      journalId,
      debitAccountId: t.debitAccountId,
      creditAccountId: t.creditAccountId,
      amount: t.amount,
      currency: t.currency,
      kind,
      pendingId: null,
      reversesId: null,
      expiresAt,
      code: t.code ?? null,
      reference: t.reference ?? null,
      metadata: t.metadata ?? {},
      requestHash: issues.length === 0 ? requestHash(content) : '',
    };
  });
  if (issues.length > 0) throw validationError(issues);
  return { journalId, planned, fields: field };
}

/** The answer when some of the journal's ids exist (a repeat, or a refusal); undefined when none does. */
function answerExisting(
  { journalId, planned, fields }: ValidatedJournal,
  existing: TransferRow[],
): JournalResult | undefined {
  const existingById = new Map(existing.map((r) => [r.id, r]));
  const found = planned.filter((p) => existingById.has(p.id));
  if (found.length === 0) return undefined;
  planned.forEach((p, i) => {
    const row = existingById.get(p.id);
    if (row && row.request_hash !== p.requestHash) throw transferIdReused(p.id, fields(i, 'id'));
  });
  if (found.length < planned.length) {
    const i = planned.findIndex((p) => existingById.has(p.id));
    throw new AppError(
      'transfer_id_reused',
      409,
      `transfer ${planned[i]!.id} already exists but others of this request do not: a retry must repeat the whole request`,
      { field: fields(i, 'id'), details: { transferId: planned[i]!.id } },
    );
  }
  return { journalId, transfers: planned.map((p) => toTransfer(existingById.get(p.id)!)), created: false };
}

/** Refuses a journal whose accounts do not exist or are in another currency, or whose holds expire already. */
function checkAccounts({ planned, fields }: ValidatedJournal, accounts: Map<string, AccountRow>, now: Date): void {
  const issues: FieldIssue[] = [];
  const mismatches: FieldIssue[] = [];
  planned.forEach((p, i) => {
    const debit = accounts.get(p.debitAccountId);
    const credit = accounts.get(p.creditAccountId);
    if (!debit) issues.push({ field: fields(i, 'debitAccountId'), message: `no ledger account ${p.debitAccountId}` });
    if (!credit)
      issues.push({ field: fields(i, 'creditAccountId'), message: `no ledger account ${p.creditAccountId}` });
    for (const [side, account] of [
      ['debit', debit],
      ['credit', credit],
    ] as const) {
      if (account && account.currency !== p.currency) {
        mismatches.push({
          field: fields(i, 'currency'),
          message: `${p.currency} does not match the ${side} account ${account.id} (${account.code}), which is in ${account.currency}`,
        });
      }
    }
    if (p.expiresAt && p.expiresAt.getTime() <= now.getTime()) {
      issues.push({ field: fields(i, 'expiresAt'), message: 'must be in the future' });
    }
  });
  if (issues.length > 0) {
    const unknown = issues.filter((i) => i.message.startsWith('no ledger account'));
    throw unknown.length > 0
      ? new AppError('unknown_account', 422, `${unknown[0]!.field}: ${unknown[0]!.message}`, { issues: unknown })
      : validationError(issues);
  }
  if (mismatches.length > 0) {
    throw new AppError('currency_mismatch', 422, `${mismatches[0]!.field}: ${mismatches[0]!.message}`, {
      issues: mismatches,
    });
  }
}

/**
 * Posts one journal entry: all its transfers or none. Idempotent by transfer id: when every id
 * exists with the same content, the existing transfers come back with `created: false` and nothing
 * changes; an id reused with other content, or a request of which only some ids exist, is a 409
 * `transfer_id_reused`. Refusals name the field: 400 for malformed input, 422 `unknown_account`,
 * `currency_mismatch` and `balance_limit_exceeded` (an account's no-overdraft flag).
 */
export async function postJournal(unit: DomainWork, request: JournalRequest): Promise<JournalResult> {
  const [result] = await postJournals(unit, [request]);
  return result!;
}

/**
 * Posts several journal entries at once, as postJournal would one after the other — the same checks,
 * the same answers, the no-overdraft limits against the running balance — but with one lock of all
 * their accounts, one look for existing transfers and one insert: a bulk sync posts a chunk of
 * payments this way. All or none: the first refusal is thrown and none of the journals is written
 * (a journal id or transfer id that appears twice in the batch is refused as 409 `journal_id_reused`
 * or `transfer_id_reused`, which one by one would be a repeat or a conflict).
 */
export async function postJournals(unit: DomainWork, requests: JournalRequest[]): Promise<JournalResult[]> {
  const journals = requests.map(validateJournal);
  const { tx } = unit;
  const now = unit.clock.now();
  if (requests.length > 1) refuseRepeatsWithin(journals);

  // Lock, then look: a concurrent request for the same journal waits here and then finds ours. The
  // accounts are no longer locked for that (balance-batch.ts), so one journal takes a lock on its id.
  // A batch (the receivables' bulk postings, whose ids their own locked rows already make unique)
  // takes none: a concurrent twin of it meets the unique index, a 409 (transfer-writes.ts).
  if (journals.length === 1) await lockJournalId(unit, journals[0]!.journalId);
  const accounts = await lockBalances(
    unit,
    journals.flatMap((j) => j.planned.flatMap((p) => [p.debitAccountId, p.creditAccountId])),
  );
  const ids = journals.flatMap((j) => j.planned.map((p) => p.id));
  const journalIds = journals.map((j) => j.journalId);
  const existing = await tx
    .selectFrom('ledger_transfers')
    .selectAll()
    .where((eb) => eb.or([eb('id', 'in', ids), eb('journal_id', 'in', journalIds)]))
    .orderBy('seq')
    .execute();
  const results: Array<JournalResult | undefined> = journals.map((journal) => {
    const own = new Set(journal.planned.map((p) => p.id));
    const mine = existing.filter((r) => own.has(r.id) || r.journal_id === journal.journalId);
    const repeat = answerExisting(journal, mine);
    if (repeat) return repeat;
    if (mine.length > 0) {
      throw new AppError(
        'journal_id_reused',
        409,
        `journal ${journal.journalId} already exists: a journal entry is written once, with all its transfers`,
        { field: 'journalId', details: { journalId: journal.journalId } },
      );
    }
    checkAccounts(journal, accounts, now);
    return undefined;
  });

  const fresh = journals.filter((_, i) => results[i] === undefined);
  if (fresh.length === 0) return results as JournalResult[];
  const transfers = await movingBalances(unit, async (move) => {
    for (const { planned, fields } of fresh) {
      const deltas: Deltas = new Map();
      for (const p of planned) {
        const phase = p.kind === 'pending' ? 'pending' : 'posted';
        addDelta(deltas, p.debitAccountId, 'debit', phase, p.amount);
        addDelta(deltas, p.creditAccountId, 'credit', phase, p.amount);
      }
      checkLimits(accounts, deltas, (accountId, side) => {
        const i = planned.findIndex((p) => (side === 'debit' ? p.debitAccountId : p.creditAccountId) === accountId);
        return i < 0 ? undefined : fields(i, side === 'debit' ? 'debitAccountId' : 'creditAccountId');
      });
      move(deltas);
    }
    // One insert for every fresh journal; each journal's actor is its postedBy.
    const byActor = new Map<string, Planned[]>();
    journals.forEach((j, i) => {
      if (results[i] !== undefined) return;
      const actor = requests[i]!.actor;
      const list = byActor.get(actor) ?? [];
      list.push(...j.planned);
      byActor.set(actor, list);
    });
    const inserted = new Map<string, LedgerTransfer>();
    for (const [actor, planned] of byActor) {
      for (const t of await insertTransfers(tx, planned, actor, now)) inserted.set(t.id, t);
    }
    return inserted;
  });
  journals.forEach((journal, i) => {
    if (results[i] !== undefined) return;
    const written = journal.planned.map((p) => transfers.get(p.id)!);
    results[i] = { journalId: journal.journalId, transfers: written, created: true };
    auditJournal(unit, requests[i]!, 'ledger.journal.posted', journal.journalId, {
      journalId: journal.journalId,
      postings: written.map(auditPosting),
    });
  });
  return results as JournalResult[];
}

/** The advisory locks' first key for journal ids: "LEDG". */
const JOURNAL_LOCK_SPACE = 0x4c454447;

/** Locks a journal id to the end of the transaction (a transaction-level advisory lock on its hash). */
async function lockJournalId(unit: DomainWork, journalId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${JOURNAL_LOCK_SPACE}, hashtext(${journalId}))`.execute(unit.tx);
}

/** A batch may not name a journal or a transfer twice: one by one, the second would be a repeat or a conflict. */
function refuseRepeatsWithin(journals: ValidatedJournal[]): void {
  const journalIds = new Set<string>();
  const transferIds = new Set<string>();
  for (const { journalId, planned, fields } of journals) {
    if (journalIds.has(journalId)) {
      throw new AppError('journal_id_reused', 409, `journal ${journalId} appears twice in this batch`, {
        field: 'journalId',
        details: { journalId },
      });
    }
    journalIds.add(journalId);
    planned.forEach((p, i) => {
      if (transferIds.has(p.id)) throw transferIdReused(p.id, fields(i, 'id'));
      transferIds.add(p.id);
    });
  }
}

/** A journal's audit row, into the unit's batch. */
export function auditJournal(
  unit: DomainWork,
  request: Pick<JournalRequest, 'actor' | 'reason' | 'requestId'>,
  action: string,
  journalId: string,
  after: Record<string, unknown>,
): void {
  unit.auditEntry({
    actor: request.actor,
    action,
    entityType: 'ledger_journal',
    entityId: journalId,
    after,
    reason: request.reason ?? null,
    requestId: request.requestId ?? null,
  });
}

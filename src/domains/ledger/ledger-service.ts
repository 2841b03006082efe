import type { Clock } from '../../core/clock.js';
import { AppError, conflict, notFound, validationError, type FieldIssue } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isCurrency } from '../../core/money.js';
import { appendAudit, appendAuditBatch, type AuditEntry } from '../../storage/audit/audit-log.js';
import type { Tx } from '../../storage/schema.js';
import type { BalanceBatch } from './balance-batch.js';
import { addDelta, applyDeltas, checkLimits, lockAccounts, lockLedgerWrite, type Deltas } from './ledger-balances.js';
import {
  ACCOUNT_CODE,
  ACCOUNT_CODE_RULE,
  auditPosting,
  CLIENT_ID,
  CLIENT_ID_RULE,
  INT8_MAX,
  requestHash,
  toAccount,
  toTransfer,
  type AccountRow,
  type AccountSpec,
  type JournalRequest,
  type JournalResult,
  type LedgerAccount,
  type LedgerTransfer,
  type ResolvePendingRequest,
  type ReverseJournalRequest,
  type TransferKind,
  type TransferRow,
} from './ledger-model.js';

/**
 * The double-entry ledger (docs/ledger.md). Every write runs inside the caller's transaction, locks
 * the accounts it touches in id order, moves their balance counters, inserts immutable transfers and
 * appends its audit row, so the caller's commit makes all of it durable at once — or none of it.
 *
 * Transfer ids are chosen by the client and are unique forever: sending the same request again
 * returns what the first one wrote (`created: false`) and changes nothing, which makes retries safe.
 */

export type {
  AccountBalance,
  AccountSpec,
  JournalRequest,
  JournalResult,
  LedgerAccount,
  LedgerTransfer,
  NormalSide,
  ResolvePendingRequest,
  ReverseJournalRequest,
  TransferInput,
  TransferKind,
  TrialBalanceLine,
} from './ledger-model.js';
export {
  accountBalance,
  getAccount,
  getTransfer,
  listAccounts,
  listTransfers,
  trialBalance,
  type AccountFilter,
  type TransferFilter,
} from './ledger-queries.js';

const MAX_TEXT = 200;

/** Metadata: a JSON object (no bigints, no cycles), kept as given. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return false;
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Accounts

function validateAccountSpec(spec: AccountSpec & { id?: string }): void {
  const issues: FieldIssue[] = [];
  if (spec.id !== undefined && (typeof spec.id !== 'string' || !CLIENT_ID.test(spec.id))) {
    issues.push({ field: 'id', message: CLIENT_ID_RULE });
  }
  if (typeof spec.code !== 'string' || !ACCOUNT_CODE.test(spec.code)) {
    issues.push({ field: 'code', message: ACCOUNT_CODE_RULE });
  }
  if (typeof spec.currency !== 'string' || !isCurrency(spec.currency)) {
    issues.push({ field: 'currency', message: 'must be an ISO 4217 currency code' });
  }
  if (spec.normalSide !== 'debit' && spec.normalSide !== 'credit') {
    issues.push({ field: 'normalSide', message: 'must be "debit" or "credit"' });
  }
  if (spec.debitsMustNotExceedCredits && spec.creditsMustNotExceedDebits) {
    issues.push({
      field: 'creditsMustNotExceedDebits',
      message: 'an account takes at most one of debitsMustNotExceedCredits and creditsMustNotExceedDebits',
    });
  }
  if (spec.metadata !== undefined && !isPlainObject(spec.metadata)) {
    issues.push({ field: 'metadata', message: 'must be an object' });
  }
  if (issues.length > 0) throw validationError(issues);
}

async function insertAccount(
  tx: Tx,
  spec: AccountSpec,
  id: string,
  actor: string,
  clock: Clock,
): Promise<AccountRow | undefined> {
  // DO NOTHING without a target covers both the id and (code, currency): a concurrent creator of the
  // same account waits for ours to commit and then inserts nothing.
  return tx
    .insertInto('ledger_accounts')
    .values({
      id,
      code: spec.code,
      currency: spec.currency,
      normal_side: spec.normalSide,
      debits_must_not_exceed_credits: spec.debitsMustNotExceedCredits ?? false,
      credits_must_not_exceed_debits: spec.creditsMustNotExceedDebits ?? false,
      metadata: JSON.stringify(spec.metadata ?? {}),
      created_at: clock.now(),
      created_by: actor,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

async function auditAccountCreated(tx: Tx, account: LedgerAccount, actor: string, clock: Clock): Promise<void> {
  await appendAudit(
    tx,
    {
      actor,
      action: 'ledger.account.created',
      entityType: 'ledger_account',
      entityId: account.id,
      after: {
        code: account.code,
        currency: account.currency,
        normalSide: account.normalSide,
        debitsMustNotExceedCredits: account.debitsMustNotExceedCredits,
        creditsMustNotExceedDebits: account.creditsMustNotExceedDebits,
        metadata: account.metadata,
      },
    },
    clock,
  );
}

const findByCode = (tx: Tx, code: string, currency: string) =>
  tx
    .selectFrom('ledger_accounts')
    .selectAll()
    .where('code', '=', code)
    .where('currency', '=', currency)
    .executeTakeFirst();

function sameAccount(row: AccountRow, spec: AccountSpec): LedgerAccount {
  const account = toAccount(row);
  const wanted = {
    normalSide: spec.normalSide,
    debitsMustNotExceedCredits: spec.debitsMustNotExceedCredits ?? false,
    creditsMustNotExceedDebits: spec.creditsMustNotExceedDebits ?? false,
  };
  const differs = (Object.keys(wanted) as (keyof typeof wanted)[]).filter((k) => account[k] !== wanted[k]);
  if (differs.length > 0) {
    const shown = (o: typeof wanted) => differs.map((k) => `${k}=${String(o[k])}`).join(', ');
    throw conflict(
      'account_conflict',
      `ledger account ${account.code} (${account.currency}) exists as ${account.id} with ${shown(account)}, not ${shown(wanted)}`,
      { accountId: account.id },
    );
  }
  return account;
}

/**
 * Gets the account with this (code, currency), creating it (audited) when there is none. An existing
 * account with another normal side or other balance limits is a 409 `account_conflict`: the caller's
 * chart of accounts disagrees with the books.
 */
export async function ensureAccount(tx: Tx, spec: AccountSpec, actor: string, clock: Clock): Promise<LedgerAccount> {
  const existing = await findByCode(tx, spec.code, spec.currency);
  if (existing) return sameAccount(existing, spec);
  validateAccountSpec(spec);
  await lockLedgerWrite(tx);
  const row = await insertAccount(tx, spec, newId('acc', clock.now().getTime()), actor, clock);
  if (row) {
    const account = toAccount(row);
    await auditAccountCreated(tx, account, actor, clock);
    return account;
  }
  const raced = await findByCode(tx, spec.code, spec.currency); // created meanwhile by another transaction
  if (!raced) throw new Error(`ledger account ${spec.code} (${spec.currency}) could not be created`);
  return sameAccount(raced, spec);
}

/** Creates an account (audited); 409 `account_exists` when its (code, currency) or its id is taken. */
export async function createAccount(
  tx: Tx,
  spec: AccountSpec & { id?: string },
  actor: string,
  clock: Clock,
): Promise<LedgerAccount> {
  validateAccountSpec(spec);
  const id = spec.id ?? newId('acc', clock.now().getTime());
  await lockLedgerWrite(tx);
  const row = await insertAccount(tx, spec, id, actor, clock);
  if (!row) {
    const byCode = await findByCode(tx, spec.code, spec.currency);
    throw byCode
      ? conflict('account_exists', `a ledger account ${spec.code} in ${spec.currency} already exists: ${byCode.id}`, {
          accountId: byCode.id,
        })
      : conflict('account_exists', `ledger account ${id} already exists`, { accountId: id });
  }
  const account = toAccount(row);
  await auditAccountCreated(tx, account, actor, clock);
  return account;
}

// ---------------------------------------------------------------------------------------------
// Transfers

/** A transfer about to be written: what it will be, less what the database assigns. */
type Planned = Omit<LedgerTransfer, 'seq' | 'postedAt' | 'postedBy'> & { requestHash: string };

interface PgError {
  code?: unknown;
  constraint?: unknown;
}

/** Inserts the transfers; returns them in the order given. */
async function insertTransfers(tx: Tx, planned: Planned[], postedBy: string, now: Date): Promise<LedgerTransfer[]> {
  let rows: TransferRow[];
  try {
    rows = await tx
      .insertInto('ledger_transfers')
      .values(
        planned.map((p) => ({
          id: p.id,
          journal_id: p.journalId,
          debit_account_id: p.debitAccountId,
          credit_account_id: p.creditAccountId,
          amount: p.amount,
          currency: p.currency,
          kind: p.kind,
          pending_id: p.pendingId,
          reverses_id: p.reversesId,
          expires_at: p.expiresAt,
          code: p.code,
          reference: p.reference,
          metadata: JSON.stringify(p.metadata),
          request_hash: p.requestHash,
          posted_at: now,
          posted_by: postedBy,
        })),
      )
      .returningAll()
      .execute();
  } catch (error) {
    // Only a concurrent writer that took the same id (or resolved the same pending) first gets here:
    // the account locks serialise everything else, and the checks before the insert answer it.
    const e = (error ?? {}) as PgError;
    if (e.code === '23505') {
      const message =
        e.constraint === 'ledger_transfers_pending_once'
          ? 'the pending transfer was resolved by a concurrent request'
          : e.constraint === 'ledger_transfers_reversed_once'
            ? 'the transfer was reversed by a concurrent request'
            : 'a transfer id of this request was taken by a concurrent request';
      throw new AppError('transfer_conflict', 409, message, { cause: error });
    }
    throw error;
  }
  const byId = new Map(rows.map((r) => [r.id, toTransfer(r)]));
  return planned.map((p) => byId.get(p.id)!);
}

function transferIdReused(id: string, field?: string): AppError {
  return new AppError(
    'transfer_id_reused',
    409,
    `transfer id ${id} already exists with different content: a transfer id can be used once`,
    { ...(field ? { field } : {}), details: { transferId: id } },
  );
}

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

/**
 * Posts one journal entry: all its transfers or none. Idempotent by transfer id: when every id
 * exists with the same content, the existing transfers come back with `created: false` and nothing
 * changes; an id reused with other content, or a request of which only some ids exist, is a 409
 * `transfer_id_reused`. Refusals name the field: 400 for malformed input, 422 `unknown_account`,
 * `currency_mismatch` and `balance_limit_exceeded` (an account's no-overdraft flag).
 */
export async function postJournal(tx: Tx, request: JournalRequest, clock: Clock): Promise<JournalResult> {
  const { journalId, planned, fields } = validateJournal(request);
  const now = clock.now();

  const ids = planned.map((p) => p.id);
  const readExisting = () =>
    tx
      .selectFrom('ledger_transfers')
      .selectAll()
      .where((eb) => eb.or([eb('id', 'in', ids), eb('journal_id', '=', journalId)]))
      .orderBy('seq')
      .execute();
  /** The answer when some of the ids exist (a repeat, or a refusal); undefined when none does. */
  const answerExisting = (existing: TransferRow[]): JournalResult | undefined => {
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
  };

  // Lock, then look: a concurrent request with the same ids waits here and then finds ours.
  await lockLedgerWrite(tx);
  const accounts = await lockFor(
    tx,
    request.balances,
    planned.flatMap((p) => [p.debitAccountId, p.creditAccountId]),
  );
  const existing = await readExisting();
  const repeat = answerExisting(existing);
  if (repeat) return repeat;
  if (existing.length > 0) {
    throw new AppError(
      'journal_id_reused',
      409,
      `journal ${journalId} already exists: a journal entry is written once, with all its transfers`,
      { field: 'journalId', details: { journalId } },
    );
  }

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

  const transfers = await insertTransfers(tx, planned, request.actor, now);
  await moveBalances(tx, request.balances, deltas, accounts);
  await auditJournal(tx, request, clock, 'ledger.journal.posted', journalId, {
    journalId,
    postings: transfers.map(auditPosting),
  });
  return { journalId, transfers, created: true };
}

// ---------------------------------------------------------------------------------------------
// Two-phase transfers

/** Deltas that release a hold and post `posted` of it (0 for a void or an expiry). */
function resolutionDeltas(pending: TransferRow, posted: bigint): Deltas {
  const deltas: Deltas = new Map();
  addDelta(deltas, pending.debit_account_id, 'debit', 'pending', -pending.amount);
  addDelta(deltas, pending.credit_account_id, 'credit', 'pending', -pending.amount);
  if (posted > 0n) {
    addDelta(deltas, pending.debit_account_id, 'debit', 'posted', posted);
    addDelta(deltas, pending.credit_account_id, 'credit', 'posted', posted);
  }
  return deltas;
}

function mergeDeltas(into: Deltas, from: Deltas): void {
  for (const [id, d] of from) {
    addDelta(into, id, 'debit', 'pending', d.debitsPending);
    addDelta(into, id, 'debit', 'posted', d.debitsPosted);
    addDelta(into, id, 'credit', 'pending', d.creditsPending);
    addDelta(into, id, 'credit', 'posted', d.creditsPosted);
  }
}

/** The resolution of a pending transfer, in the pending transfer's journal. */
function resolution(
  pending: TransferRow,
  id: string,
  kind: 'post_pending' | 'void_pending' | 'expire_pending',
  amount: bigint,
  hash: string,
  journalId = pending.journal_id,
): Planned {
  return {
    id,
    journalId,
    debitAccountId: pending.debit_account_id,
    creditAccountId: pending.credit_account_id,
    amount,
    currency: pending.currency,
    kind,
    pendingId: pending.id,
    reversesId: null,
    expiresAt: null,
    code: pending.code,
    reference: pending.reference,
    metadata: {},
    requestHash: hash,
  };
}

const expiryHash = (pendingId: string) => requestHash({ op: 'expire', pendingId });

/**
 * Writes the expiry of pending transfers whose accounts the caller has locked and which it has
 * checked are unresolved. The expiry's id is `<pending id>.expired` (another id if a client took that one).
 */
async function writeExpiries(
  tx: Tx,
  pendings: TransferRow[],
  accounts: Map<string, AccountRow>,
  actor: string,
  now: Date,
): Promise<LedgerTransfer[]> {
  if (pendings.length === 0) return [];
  const wanted = pendings.map((p) => `${p.id}.expired`);
  const taken = new Set(
    (await tx.selectFrom('ledger_transfers').select('id').where('id', 'in', wanted).execute()).map((r) => r.id),
  );
  const deltas: Deltas = new Map();
  const planned = pendings.map((p) => {
    mergeDeltas(deltas, resolutionDeltas(p, 0n));
    const id = taken.has(`${p.id}.expired`) ? `${p.id}.expired.${newId('exp', now.getTime())}` : `${p.id}.expired`;
    return resolution(p, id, 'expire_pending', p.amount, expiryHash(p.id));
  });
  checkLimits(accounts, deltas);
  const transfers = await insertTransfers(tx, planned, actor, now);
  await applyDeltas(tx, deltas, accounts);
  return transfers;
}

function expiryAudit(
  transfer: LedgerTransfer,
  actor: string,
  reason: string | null,
  requestId: string | null,
): AuditEntry {
  return {
    actor,
    action: 'ledger.pending.expired',
    entityType: 'ledger_transfer',
    entityId: transfer.pendingId!,
    after: auditPosting(transfer),
    reason,
    requestId,
  };
}

/**
 * Resolves a pending transfer with a new transfer `id`: `post` moves `amount` (default: all) of the
 * hold to posted and releases the rest; `void` releases all of it. The same id and request again
 * returns the first resolution (`created: false`). Refusals: 404 unknown pending, 409 `not_pending`,
 * 409 `pending_already_resolved`, 422 `amount_exceeds_pending`, and 409 `pending_expired` when its
 * `expiresAt` has passed — in that case the expiry is written first, so a caller that commits anyway
 * (the HTTP route does) releases the hold at once.
 */
export async function resolvePending(
  tx: Tx,
  request: ResolvePendingRequest,
  clock: Clock,
): Promise<{ transfer: LedgerTransfer; created: boolean }> {
  const issues: FieldIssue[] = [];
  if (typeof request.id !== 'string' || !CLIENT_ID.test(request.id))
    issues.push({ field: 'id', message: CLIENT_ID_RULE });
  if (typeof request.pendingId !== 'string' || request.pendingId.length === 0) {
    issues.push({ field: 'pendingId', message: 'must be a transfer id' });
  }
  if (request.action !== 'post' && request.action !== 'void') {
    issues.push({ field: 'action', message: 'must be "post" or "void"' });
  }
  if (request.amount !== undefined) {
    if (request.action === 'void')
      issues.push({ field: 'amount', message: 'a void releases the whole hold; send no amount' });
    else if (typeof request.amount !== 'bigint' || request.amount <= 0n) {
      issues.push({ field: 'amount', message: 'must be a positive amount in minor units' });
    }
  }
  if (issues.length > 0) throw validationError(issues);
  const now = clock.now();

  const pending = await tx
    .selectFrom('ledger_transfers')
    .selectAll()
    .where('id', '=', request.pendingId)
    .executeTakeFirst();
  if (!pending) throw notFound('ledger transfer', request.pendingId);
  if (pending.kind !== 'pending') {
    throw new AppError('not_pending', 409, `transfer ${pending.id} is ${pending.kind}, not pending`, {
      field: 'pendingId',
      details: { transferId: pending.id, kind: pending.kind },
    });
  }
  const hash = requestHash({
    op: request.action,
    pendingId: pending.id,
    amount: request.amount === undefined ? null : request.amount.toString(),
  });

  await lockLedgerWrite(tx);
  const accounts = await lockAccounts(tx, [pending.debit_account_id, pending.credit_account_id]);
  const related = await tx
    .selectFrom('ledger_transfers')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', request.id), eb('pending_id', '=', pending.id)]))
    .execute();
  const same = related.find((r) => r.id === request.id);
  if (same) {
    if (same.request_hash !== hash) throw transferIdReused(request.id, 'id');
    return { transfer: toTransfer(same), created: false };
  }
  const resolved = related.find((r) => r.pending_id === pending.id);
  if (resolved?.kind === 'expire_pending') {
    throw conflict(
      'pending_expired',
      `pending transfer ${pending.id} expired; its hold was released by ${resolved.id}`,
      {
        pendingId: pending.id,
        expiresAt: pending.expires_at?.toISOString() ?? null,
        resolvedBy: resolved.id,
      },
    );
  }
  if (resolved) {
    throw conflict(
      'pending_already_resolved',
      `pending transfer ${pending.id} was already resolved: ${resolved.kind} by ${resolved.id}`,
      { pendingId: pending.id, resolvedBy: resolved.id, resolution: resolved.kind },
    );
  }
  if (pending.expires_at && pending.expires_at.getTime() <= now.getTime()) {
    const [expiry] = await writeExpiries(tx, [pending], accounts, request.actor, now);
    await appendAudit(
      tx,
      expiryAudit(expiry!, request.actor, request.reason ?? null, request.requestId ?? null),
      clock,
    );
    throw conflict(
      'pending_expired',
      `pending transfer ${pending.id} expired at ${pending.expires_at.toISOString()}; its hold is released`,
      { pendingId: pending.id, expiresAt: pending.expires_at.toISOString(), resolvedBy: expiry!.id },
    );
  }

  const amount = request.action === 'post' ? (request.amount ?? pending.amount) : pending.amount;
  if (amount > pending.amount) {
    throw new AppError(
      'amount_exceeds_pending',
      422,
      `amount: ${amount} exceeds the pending amount ${pending.amount} of ${pending.id}`,
      { field: 'amount', details: { pendingAmount: pending.amount.toString() } },
    );
  }
  const kind = request.action === 'post' ? 'post_pending' : 'void_pending';
  const deltas = resolutionDeltas(pending, request.action === 'post' ? amount : 0n);
  checkLimits(accounts, deltas);
  const [transfer] = await insertTransfers(
    tx,
    [resolution(pending, request.id, kind, amount, hash)],
    request.actor,
    now,
  );
  await applyDeltas(tx, deltas, accounts);
  await appendAudit(
    tx,
    {
      actor: request.actor,
      action: request.action === 'post' ? 'ledger.pending.posted' : 'ledger.pending.voided',
      entityType: 'ledger_transfer',
      entityId: pending.id,
      after: auditPosting(transfer!),
      reason: request.reason ?? null,
      requestId: request.requestId ?? null,
    },
    clock,
  );
  return { transfer: transfer!, created: true };
}

const EXPIRY_BATCH = 500;

/**
 * Expires every unresolved pending transfer whose `expiresAt` is at or before the clock's now: writes
 * its `expire_pending` transfer and releases the hold. Returns how many it expired. Concurrent runs
 * split the work (`FOR NO KEY UPDATE SKIP LOCKED` on the pending rows) and re-check each pending
 * after locking its accounts, so a pending is resolved once whoever gets there first.
 */
export async function expirePendingTransfers(tx: Tx, actor: string, clock: Clock): Promise<number> {
  const now = clock.now();
  let total = 0;
  for (let round = 0; round < 10_000; round++) {
    const candidates = await tx
      .selectFrom('ledger_transfers as t')
      .selectAll('t')
      .where('t.kind', '=', 'pending')
      .where('t.expires_at', '<=', now)
      .where((eb) =>
        eb.not(eb.exists(eb.selectFrom('ledger_transfers as r').select('r.id').whereRef('r.pending_id', '=', 't.id'))),
      )
      .orderBy('t.seq')
      .limit(EXPIRY_BATCH)
      .forNoKeyUpdate()
      .skipLocked()
      .execute();
    if (candidates.length === 0) break;
    await lockLedgerWrite(tx);
    const accounts = await lockAccounts(
      tx,
      candidates.flatMap((p) => [p.debit_account_id, p.credit_account_id]),
    );
    // A resolution may have committed between the select and the account locks.
    const resolved = new Set(
      (
        await tx
          .selectFrom('ledger_transfers')
          .select('pending_id')
          .where(
            'pending_id',
            'in',
            candidates.map((p) => p.id),
          )
          .execute()
      ).map((r) => r.pending_id),
    );
    const expiring = candidates.filter((p) => !resolved.has(p.id));
    const expired = await writeExpiries(tx, expiring, accounts, actor, now);
    await appendAuditBatch(
      tx,
      expired.map((t) => expiryAudit(t, actor, null, null)),
      clock,
    );
    total += expired.length;
    if (candidates.length < EXPIRY_BATCH) break;
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Reversals

const reversalHash = (journalId: string, newJournalId: string, targetId: string, kind: TransferKind) =>
  requestHash({ op: 'reverse', journalId, newJournalId, targetId, kind });

/**
 * Reverses a journal entry with a new one, `newJournalId`: each posted and post_pending transfer of
 * the journal gets a `reversal` transfer (debit and credit swapped, `reversesId` set, id
 * `<original id>.reversal`), and each of its pending transfers still unresolved is voided (id
 * `<pending id>.reversal`). The same request again returns the reversal (`created: false`).
 * Refusals: 404 unknown journal, 409 `journal_already_reversed`, `nothing_to_reverse`,
 * `journal_id_reused`, `transfer_id_reused`, and 422 `balance_limit_exceeded` when undoing would
 * overdraw a flagged account (money already spent from it).
 */
export async function reverseJournal(tx: Tx, request: ReverseJournalRequest, clock: Clock): Promise<JournalResult> {
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
  const { journalId, newJournalId } = request;
  const now = clock.now();

  const readJournal = () =>
    tx.selectFrom('ledger_transfers').selectAll().where('journal_id', '=', journalId).orderBy('seq').execute();
  const first = await readJournal();
  if (first.length === 0) throw notFound('ledger journal', journalId);
  await lockLedgerWrite(tx);
  const accounts = await lockFor(
    tx,
    request.balances,
    first.flatMap((t) => [t.debit_account_id, t.credit_account_id]),
  );
  // Read again under the locks: a pending of the journal may have been resolved meanwhile.
  const original = await readJournal();
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
  const plannedIds = new Set(planned.map((p) => p.id));
  const taken = related.find((r) => plannedIds.has(r.id));
  if (taken) throw transferIdReused(taken.id);
  checkLimits(accounts, deltas);
  const transfers = await insertTransfers(tx, planned, request.actor, now);
  await moveBalances(tx, request.balances, deltas, accounts);
  await auditJournal(tx, request, clock, 'ledger.journal.reversed', journalId, {
    journalId: newJournalId,
    reverses: journalId,
    postings: transfers.map(auditPosting),
  });
  return { journalId: newJournalId, transfers, created: true };
}

/** A journal's audit row: into the caller's batch when it has one, else appended now. */
async function auditJournal(
  tx: Tx,
  request: Pick<JournalRequest, 'actor' | 'reason' | 'requestId' | 'audit'>,
  clock: Clock,
  action: string,
  journalId: string,
  after: Record<string, unknown>,
): Promise<void> {
  const entry: AuditEntry = {
    actor: request.actor,
    action,
    entityType: 'ledger_journal',
    entityId: journalId,
    after,
    reason: request.reason ?? null,
    requestId: request.requestId ?? null,
  };
  if (request.audit) request.audit(entry);
  else await appendAudit(tx, entry, clock);
}

/** Locks a journal's accounts: through the caller's batch when it has one (see BalanceBatch). */
function lockFor(tx: Tx, balances: BalanceBatch | undefined, ids: string[]): Promise<Map<string, AccountRow>> {
  return balances ? balances.lock(tx, ids) : lockAccounts(tx, ids);
}

async function moveBalances(
  tx: Tx,
  balances: BalanceBatch | undefined,
  deltas: Deltas,
  accounts: Map<string, AccountRow>,
): Promise<void> {
  if (balances) balances.add(deltas);
  else await applyDeltas(tx, deltas, accounts);
}

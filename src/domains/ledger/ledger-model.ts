import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Selectable } from 'kysely';
import type { NormalSide, LedgerAccountsTable, LedgerTransfersTable, TransferKind } from './tables.js';

/** The ledger's public types and the row ↔ object mapping shared by its writes and reads. */

export type { NormalSide, TransferKind } from './tables.js';

export interface AccountSpec {
  code: string;
  currency: string;
  normalSide: NormalSide;
  debitsMustNotExceedCredits?: boolean;
  creditsMustNotExceedDebits?: boolean;
  metadata?: Record<string, unknown>;
}

export interface LedgerAccount {
  id: string;
  code: string;
  currency: string;
  normalSide: NormalSide;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export interface TransferInput {
  /** Client-chosen, unique forever: sending the same id again is how a retry stays exactly-once. */
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  /** Minor units, > 0. */
  amount: bigint;
  currency: string;
  /** A hold (two-phase transfer), resolved later by resolvePending or expiry. */
  pending?: boolean;
  /** Pending only: after this time the hold can no longer be posted and is released by expiry. */
  expiresAt?: Date | null;
  code?: string | null;
  reference?: string | null;
  metadata?: Record<string, unknown>;
}

export interface LedgerTransfer {
  id: string;
  journalId: string;
  seq: bigint;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  kind: TransferKind;
  pendingId: string | null;
  reversesId: string | null;
  expiresAt: Date | null;
  code: string | null;
  reference: string | null;
  metadata: Record<string, unknown>;
  postedAt: Date;
  postedBy: string;
}

export interface JournalRequest {
  /** Default: the first transfer's id. */
  journalId?: string;
  transfers: TransferInput[];
  actor: string;
  reason?: string | null;
  requestId?: string | null;
}

export interface JournalResult {
  journalId: string;
  transfers: LedgerTransfer[];
  /** false: every transfer already existed with the same content (an idempotent repeat); nothing changed. */
  created: boolean;
}

export interface ResolvePendingRequest {
  /** Id of the resolving transfer (client-chosen, like every transfer id). */
  id: string;
  pendingId: string;
  action: 'post' | 'void';
  /** post only: at most the pending amount (default all of it); the rest is released. */
  amount?: bigint;
  actor: string;
  reason?: string | null;
  requestId?: string | null;
}

export interface ReverseJournalRequest {
  journalId: string;
  newJournalId: string;
  actor: string;
  reason?: string | null;
  requestId?: string | null;
}

export interface AccountBalance {
  accountId: string;
  currency: string;
  asOf: Date | null;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
  /** posted balance on the account's normal side */
  balance: bigint;
  /** balance minus pending holds against it */
  available: bigint;
}

export interface TrialBalanceLine {
  currency: string;
  /** Sum of posted debits over all accounts of the currency. */
  debits: bigint;
  /** Sum of posted credits; equal to `debits` in a consistent ledger. */
  credits: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

export type AccountRow = Selectable<LedgerAccountsTable>;
export type TransferRow = Selectable<LedgerTransfersTable>;

/** The largest value an int8 column holds. */
export const INT8_MAX = 9_223_372_036_854_775_807n;

/** Client-chosen ids (transfers, journals, accounts): what fits a URL path segment and a log line. */
export const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
export const CLIENT_ID_RULE =
  'must be 1-200 characters of A-Z, a-z, 0-9, ".", "_", ":" or "-", starting with a letter or digit';

/** Account codes: a chart-of-accounts name such as `assets:cash` or `liabilities:customer_credit`. */
export const ACCOUNT_CODE = /^[A-Za-z0-9][A-Za-z0-9._:/#@+-]{0,199}$/;
export const ACCOUNT_CODE_RULE =
  'must be 1-200 characters of A-Z, a-z, 0-9 and . _ : / # @ + -, starting with a letter or digit';

const asObject = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

export function toAccount(row: AccountRow): LedgerAccount {
  return {
    id: row.id,
    code: row.code,
    currency: row.currency,
    normalSide: row.normal_side,
    debitsMustNotExceedCredits: row.debits_must_not_exceed_credits,
    creditsMustNotExceedDebits: row.credits_must_not_exceed_debits,
    debitsPending: BigInt(row.debits_pending),
    debitsPosted: BigInt(row.debits_posted),
    creditsPending: BigInt(row.credits_pending),
    creditsPosted: BigInt(row.credits_posted),
    metadata: asObject(row.metadata),
    createdAt: row.created_at,
  };
}

export function toTransfer(row: TransferRow): LedgerTransfer {
  return {
    id: row.id,
    journalId: row.journal_id,
    seq: BigInt(row.seq),
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amount: BigInt(row.amount),
    currency: row.currency,
    kind: row.kind,
    pendingId: row.pending_id,
    reversesId: row.reverses_id,
    expiresAt: row.expires_at,
    code: row.code,
    reference: row.reference,
    metadata: asObject(row.metadata),
    postedAt: row.posted_at,
    postedBy: row.posted_by,
  };
}

/**
 * The balance on the account's normal side, and what is available after the holds against it:
 * pending credits reduce a debit-normal account, pending debits a credit-normal one.
 */
export function balanceOf(
  normalSide: NormalSide,
  totals: { debitsPosted: bigint; creditsPosted: bigint; debitsPending: bigint; creditsPending: bigint },
): { balance: bigint; available: bigint } {
  if (normalSide === 'debit') {
    const balance = totals.debitsPosted - totals.creditsPosted;
    return { balance, available: balance - totals.creditsPending };
  }
  const balance = totals.creditsPosted - totals.debitsPosted;
  return { balance, available: balance - totals.debitsPending };
}

/** A posting as the audit log records it: amounts as decimal strings. */
export function auditPosting(t: LedgerTransfer): Record<string, unknown> {
  return {
    id: t.id,
    kind: t.kind,
    debitAccountId: t.debitAccountId,
    creditAccountId: t.creditAccountId,
    amount: t.amount.toString(),
    currency: t.currency,
    ...(t.pendingId ? { pendingId: t.pendingId } : {}),
    ...(t.reversesId ? { reversesId: t.reversesId } : {}),
    ...(t.expiresAt ? { expiresAt: t.expiresAt.toISOString() } : {}),
    ...(t.code ? { code: t.code } : {}),
    ...(t.reference ? { reference: t.reference } : {}),
  };
}

/** sha256 of the canonical JSON (RFC 8785) of what a request asked for: the same content hashes the same. */
export function requestHash(content: Record<string, unknown>): string {
  return createHash('sha256')
    .update(canonicalize(content) ?? '')
    .digest('hex');
}

/** Longest code, reference or account id a transfer takes. */
export const MAX_TEXT = 200;

/** Metadata: a JSON object (no bigints, no cycles), kept as given. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return false;
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}

import type { Clock } from '../../core/clock.js';
import { conflict, validationError, type FieldIssue } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { isCurrency } from '../../core/money.js';
import type { Tx } from '../../storage/schema.js';
import type { DomainWork } from '../unit-of-work.js';
import {
  ACCOUNT_CODE,
  ACCOUNT_CODE_RULE,
  CLIENT_ID,
  CLIENT_ID_RULE,
  isPlainObject,
  toAccount,
  type AccountRow,
  type AccountSpec,
  type LedgerAccount,
} from './ledger-model.js';

/**
 * Ledger accounts: created once per (code, currency), audited. Creating one locks through the unit
 * of work (the new row is held to commit: see DomainWork).
 */

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

function auditAccountCreated(unit: DomainWork, account: LedgerAccount, actor: string): void {
  unit.auditEntry({
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
  });
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
export async function ensureAccount(unit: DomainWork, spec: AccountSpec, actor: string): Promise<LedgerAccount> {
  const { tx, clock } = unit;
  const existing = await findByCode(tx, spec.code, spec.currency);
  if (existing) return sameAccount(existing, spec);
  validateAccountSpec(spec);
  const row = await unit.lockRows((tx) => insertAccount(tx, spec, newId('acc', clock.now().getTime()), actor, clock));
  if (row) {
    const account = toAccount(row);
    auditAccountCreated(unit, account, actor);
    return account;
  }
  const raced = await findByCode(tx, spec.code, spec.currency); // created meanwhile by another transaction
  if (!raced) throw new Error(`ledger account ${spec.code} (${spec.currency}) could not be created`);
  return sameAccount(raced, spec);
}

/** Creates an account (audited); 409 `account_exists` when its (code, currency) or its id is taken. */
export async function createAccount(
  unit: DomainWork,
  spec: AccountSpec & { id?: string },
  actor: string,
): Promise<LedgerAccount> {
  const { tx, clock } = unit;
  validateAccountSpec(spec);
  const id = spec.id ?? newId('acc', clock.now().getTime());
  const row = await unit.lockRows((tx) => insertAccount(tx, spec, id, actor, clock));
  if (!row) {
    const byCode = await findByCode(tx, spec.code, spec.currency);
    throw byCode
      ? conflict('account_exists', `a ledger account ${spec.code} in ${spec.currency} already exists: ${byCode.id}`, {
          accountId: byCode.id,
        })
      : conflict('account_exists', `ledger account ${id} already exists`, { accountId: id });
  }
  const account = toAccount(row);
  auditAccountCreated(unit, account, actor);
  return account;
}

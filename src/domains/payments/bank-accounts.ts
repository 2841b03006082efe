import { AppError, conflict, notFound, refusedField } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Queryable } from '../../storage/schema.js';
import { ensureAccount } from '../ledger/accounts.js';
import type { DomainWork } from '../unit-of-work.js';
import { normaliseBankDetails, type BankDetailsInput } from './bank-details.js';
import type { BankAccountRow } from './tables.js';
import { knownCalendar } from './value-dates.js';

/**
 * The organisation's own bank accounts — the debtor side of every payment. Each is tied to a ledger
 * cash account (created when absent, debit-normal), where approved payments hold their amount, and
 * says which pain.001 version its bank takes.
 */

export const PAIN001_VERSIONS = ['pain.001.001.03', 'pain.001.001.09', 'pain.001.001.10'] as const;
export const BANK_ACCOUNT_STATUSES = ['active', 'closed'] as const;

export interface BankAccountInput extends BankDetailsInput {
  name: string;
  currency: string;
  ownerName: string;
  ledgerAccount: string;
  pain001Version?: (typeof PAIN001_VERSIONS)[number] | undefined;
  /** The engine business calendar the bank keeps; absent: Monday to Friday. */
  calendar?: string | undefined;
  /** 'HH:MM' in the calendar's zone (UTC without one) after which today is no longer a value date. */
  cutOffTime?: string | undefined;
}

/** What can change on an account: its value dates and its file version (a field left out stays). */
export interface BankAccountUpdate {
  calendar?: string | null | undefined;
  cutOffTime?: string | null | undefined;
  pain001Version?: (typeof PAIN001_VERSIONS)[number] | undefined;
}

export async function createBankAccount(unit: DomainWork, input: BankAccountInput, createdBy: string) {
  const details = normaliseBankDetails(input);
  if (input.calendar !== undefined) await knownCalendar(unit.tx, input.calendar);
  const duplicate = await unit.tx
    .selectFrom('bank_accounts')
    .select('id')
    .where('currency', '=', input.currency)
    .where((eb) =>
      details.iban
        ? eb('iban', '=', details.iban)
        : eb.and([
            eb('iban', 'is', null),
            eb('country', '=', details.country),
            eb('bank_code', '=', details.bankCode),
            eb('account_number', '=', details.accountNumber),
          ]),
    )
    .executeTakeFirst();
  if (duplicate) {
    throw conflict(
      'bank_account_exists',
      `bank account ${duplicate.id} already holds this account in ${input.currency}`,
      {
        bankAccountId: duplicate.id,
      },
    );
  }
  const ledger = await ensureAccount(
    unit,
    { code: input.ledgerAccount, currency: input.currency, normalSide: 'debit' },
    unit.actor,
  ).catch((error: unknown) => {
    // The chart of accounts has this code with another side or limits: the caller chose the wrong account.
    if (error instanceof AppError && error.code === 'account_conflict') {
      throw new AppError('account_conflict', 409, `body.ledgerAccount: ${error.message}`, {
        field: 'body.ledgerAccount',
        ...(error.details ? { details: error.details } : {}),
      });
    }
    throw error;
  });
  const now = unit.clock.now();
  const row = await unit.tx
    .insertInto('bank_accounts')
    .values({
      id: newId('bac', now.getTime()),
      name: input.name,
      currency: input.currency,
      iban: details.iban,
      account_number: details.accountNumber,
      bank_code: details.bankCode,
      bic: details.bic,
      country: details.country,
      owner_name: input.ownerName,
      ledger_account: input.ledgerAccount,
      ledger_account_id: ledger.id,
      pain001_version: input.pain001Version ?? 'pain.001.001.09',
      calendar: input.calendar ?? null,
      cut_off_time: input.cutOffTime ?? null,
      status: 'active',
      created_by: createdBy,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const account = presentBankAccount(row);
  unit.audit({
    action: 'bank_account.created',
    entityType: 'bank_account',
    entityId: row.id,
    before: null,
    after: account,
  });
  return account;
}

export function presentBankAccount(row: BankAccountRow) {
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    iban: row.iban,
    accountNumber: row.account_number,
    bankCode: row.bank_code,
    bic: row.bic,
    country: row.country,
    ownerName: row.owner_name,
    ledgerAccount: row.ledger_account,
    ledgerAccountId: row.ledger_account_id,
    pain001Version: row.pain001_version,
    calendar: row.calendar,
    cutOffTime: row.cut_off_time,
    status: row.status as (typeof BANK_ACCOUNT_STATUSES)[number],
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
export type BankAccount = ReturnType<typeof presentBankAccount>;

export async function getBankAccount(db: Queryable, id: string): Promise<BankAccount> {
  const row = await db.selectFrom('bank_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('bank account', id);
  return presentBankAccount(row);
}

/**
 * Changes an account's value-date settings or file version, audited with before and after. The
 * payments already approved keep their requested dates; batching and release judge them by the
 * account's calendar as it is then (docs/payments.md, Value dates and bank holidays).
 */
export async function updateBankAccount(unit: DomainWork, id: string, update: BankAccountUpdate): Promise<BankAccount> {
  const row = await unit.tx.selectFrom('bank_accounts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('bank account', id);
  if (update.calendar !== undefined && update.calendar !== null) await knownCalendar(unit.tx, update.calendar);
  const changes = {
    ...(update.calendar !== undefined ? { calendar: update.calendar } : {}),
    ...(update.cutOffTime !== undefined ? { cut_off_time: update.cutOffTime } : {}),
    ...(update.pain001Version !== undefined ? { pain001_version: update.pain001Version } : {}),
  };
  const before = presentBankAccount(row);
  if (Object.entries(changes).every(([column, value]) => row[column as keyof typeof changes] === value)) return before;
  const updated = await unit.tx
    .updateTable('bank_accounts')
    .set({ ...changes, updated_at: unit.clock.now() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const after = presentBankAccount(updated);
  unit.audit({ action: 'bank_account.updated', entityType: 'bank_account', entityId: id, before, after });
  return after;
}

/** The debtor account a payment names in its body: 422 naming the field when unknown or closed. */
export async function payingAccount(db: Queryable, id: string): Promise<BankAccountRow> {
  const row = await db.selectFrom('bank_accounts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw refusedField('bankAccountId', `bank account ${id} does not exist`);
  if (row.status !== 'active') throw refusedField('bankAccountId', `bank account ${id} is ${row.status}`);
  return row;
}

/**
 * The only active account in a currency, for what does not name its debtor account (payables,
 * loan payouts): none or several is 422 naming `bankAccountId`, with `why` saying what it was for,
 * since guessing which account pays is not ours to do.
 */
export async function onlyActiveAccount(db: Queryable, currency: string, why: string): Promise<BankAccountRow> {
  const active = await db
    .selectFrom('bank_accounts')
    .selectAll()
    .where('currency', '=', currency)
    .where('status', '=', 'active')
    .orderBy('id')
    .limit(2)
    .execute();
  if (active.length !== 1) {
    throw refusedField(
      'bankAccountId',
      active.length === 0
        ? `there is no active bank account in ${currency} to ${why}`
        : `there are several active bank accounts in ${currency}: name the one to ${why}`,
    );
  }
  return active[0]!;
}

export interface BankAccountFilter {
  currency?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Oldest first, paged by id. */
export async function listBankAccounts(db: Queryable, filter: BankAccountFilter): Promise<BankAccount[]> {
  let query = db.selectFrom('bank_accounts').selectAll().orderBy('id').limit(filter.limit);
  if (filter.currency) query = query.where('currency', '=', filter.currency);
  if (filter.after) query = query.where('id', '>', filter.after);
  return (await query.execute()).map(presentBankAccount);
}

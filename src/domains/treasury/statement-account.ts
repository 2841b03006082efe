import { sql } from 'kysely';
import { AppError } from '../../core/errors.js';
import type { StatementHeader } from '../../adapters/bank-statements/index.js';
import type { Queryable } from '../../storage/schema.js';

/**
 * The bank account a statement is for, found from the file itself: its IBAN, or its local account
 * number (MT940's `BLZ/account` too), with its currency when the file gives one. A statement for an
 * account finflow does not know is refused (422 naming the account), and with it the whole file.
 */
export interface StatementAccountMatch {
  id: string;
  currency: string;
}

const compact = (value: string) => value.replace(/\s+/g, '').toUpperCase();

export async function statementAccount(db: Queryable, header: StatementHeader): Promise<StatementAccountMatch> {
  const { iban, otherId, currency } = header.account;
  const named = iban ? `IBAN ${compact(iban)}` : otherId ? `account ${otherId}` : null;
  if (!named) {
    throw new AppError('statement_account_missing', 422, `${header.path}: the statement names no account`, {
      field: 'body',
    });
  }
  let query = db.selectFrom('bank_accounts').select(['id', 'currency']);
  if (iban) {
    query = query.where('iban', '=', compact(iban));
  } else {
    const local = otherId!.trim();
    query = query.where(sql<boolean>`(account_number = ${local} OR (bank_code || '/' || account_number) = ${local})`);
  }
  if (currency) query = query.where('currency', '=', currency);
  const found = await query.orderBy('id').limit(2).execute();
  const inCurrency = currency ? ` in ${currency}` : '';
  if (found.length === 0) {
    throw new AppError(
      'unknown_bank_account',
      422,
      `${header.path}: no bank account with ${named}${inCurrency}; nothing imported`,
      {
        field: 'body',
        details: { account: header.account },
      },
    );
  }
  if (found.length > 1) {
    throw new AppError(
      'ambiguous_bank_account',
      422,
      `${header.path}: ${named} is held in several currencies and the statement names none; nothing imported`,
      { field: 'body' },
    );
  }
  return found[0]!;
}

import type { Selectable } from 'kysely';
import {
  createBankConnector,
  parseBankConnectorConfig,
  type BankConnector,
  type BankConnectorConfig,
} from '../../adapters/bank-connectors/index.js';
import { AppError, notFound, validationError } from '../../core/errors.js';
import type { DomainContext } from '../contract.js';
import type { DomainWork } from '../unit-of-work.js';
import type { BankAccountsTable } from './tables.js';

/**
 * A bank account's connection: how its payment files go out and its statements and status reports
 * come in (docs/bank-connectors.md). SFTP or HTTP, set by someone with bankaccounts:manage; an
 * account without one uses the bank-outbox folder of the data directory.
 *
 * Secrets stay out of the database: the private key, its passphrase, a bearer token or an HMAC secret
 * are written as `{"secret": "NAME"}` and read from finflow's secrets (FINFLOW_SECRET_NAME or the
 * secrets file) each time the connection is opened, so rotating a key needs no change here.
 */

/** The fields that hold a secret, by connector kind (dotted paths into the settings). */
const SECRET_FIELDS: Record<string, string[]> = {
  sftp: ['privateKey', 'passphrase'],
  http: ['bearerToken', 'hmac.secret'],
};
const KINDS = Object.keys(SECRET_FIELDS);

type Json = Record<string, unknown>;

function at(settings: Json, dotted: string): unknown {
  return dotted
    .split('.')
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Json)[k] : undefined), settings);
}

function put(settings: Json, dotted: string, value: unknown): Json {
  const keys = dotted.split('.');
  const copy: Json = { ...settings };
  let node = copy;
  for (const key of keys.slice(0, -1)) {
    node[key] = { ...(node[key] as Json) };
    node = node[key] as Json;
  }
  node[keys[keys.length - 1]!] = value;
  return copy;
}

const isReference = (v: unknown): v is { secret: string } =>
  !!v && typeof v === 'object' && Object.keys(v).length === 1 && typeof (v as Json).secret === 'string';

/**
 * Checks a connection as sent (400 naming the field): a kind finflow connects over, every secret a
 * reference to a secret that exists, and the rest valid for the connector. Returns what is stored.
 */
export function checkConnection(input: unknown, context: DomainContext, field = 'body'): Json {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw validationError([{ field, message: 'must be an object' }]);
  }
  const settings = input as Json;
  const kind = settings.kind;
  if (typeof kind !== 'string' || !KINDS.includes(kind)) {
    throw validationError([
      {
        field: `${field}.kind`,
        message: `must be one of ${KINDS.join(', ')} (without a connection, files go to the bank-outbox folder)`,
      },
    ]);
  }
  for (const name of SECRET_FIELDS[kind]!) {
    const value = at(settings, name);
    if (value === undefined) continue;
    if (!isReference(value)) {
      throw validationError([
        {
          field: `${field}.${name}`,
          message: 'must name a secret, {"secret": "NAME"}: keys and tokens are never stored in the database',
        },
      ]);
    }
  }
  resolve(settings, context, field);
  return settings;
}

/** The connector settings with each secret reference replaced by its value (for the adapter only). */
function resolve(settings: Json, context: DomainContext, field: string): BankConnectorConfig {
  let resolved = settings;
  for (const name of SECRET_FIELDS[String(settings.kind)] ?? []) {
    const value = at(settings, name);
    if (!isReference(value)) continue;
    const secret = context.secrets?.get(value.secret);
    if (secret === undefined) {
      throw new AppError(
        'secret_missing',
        422,
        `secret ${value.secret} is not set (FINFLOW_SECRET_${value.secret.toUpperCase()} or the secrets file)`,
        {
          field: `${field}.${name}.secret`,
        },
      );
    }
    resolved = put(resolved, name, secret);
  }
  return parseBankConnectorConfig(resolved, field);
}

export async function setBankConnection(unit: DomainWork, bankAccountId: string, settings: Json | null) {
  const before = await unit.tx
    .selectFrom('bank_accounts')
    .select(['id', 'connection'])
    .where('id', '=', bankAccountId)
    .forUpdate()
    .executeTakeFirst();
  if (!before) throw notFound('bank account', bankAccountId);
  await unit.tx
    .updateTable('bank_accounts')
    .set({ connection: settings === null ? null : JSON.stringify(settings), updated_at: unit.clock.now() })
    .where('id', '=', bankAccountId)
    .execute();
  unit.audit({
    action: 'bank_account.connection_set',
    entityType: 'bank_account',
    entityId: bankAccountId,
    before: { connection: before.connection ?? null },
    after: { connection: settings },
  });
  return { bankAccountId, connection: settings };
}

/** The account's connector, opened with its secrets; null when the account has no connection. */
export function connectorOf(
  row: Pick<Selectable<BankAccountsTable>, 'id' | 'connection'>,
  context: DomainContext,
): BankConnector | null {
  if (!row.connection) return null;
  const config = resolve(row.connection as Json, context, `bank account ${row.id} connection`);
  return createBankConnector(config, { clock: context.clock });
}

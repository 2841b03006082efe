import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { systemClock } from '../core/clock.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { AuditedUnit } from '../storage/audit/audited-unit.js';
import type { Database } from '../storage/database.js';
import type { Timestamp } from '../storage/schema.js';
import type { Principal } from './principal.js';
import { isRole, ROLES, type Role } from './roles.js';

declare module '../storage/schema.js' {
  interface Tables {
    api_keys: ApiKeysTable;
  }
}

export interface ApiKeysTable {
  id: string;
  name: string;
  role: string;
  secret_hash: string;
  created_at: Timestamp;
  created_by: string;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  revoked_by: string | null;
  owner_user_id: string | null;
}

/** An API key as shown to people: never its secret. */
export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  /** The user the key acts for, or null for a system key. */
  owner: string | null;
  createdAt: Date;
  createdBy: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreatedApiKey extends ApiKey {
  /** The bearer token. Shown once; only its SHA-256 is stored. */
  token: string;
}

/**
 * Tokens look like `ff_key_01J…_<43 chars>`: the `ff_` prefix lets secret scanners spot a leaked
 * key, the key id lets us find the row without scanning, and 256 random bits make the secret
 * unguessable — which is also why a plain SHA-256 is the right hash here (a slow password hash buys
 * nothing against a search space of 2^256, and would cost every request).
 */
const TOKEN = /^ff_(key_[0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$/;
const LAST_USED_RESOLUTION_MS = 60_000;

const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export interface CreateApiKeyInput {
  name: string;
  role: string;
  /** A user (id or email) the key acts for; its role must be one the user holds. */
  owner?: string | undefined;
  actor: string;
  requestId?: string | undefined;
  /** Prefix of the field names in errors: `body.` over HTTP, none for the CLI. */
  fieldPrefix?: string | undefined;
}

export async function createApiKey(
  database: Database,
  input: CreateApiKeyInput,
  clock: Clock = systemClock,
): Promise<CreatedApiKey> {
  const at = (field: string) => `${input.fieldPrefix ?? ''}${field}`;
  const name = input.name.trim();
  if (name.length === 0 || name.length > 100) {
    throw new AppError('validation_failed', 400, 'name must be 1 to 100 characters', { field: at('name') });
  }
  // A system key works under its name; one named like a user id could take that user's tasks.
  if (name.startsWith('usr_')) {
    throw new AppError('validation_failed', 400, 'name must not start with "usr_"', { field: at('name') });
  }
  if (!isRole(input.role)) {
    throw new AppError('validation_failed', 400, `role must be one of ${ROLES.join(', ')} (got "${input.role}")`, {
      field: at('role'),
    });
  }
  const owner = input.owner === undefined ? null : await keyOwner(database, input.owner, input.role, at('owner'));
  const now = clock.now();
  const id = newId('key', now.getTime());
  const secret = randomBytes(32).toString('base64url');
  const row = {
    id,
    name,
    role: input.role,
    secret_hash: hashSecret(secret),
    created_at: now,
    created_by: input.actor,
    last_used_at: null,
    revoked_at: null,
    revoked_by: null,
    owner_user_id: owner,
  };
  await AuditedUnit.run(database, input, clock, async (unit) => {
    await unit.tx.insertInto('api_keys').values(row).execute();
    unit.audit({
      action: 'apikey.created',
      entityType: 'api_key',
      entityId: id,
      after: { name, role: input.role, owner },
    });
  });
  return { ...toApiKey(row), token: `ff_${id}_${secret}` };
}

/** The owner a key may act for: an active user holding the key's role (a key never adds power). */
async function keyOwner(database: Database, owner: string, role: Role, field: string): Promise<string> {
  const key = owner.trim();
  const row = await database.db
    .selectFrom('users')
    .select(['id', 'status'])
    .where(key.startsWith('usr_') ? 'id' : 'email', '=', key.startsWith('usr_') ? key : key.toLowerCase())
    .executeTakeFirst();
  if (!row) throw new AppError('validation_failed', 400, `no user ${owner}`, { field });
  if (row.status !== 'active') throw new AppError('validation_failed', 400, `user ${row.id} is disabled`, { field });
  const holds = await database.db
    .selectFrom('user_roles')
    .select('role')
    .where('user_id', '=', row.id)
    .where('role', '=', role)
    .executeTakeFirst();
  if (!holds) {
    throw new AppError('validation_failed', 400, `user ${row.id} does not hold the role ${role}`, { field });
  }
  return row.id;
}

/**
 * Keys oldest first (ids sort by creation), a page at a time: after the id `after`, at most `limit`
 * (the primary key's index serves both); every key without a limit (the CLI's list).
 */
export async function listApiKeys(
  database: Database,
  page: { after?: string | undefined; limit?: number | undefined } = {},
): Promise<ApiKey[]> {
  let query = database.db.selectFrom('api_keys').selectAll().orderBy('id');
  if (page.after !== undefined) query = query.where('id', '>', page.after);
  if (page.limit !== undefined) query = query.limit(page.limit);
  return (await query.execute()).map(toApiKey);
}

export async function countActiveApiKeys(database: Database): Promise<number> {
  const row = await database.db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<bigint>().as('n'))
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function revokeApiKey(
  database: Database,
  input: { id: string; actor: string; reason?: string | undefined; requestId?: string | undefined },
  clock: Clock = systemClock,
): Promise<ApiKey> {
  revocations += 1;
  keyCache.delete(input.id);
  return AuditedUnit.run(database, input, clock, async (unit) => {
    const row = await unit.tx
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', input.id)
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound('api key', input.id);
    if (row.revoked_at) return toApiKey(row); // revoking twice is a no-op, not an error
    const now = clock.now();
    await unit.tx
      .updateTable('api_keys')
      .set({ revoked_at: now, revoked_by: input.actor })
      .where('id', '=', input.id)
      .execute();
    unit.audit({
      action: 'apikey.revoked',
      entityType: 'api_key',
      entityId: input.id,
      before: { revokedAt: null },
      after: { revokedAt: now.toISOString() },
      reason: input.reason ?? null,
    });
    return toApiKey({ ...row, revoked_at: now });
  }).finally(() => {
    revocations += 1;
    keyCache.delete(input.id);
  });
}

/**
 * How long a resolved key is trusted without asking the database again. A key revoked through this
 * process is refused at once (revokeApiKey drops it); one revoked by another process sharing the
 * PostgreSQL server (a second server, the CLI) is refused by this one within this time.
 */
export const API_KEY_CACHE_TTL_MS = 5_000;
const API_KEY_CACHE_MAX = 10_000;

interface CachedKey {
  /** The database the key was read from: a cache entry never answers for another database. */
  db: unknown;
  principal: Principal;
  secretHash: Buffer;
  lastUsedAt: number;
  expiresAt: number;
}

/** Resolved keys by id; the secret is still checked against the stored hash on every request. */
const keyCache = new Map<string, CachedKey>();
/** Bumped by every revocation: a key read before one is used for that request but not cached. */
let revocations = 0;

/** Forgets every cached key (tests; a revocation of unknown scope). */
export function clearApiKeyCache(): void {
  revocations += 1;
  keyCache.clear();
}

/** Resolves a bearer token to its principal, or null when it is unknown, wrong or revoked. */
export async function authenticateApiKey(
  database: Database,
  token: string,
  clock: Clock = systemClock,
): Promise<Principal | null> {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const [, id, secret] = match as unknown as [string, string, string];
  const actual = Buffer.from(hashSecret(secret), 'hex');
  const now = clock.now();
  const wallNow = Date.now();
  let cached = keyCache.get(id);
  if (!cached || cached.db !== database.db || cached.expiresAt <= wallNow) {
    keyCache.delete(id);
    const generation = revocations;
    const row = await database.db
      .selectFrom('api_keys')
      .selectAll('api_keys')
      // An owned key works while its owner is active and still holds the key's role.
      .select((eb) =>
        eb
          .exists(
            eb
              .selectFrom('users')
              .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
              .select('users.id')
              .whereRef('users.id', '=', 'api_keys.owner_user_id')
              .whereRef('user_roles.role', '=', 'api_keys.role')
              .where('users.status', '=', 'active'),
          )
          .as('owner_may'),
      )
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null || !isRole(row.role)) return null;
    if (row.owner_user_id !== null && !row.owner_may) return null;
    cached = {
      db: database.db,
      principal: {
        kind: 'key',
        id: row.id,
        name: row.name,
        roles: [row.role],
        worksAs: row.owner_user_id ?? row.name,
      },
      secretHash: Buffer.from(row.secret_hash, 'hex'),
      lastUsedAt: row.last_used_at ? row.last_used_at.getTime() : Number.NEGATIVE_INFINITY,
      expiresAt: wallNow + API_KEY_CACHE_TTL_MS,
    };
    // Only a key whose secret matched is kept, so unknown tokens cannot fill the cache.
    if (cached.secretHash.length !== actual.length || !timingSafeEqual(cached.secretHash, actual)) return null;
    if (keyCache.size >= API_KEY_CACHE_MAX) keyCache.clear();
    if (generation === revocations) keyCache.set(id, cached);
  } else if (cached.secretHash.length !== actual.length || !timingSafeEqual(cached.secretHash, actual)) {
    return null;
  }

  // Usage is recorded at minute resolution so that reads do not turn every request into a write.
  if (now.getTime() - cached.lastUsedAt > LAST_USED_RESOLUTION_MS) {
    cached.lastUsedAt = now.getTime();
    await database.db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', id).execute();
  }
  return cached.principal;
}

function toApiKey(row: {
  id: string;
  name: string;
  role: string;
  created_at: Date | string;
  created_by: string;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
  owner_user_id: string | null;
}): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    owner: row.owner_user_id,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  };
}

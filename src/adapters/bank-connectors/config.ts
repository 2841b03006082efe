import path from 'node:path';
import ssh2 from 'ssh2';
import { z } from 'zod';
import { validationError, type FieldIssue } from '../../core/errors.js';
import { normalizeFingerprint } from './host-key.js';

/**
 * The configuration of a bank connector: a discriminated union on `kind`, checked with zod so a bad
 * configuration is one 400 naming each field (`config.hostKeyFingerprint: …`), never a failure at the
 * first delivery. Secrets (the private key, the bearer token, the HMAC secret) are never echoed.
 */

const MiB = 1024 * 1024;

const retrySchema = z
  .strictObject({
    attempts: z.number().int().min(1).max(20).default(5),
    initialDelayMs: z.number().int().min(0).max(60_000).default(500),
    maxDelayMs: z.number().int().min(0).max(600_000).default(30_000),
  })
  .prefault({});

/** Inbound files are handed over whole, in memory; a larger one is left in place and reported. */
const maxFileBytes = z
  .number()
  .int()
  .min(1)
  .max(1024 * MiB)
  .default(256 * MiB);

const localFolder = z
  .string()
  .min(1, 'is required')
  .refine((p) => path.isAbsolute(p), 'must be an absolute path')
  .refine((p) => !p.includes('\0'), 'must not contain NUL');

const remoteFolder = z
  .string()
  .min(1, 'is required')
  .refine((p) => !p.includes('\0'), 'must not contain NUL');

const folderSchema = z.strictObject({
  kind: z.literal('folder'),
  /** finflow drops files here for the bank. */
  outbox: localFolder,
  /** The bank drops files here for finflow. */
  inbox: localFolder,
  /** finflow moves inbound files here once handled. */
  archive: localFolder,
  /** Where the bank (or its transfer agent) moves files it took from the outbox; checked by name before sending. */
  outboxArchive: localFolder.optional(),
  maxFileBytes,
});

const sftpSchema = z.strictObject({
  kind: z.literal('sftp'),
  host: z
    .string()
    .min(1, 'is required')
    .max(253)
    .regex(/^[^\s/@]+$/, 'must be a host name or address, without user, port or path'),
  port: z.number().int().min(1).max(65_535).default(22),
  username: z.string().min(1, 'is required').max(255),
  /** The client key, OpenSSH (`-----BEGIN OPENSSH PRIVATE KEY-----`) or PEM (RSA, EC). Key-only login: no passwords. */
  privateKey: z.string().min(1, 'is required'),
  /** Only for an encrypted private key. */
  passphrase: z.string().min(1).optional(),
  /** The bank's host key as `ssh-keygen -lf` prints it: `SHA256:` + base64. Mandatory: the server is pinned. */
  hostKeyFingerprint: z.string().transform((value, ctx) => {
    const normalized = normalizeFingerprint(value);
    if (!normalized) {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be a SHA-256 fingerprint as ssh-keygen -lf prints it, e.g. SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
      });
      return z.NEVER;
    }
    return normalized;
  }),
  outbox: remoteFolder,
  inbox: remoteFolder,
  archive: remoteFolder,
  outboxArchive: remoteFolder.optional(),
  /** Connect, handshake and login must finish within this time. */
  connectTimeoutMs: z.number().int().min(1_000).max(300_000).default(20_000),
  retry: retrySchema,
  maxFileBytes,
});

const httpUrl = z.string().min(1, 'is required');

const httpSchema = z.strictObject({
  kind: z.literal('http'),
  /** Each file is POSTed here. */
  deliverUrl: httpUrl,
  /** GET answers the inbound files as JSON `[{ "name": …, "url": … }]`. */
  listUrl: httpUrl,
  bearerToken: z.string().min(1).optional(),
  hmac: z
    .strictObject({
      secret: z.string().min(32, 'must be at least 32 characters'),
      header: z
        .string()
        .regex(/^[A-Za-z0-9-]+$/, 'must be a header name')
        .default('X-Signature'),
    })
    .optional(),
  contentType: z.string().min(1).default('application/xml'),
  requestTimeoutMs: z.number().int().min(1_000).max(600_000).default(60_000),
  /** Plain http:// is refused unless this is set (a test bank, a local gateway). */
  allowHttp: z.boolean().default(false),
  retry: retrySchema,
  maxFileBytes,
});

export type FolderConnectorConfig = z.output<typeof folderSchema>;
export type SftpConnectorConfig = z.output<typeof sftpSchema>;
export type HttpConnectorConfig = z.output<typeof httpSchema>;
export type BankConnectorConfig = FolderConnectorConfig | SftpConnectorConfig | HttpConnectorConfig;
/** What a caller writes: defaults may be left out. */
export type BankConnectorConfigInput =
  z.input<typeof folderSchema> | z.input<typeof sftpSchema> | z.input<typeof httpSchema>;

const SCHEMAS = { folder: folderSchema, sftp: sftpSchema, http: httpSchema } as const;
const KINDS = Object.keys(SCHEMAS) as (keyof typeof SCHEMAS)[];

/**
 * Validates a connector configuration; throws a 400 `validation_failed` listing every problem with its
 * field, prefixed by `field` (where the caller keeps the configuration, e.g. `body.connector`).
 */
export function parseBankConnectorConfig(raw: unknown, field = 'config'): BankConnectorConfig {
  const at = (...keys: (string | number)[]): string => [field, ...keys].join('.');
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw validationError([{ field, message: 'must be an object' }]);
  }
  const kind = (raw as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !KINDS.includes(kind as never)) {
    throw validationError([{ field: at('kind'), message: `must be one of ${KINDS.join(', ')}` }]);
  }
  const result = SCHEMAS[kind as keyof typeof SCHEMAS].safeParse(raw);
  const issues: FieldIssue[] = result.success
    ? []
    : result.error.issues.flatMap((issue): FieldIssue[] =>
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({ field: at(...issue.path.map(String), key), message: unknownKeyMessage(key) }))
          : [{ field: at(...issue.path.map(String)), message: issue.message }],
      );
  if (result.success) issues.push(...semanticIssues(result.data).map((i) => ({ ...i, field: at(i.field) })));
  if (issues.length > 0 || !result.success) throw validationError(issues);
  return result.data;
}

function unknownKeyMessage(key: string): string {
  return key === 'password'
    ? 'password login is not supported: the SFTP connector logs in with privateKey only'
    : 'is not a known field';
}

/** What the schemas cannot say field by field: folders that must differ, keys that must parse, URLs. */
function semanticIssues(config: BankConnectorConfig): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (config.kind === 'folder' || config.kind === 'sftp') {
    const normalize = (p: string): string =>
      config.kind === 'folder' ? path.resolve(p) : path.posix.normalize(p + '/');
    const seen = new Map<string, string>();
    for (const key of ['outbox', 'inbox', 'archive', 'outboxArchive'] as const) {
      const value = config[key];
      if (value === undefined) continue;
      const other = seen.get(normalize(value));
      // One folder for two purposes would archive what was just delivered, or hand back our own files.
      if (other) issues.push({ field: key, message: `must differ from ${other}` });
      else seen.set(normalize(value), key);
    }
  }
  if (config.kind === 'sftp') {
    const problem = privateKeyProblem(config.privateKey, config.passphrase);
    if (problem) issues.push({ field: 'privateKey', message: problem });
  }
  if (config.kind === 'http') {
    for (const key of ['deliverUrl', 'listUrl'] as const) {
      const problem = urlProblem(config[key], config.allowHttp);
      if (problem) issues.push({ field: key, message: problem });
    }
  }
  return issues;
}

function privateKeyProblem(key: string, passphrase: string | undefined): string | undefined {
  if (/^\s*-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(key) || /^\s*-----BEGIN PRIVATE KEY-----/.test(key)) {
    return 'PKCS#8 keys are not read: use the OpenSSH format (ssh-keygen -p -f KEY converts one) or PEM RSA/EC';
  }
  const parsed = ssh2.utils.parseKey(key.trim(), passphrase);
  const first = Array.isArray(parsed) ? (parsed[0] as unknown) : parsed;
  if (first instanceof Error) {
    return /encrypted|passphrase/i.test(first.message)
      ? 'is encrypted: give its passphrase, or a key without one'
      : 'is not a private key ssh2 can read (OpenSSH, or PEM RSA/EC)';
  }
  if (!first || !(first as ssh2.ParsedKey).isPrivateKey()) return 'is a public key: give the private key';
  return undefined;
}

function urlProblem(value: string, allowHttp: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    return allowHttp ? 'must be an http: or https: URL' : 'must be an https: URL (set allowHttp for plain http)';
  }
  if (url.username || url.password) return 'must not carry credentials: use bearerToken';
  return undefined;
}

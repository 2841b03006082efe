import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { allowEntryProblem } from '../net/outbound-policy.js';

/**
 * Settings come from an optional `finflow.config.(json|yaml|yml)` file and from environment
 * variables; the environment wins. Everything is validated at start-up, and a bad value is reported
 * with the name the user wrote it under (the variable, or the file and key).
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  on: true,
  off: false,
};

/** true/false, 1/0 or on/off (any case), as a boolean or a string: env values are always strings. */
const booleanSetting = z.preprocess(
  (value) =>
    typeof value === 'string' || typeof value === 'number'
      ? (BOOLEAN_WORDS[String(value).trim().toLowerCase()] ?? value)
      : value,
  z.boolean({ error: 'must be true/false, 1/0 or on/off' }),
);

/** One comma-separated string is a list (the environment's only way to say one). */
const commaList = (value: unknown): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
    : value;

/** A list of strings, or one comma-separated string. */
const listSetting = z.preprocess(
  commaList,
  z.array(z.string().min(1), { error: 'must be a list of module paths (comma-separated in the environment)' }),
);

/** An object, or its JSON text (the environment's only way to say one). */
const jsonSetting = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  },
  z.record(z.string(), z.unknown(), { error: 'must be an object (JSON text in the environment)' }),
);

/** Hosts outbound requests may reach although not public: addresses, CIDRs, host names (`*.` for subdomains). */
const outboundAllowSetting = z.preprocess(
  commaList,
  z
    .array(z.string().min(1), {
      error: 'must be a list of addresses, CIDRs or host names (comma-separated in the environment)',
    })
    .superRefine((entries, ctx) => {
      for (const entry of entries) {
        const problem = allowEntryProblem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }
    }),
);

const configSchema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(3000),
  dataDir: z.string().min(1).default('.finflow-data'),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /** `auto`: human-readable lines on a terminal, JSON lines otherwise (files, log shippers). */
  logFormat: z.enum(LOG_FORMATS).default('auto'),
  shutdownTimeoutMs: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Run an engine worker inside `finflow serve`. */
  worker: booleanSetting.default(true),
  /** Claim loops of each worker; always 1 on embedded PGlite (one connection). */
  /** Unset: 4 claim loops on PostgreSQL, 1 on PGlite (see workerConcurrency() in server.ts). */
  workerConcurrency: z.coerce.number().int().min(1).max(64).optional(),
  /** Connections of each process to a PostgreSQL server (embedded PGlite has one). */
  databasePoolSize: z.coerce.number().int().min(1).max(500).default(10),
  /** Name parameterised statements so PostgreSQL plans them once per connection (storage/prepared-statements.ts). */
  databasePreparedStatements: booleanSetting.default(true),
  /**
   * Requests a server handles at once; more are answered 429 with Retry-After at once instead of
   * queueing. Default: 16 per database connection, at least 64 (docs/api.md#admission-control).
   */
  maxInFlightRequests: z.coerce.number().int().min(1).max(100_000).optional(),
  /**
   * Credit applications submitted and not yet decided automatically (status submitted or assessing)
   * beyond which POST /credit/applications answers 429 with Retry-After.
   */
  creditBacklogLimit: z.coerce.number().int().min(1).max(10_000_000).default(5000),
  /** Plugin modules that register actions (see engine/plugins.ts). */
  plugins: listSetting.default([]),
  /** Where outside systems reach this finflow (SMS status callbacks); default: the listening address. */
  publicUrl: z.url({ error: 'must be an http(s) URL' }).optional(),
  /** A YAML/JSON file of secret name → value, read besides FINFLOW_SECRET_<NAME> variables (docs/channels.md). */
  secretsFile: z.string().min(1).optional(),
  /** SMTP server for email.send: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465. */
  smtpUrl: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  /** Sender of email.send when a step names none. */
  emailFrom: z.string().min(3).default('finflow <no-reply@finflow.invalid>'),
  /** SMS provider request shape: `twilio` (Messages API) or `generic` (smsMapping). */
  smsProfile: z.enum(['twilio', 'generic']).default('twilio'),
  /** The SMS provider's base URL (twilio: https://api.twilio.com). */
  smsUrl: z.url({ error: 'must be an http(s) URL' }).optional(),
  /** Account id / user name sent with basic auth (twilio: the Account SID). */
  smsAccount: z.string().min(1).optional(),
  /** Sender number or alphanumeric sender id. */
  smsFrom: z.string().min(1).optional(),
  /** Name of the secret holding the SMS provider's token (FINFLOW_SECRET_<NAME>). */
  smsAuthSecret: z.string().min(1).default('SMS_AUTH_TOKEN'),
  /** For smsProfile generic: request format, field names and auth (docs/channels.md); JSON in the environment. */
  smsMapping: jsonSetting.optional(),
  /**
   * Four eyes on policy: a workflow definition, decision version or role grant takes effect only when
   * a second person approves it (POST /changes…); the direct deploy routes answer 409. Off only for
   * installations whose changes are reviewed elsewhere (a CI pipeline deploying reviewed commits).
   */
  fourEyesChanges: booleanSetting.default(true),
  /** Deliver outbound webhooks from `finflow serve` (set false on processes that must not). */
  webhookDelivery: booleanSetting.default(true),
  /**
   * Non-public hosts that outbound webhooks and http.request may reach (loopback, private ranges…):
   * by default none, so a URL can never reach finflow's own host, the metadata endpoint or the LAN.
   */
  outboundAllow: outboundAllowSetting.default([]),
});

export type Config = z.infer<typeof configSchema>;

/** Environment variable for each setting. */
const ENV_NAMES: Record<keyof Config, string> = {
  host: 'FINFLOW_HOST',
  port: 'PORT',
  dataDir: 'FINFLOW_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  logLevel: 'FINFLOW_LOG_LEVEL',
  logFormat: 'FINFLOW_LOG_FORMAT',
  shutdownTimeoutMs: 'FINFLOW_SHUTDOWN_TIMEOUT_MS',
  worker: 'FINFLOW_WORKER',
  workerConcurrency: 'FINFLOW_WORKER_CONCURRENCY',
  databasePoolSize: 'FINFLOW_DATABASE_POOL_SIZE',
  databasePreparedStatements: 'FINFLOW_DATABASE_PREPARED_STATEMENTS',
  maxInFlightRequests: 'FINFLOW_MAX_IN_FLIGHT_REQUESTS',
  creditBacklogLimit: 'FINFLOW_CREDIT_BACKLOG_LIMIT',
  plugins: 'FINFLOW_PLUGINS',
  publicUrl: 'FINFLOW_PUBLIC_URL',
  secretsFile: 'FINFLOW_SECRETS_FILE',
  smtpUrl: 'FINFLOW_SMTP_URL',
  emailFrom: 'FINFLOW_EMAIL_FROM',
  smsProfile: 'FINFLOW_SMS_PROFILE',
  smsUrl: 'FINFLOW_SMS_URL',
  smsAccount: 'FINFLOW_SMS_ACCOUNT',
  smsFrom: 'FINFLOW_SMS_FROM',
  smsAuthSecret: 'FINFLOW_SMS_AUTH_SECRET',
  smsMapping: 'FINFLOW_SMS_MAPPING',
  fourEyesChanges: 'FINFLOW_FOUR_EYES_CHANGES',
  webhookDelivery: 'FINFLOW_WEBHOOK_DELIVERY',
  outboundAllow: 'FINFLOW_OUTBOUND_ALLOW',
};

const CONFIG_FILES = ['finflow.config.json', 'finflow.config.yaml', 'finflow.config.yml'];

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Settings given by code (CLI flags, tests); they win over env and file. */
  overrides?: Partial<Config>;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const raw: Record<string, unknown> = {};
  const sourceOf: Record<string, string> = {};

  const file = findConfigFile(env, cwd);
  if (file) {
    for (const [key, value] of Object.entries(readConfigFile(file))) {
      if (!(key in ENV_NAMES)) {
        throw new AppError('invalid_config', 400, `${file}: unknown setting "${key}"`, { field: key });
      }
      raw[key] = value;
      sourceOf[key] = `${path.basename(file)} key "${key}"`;
    }
  }
  for (const [key, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') {
      raw[key] = value;
      sourceOf[key] = `environment variable ${name}`;
    }
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) {
      raw[key] = value;
      sourceOf[key] = `option ${key}`;
    }
  }

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0]);
    const where = sourceOf[key] ?? key;
    throw new AppError(
      'invalid_config',
      400,
      `invalid setting ${where}: ${issue.message} (got ${JSON.stringify(raw[key])})`,
      {
        field: key,
      },
    );
  }
  return { ...result.data, dataDir: path.resolve(cwd, result.data.dataDir) };
}

function findConfigFile(env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (env.FINFLOW_CONFIG) {
    const file = path.resolve(cwd, env.FINFLOW_CONFIG);
    if (!existsSync(file)) {
      throw new AppError('invalid_config', 400, `FINFLOW_CONFIG names ${file}, which does not exist`, {
        field: 'FINFLOW_CONFIG',
      });
    }
    return file;
  }
  return CONFIG_FILES.map((name) => path.join(cwd, name)).find((file) => existsSync(file));
}

function readConfigFile(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8');
  let parsed: unknown;
  try {
    parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (cause) {
    throw new AppError(
      'invalid_config',
      400,
      `${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AppError('invalid_config', 400, `${file} must hold an object of settings`);
  }
  return parsed as Record<string, unknown>;
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AppError } from '../core/errors.js';

/**
 * Settings come from an optional `finflow.config.(json|yaml|yml)` file and from environment
 * variables; the environment wins. Everything is validated at start-up, and a bad value is reported
 * with the name the user wrote it under (the variable, or the file and key).
 */
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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

/** A list of strings, or one comma-separated string (the environment's only way to say a list). */
const listSetting = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '')
      : value,
  z.array(z.string().min(1), { error: 'must be a list of module paths (comma-separated in the environment)' }),
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
  shutdownTimeoutMs: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Run an engine worker inside `finflow serve`. */
  worker: booleanSetting.default(true),
  /** Claim loops of each worker; always 1 on embedded PGlite (one connection). */
  workerConcurrency: z.coerce.number().int().min(1).max(64).default(1),
  /** Plugin modules that register actions (see engine/plugins.ts). */
  plugins: listSetting.default([]),
});

export type Config = z.infer<typeof configSchema>;

/** Environment variable for each setting. */
const ENV_NAMES: Record<keyof Config, string> = {
  host: 'FINFLOW_HOST',
  port: 'PORT',
  dataDir: 'FINFLOW_DATA_DIR',
  databaseUrl: 'DATABASE_URL',
  logLevel: 'FINFLOW_LOG_LEVEL',
  shutdownTimeoutMs: 'FINFLOW_SHUTDOWN_TIMEOUT_MS',
  worker: 'FINFLOW_WORKER',
  workerConcurrency: 'FINFLOW_WORKER_CONCURRENCY',
  plugins: 'FINFLOW_PLUGINS',
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

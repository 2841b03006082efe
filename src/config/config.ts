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

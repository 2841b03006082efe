import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { AppError } from '../core/errors.js';
import type { Config } from './config.js';

/**
 * Secrets (API tokens, HMAC keys, provider passwords) are referenced by name from workflow
 * definitions, inbound-webhook sources and settings, and resolved only at the moment of use — so a
 * value is never stored in a definition, the database, a timeline or the audit log.
 *
 * Values come from environment variables `FINFLOW_SECRET_<NAME>` and from the optional
 * `secretsFile` (YAML or JSON, name → value); the environment wins. Names are case-insensitive
 * letters, digits and underscores: `bureau_token` is `FINFLOW_SECRET_BUREAU_TOKEN`.
 */
export interface SecretStore {
  get(name: string): string | undefined;
  /** The value, or a 4xx-style error naming the secret and where it was looked for. */
  require(name: string, usedBy: string): string;
  /** Every known value: text shown to users (step outputs) is scrubbed of them. */
  values(): string[];
}

export const SECRET_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const ENV_PREFIX = 'FINFLOW_SECRET_';

export function normalizeSecretName(name: string): string {
  return name.toUpperCase();
}

export function secretStore(entries: Record<string, string>): SecretStore {
  const map = new Map(Object.entries(entries).map(([k, v]) => [normalizeSecretName(k), v]));
  return {
    get: (name) => map.get(normalizeSecretName(name)),
    require(name, usedBy) {
      const value = map.get(normalizeSecretName(name));
      if (value === undefined || value === '') {
        throw new AppError(
          'secret_missing',
          422,
          `${usedBy}: secret ${name} is not set (set ${ENV_PREFIX}${normalizeSecretName(name)} or add it to the secrets file)`,
          { field: usedBy },
        );
      }
      return value;
    },
    values: () => [...map.values()].filter((v) => v.length >= 4),
  };
}

/** Reads the secrets file named by config (if any), then the FINFLOW_SECRET_* variables. */
export function loadSecrets(config: Pick<Config, 'secretsFile'>, env: NodeJS.ProcessEnv = process.env): SecretStore {
  const entries: Record<string, string> = {};
  if (config.secretsFile) {
    const file = path.resolve(config.secretsFile);
    if (!existsSync(file)) {
      throw new AppError('invalid_config', 400, `secretsFile names ${file}, which does not exist`, {
        field: 'secretsFile',
      });
    }
    const parsed = parseYaml(readFileSync(file, 'utf8')) as unknown;
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new AppError('invalid_config', 400, `${file} must map secret names to values`, { field: 'secretsFile' });
    }
    for (const [name, value] of Object.entries((parsed ?? {}) as Record<string, unknown>)) {
      if (!SECRET_NAME.test(name) || typeof value !== 'string') {
        throw new AppError(
          'invalid_config',
          400,
          `${file}: secret "${name}" must be a letters/digits/_ name with a text value`,
          {
            field: 'secretsFile',
          },
        );
      }
      entries[name] = value;
    }
  }
  for (const [variable, value] of Object.entries(env)) {
    if (variable.startsWith(ENV_PREFIX) && value !== undefined) entries[variable.slice(ENV_PREFIX.length)] = value;
  }
  return secretStore(entries);
}

/** Replaces every known secret value in a JSON-able value's strings with `[secret]`. */
export function redactSecrets<T>(value: T, secrets: SecretStore): T {
  const known = secrets.values();
  if (known.length === 0) return value;
  const scrub = (item: unknown): unknown => {
    if (typeof item === 'string') return known.reduce((text, secret) => text.split(secret).join('[secret]'), item);
    if (Array.isArray(item)) return item.map(scrub);
    if (item && typeof item === 'object') {
      return Object.fromEntries(Object.entries(item).map(([k, v]) => [k, scrub(v)]));
    }
    return item;
  };
  return scrub(value) as T;
}

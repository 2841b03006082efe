import { AppError, validationError, type FieldIssue } from './errors.js';

/**
 * The limits every JSON value from outside must meet before anything recursive or native sees it:
 * request bodies, responses of systems finflow calls, documents parsed from YAML. The rules engine
 * (a native library), the JSON canonicaliser of the audit log and JSON.stringify all recurse, and
 * a value nested a few thousand levels deep crashes the process or throws where no one expects it;
 * PostgreSQL refuses NUL bytes in text and jsonb, and a lone surrogate cannot be stored as UTF-8.
 * Checking here, once, is what lets every later layer assume well-formed data.
 */
export const JSON_LIMITS = {
  /** Deepest nesting of objects and arrays; real documents (workflows, decision tables) stay under 20. */
  maxDepth: 64,
  /** Issues reported for one value; more are summarised, so a hostile body cannot inflate the answer. */
  maxIssues: 20,
} as const;

/** Object keys that turn an innocent merge into a change of Object.prototype. */
const POLLUTING_KEYS = new Set(['__proto__']);

/**
 * Nesting depth of a JSON text, by a linear scan that understands strings, so `JSON.parse` and the
 * walk below never meet a document deeper than the limit. Returns the depth at which it stopped:
 * above `limit` means too deep.
 */
export function jsonTextDepth(text: string, limit: number = JSON_LIMITS.maxDepth): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c /* \ */) i++;
      else if (ch === 0x22 /* " */) inString = false;
      continue;
    }
    if (ch === 0x22) inString = true;
    else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) depth--;
  }
  return deepest;
}

/** In a `u` regex a surrogate pair is one code point, so only an unpaired half matches. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** What is wrong with one string, or undefined when it can be stored and shown as it is. */
export function stringProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode (it holds a lone surrogate)';
  return undefined;
}

/**
 * Every issue of an already parsed value, each naming the field as `<where>.<path>`: strings with
 * NUL or lone surrogates (values and keys), non-finite numbers (`1e309` parses to Infinity),
 * prototype-polluting keys and nesting beyond the limit. Iterative, so no value can exhaust the
 * stack here.
 */
export function jsonValueIssues(value: unknown, where: string, maxDepth: number = JSON_LIMITS.maxDepth): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: where, depth: 0 }];
  while (stack.length > 0 && issues.length < JSON_LIMITS.maxIssues) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = stringProblem(v);
      if (problem) issues.push({ field: path, message: problem });
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) issues.push({ field: path, message: 'must be a finite number' });
    } else if (typeof v === 'object' && v !== null) {
      if (depth >= maxDepth) {
        issues.push({ field: path, message: `is nested deeper than ${maxDepth} levels` });
        continue;
      }
      const entries: Array<readonly [string, unknown]> = Array.isArray(v)
        ? v.map((item: unknown, i) => [String(i), item] as const)
        : Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, item] = entries[i]!;
        const keyProblem = POLLUTING_KEYS.has(key) ? 'is not an allowed key' : stringProblem(key);
        if (keyProblem) {
          issues.push({ field: `${path}.${safeKey(key)}`, message: `key ${keyProblem}` });
          continue;
        }
        stack.push({ value: item, path: `${path}.${key}`, depth: depth + 1 });
      }
    }
  }
  return issues;
}

/** Throws 400 validation_failed naming every bad field of `value`. */
export function assertJsonValue(value: unknown, where: string): void {
  const issues = jsonValueIssues(value, where);
  if (issues.length > 0) throw validationError(issues);
}

/**
 * JSON.parse behind the limits: too deep → 400 before parsing, not JSON → 400 malformed_request,
 * a bad string or number inside → 400 naming it. `where` names the document (`body`, `response`).
 */
export function parseGuardedJson(text: string, where: string): unknown {
  if (jsonTextDepth(text) > JSON_LIMITS.maxDepth) {
    throw validationError([{ field: where, message: `is nested deeper than ${JSON_LIMITS.maxDepth} levels` }]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError('malformed_request', 400, `${where} is not valid JSON: ${(error as Error).message}`, {
      field: where,
    });
  }
  assertJsonValue(value, where);
  return value;
}

/** Bytes as strict UTF-8 (JSON is UTF-8, RFC 8259 §8.1); anything else is a 400 naming `where`. */
export function decodeUtf8(bytes: ArrayBuffer | Uint8Array, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('malformed_request', 400, `${where} is not valid UTF-8`, { field: where });
  }
}

/** A key that is itself a problem is shown escaped, so the answer is always printable JSON. */
const safeKey = (key: string): string => JSON.stringify(key).slice(1, -1).replaceAll('\\u0000', '\\0');

import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { DateTime } from 'luxon';
import type { FieldIssue } from '../../core/errors.js';

/**
 * A workflow's `input:` is a JSON Schema (draft 2020-12) for the data an instance starts with. It is
 * compiled when the definition is deployed (so a broken schema is a deploy error) and checked on
 * every start.
 */

const ajv = new Ajv2020({
  allErrors: true,
  // Unknown keywords and formats are typos in a schema a person wrote: reject them at deploy.
  strictSchema: true,
  // These two only log (to the console) in ajv's default mode; they are style checks, not errors.
  strictTypes: false,
  strictTuples: false,
  // Definitions are independent documents: two of them may reuse an `$id` without clashing.
  addUsedSchema: false,
});

// ajv-formats is not a dependency; these are the formats business inputs use.
ajv.addFormat('date', (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && DateTime.fromISO(s).isValid);
ajv.addFormat(
  'date-time',
  (s: string) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i.test(s) &&
    DateTime.fromISO(s, { setZone: true }).isValid,
);
ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/);
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);

// Keyed by content: the runtime loads the same schema as a new object from each database read.
const cache = new Map<string, ValidateFunction>();
const CACHE_LIMIT = 500;

/** Compiles (once per distinct schema) a validator; throws an Error with ajv's message if the schema is invalid. */
export function compileInputSchema(schema: Record<string, unknown>): ValidateFunction {
  const cacheKey = JSON.stringify(schema);
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const validate = ajv.compile(schema);
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(cacheKey, validate);
  return validate;
}

/** Checks a start input against the definition's schema; no schema accepts anything. */
export function validateInput(schema: Record<string, unknown> | undefined, input: unknown): FieldIssue[] {
  if (!schema) return [];
  const validate = compileInputSchema(schema);
  if (validate(input)) return [];
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  for (const error of validate.errors ?? []) {
    const issue = describeError(error, input);
    const id = `${issue.field}\0${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}

function describeError(error: ErrorObject, input: unknown): FieldIssue {
  const at = fieldOf(error.instancePath, input);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { field: `${at}.${String(params.missingProperty)}`, message: 'is required' };
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const name = params.additionalProperty ?? params.unevaluatedProperty;
      return { field: `${at}.${String(name)}`, message: 'is not an allowed field' };
    }
    case 'enum':
      return { field: at, message: `must be one of: ${(params.allowedValues as unknown[]).map(show).join(', ')}` };
    case 'const':
      return { field: at, message: `must be ${show(params.allowedValue)}` };
    default:
      return { field: at, message: error.message ?? 'is invalid' };
  }
}

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** `/items/0/name` → `input.items[0].name`; a numeric segment is an index only where the data is an array. */
function fieldOf(instancePath: string, input: unknown): string {
  let field = 'input';
  let node = input;
  for (const raw of instancePath.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      field += `[${segment}]`;
      node = node[Number(segment)] as unknown;
    } else {
      field += `.${segment}`;
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[segment] : undefined;
    }
  }
  return field;
}

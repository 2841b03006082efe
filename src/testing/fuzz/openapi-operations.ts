/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-member-access -- the OpenAPI document is untyped JSON, read member by member */
import SwaggerParser from '@apidevtools/swagger-parser';

/** One operation of finflow's OpenAPI document, as the fuzzer needs it. */
export interface Operation {
  method: string;
  /** The path template under /api/v1, e.g. `/customers/{id}`. */
  path: string;
  pathParams: Array<{ name: string; schema: JsonSchema }>;
  queryParams: Array<{ name: string; schema: JsonSchema }>;
  /** The JSON request body's schema, dereferenced; undefined when the route takes no JSON body. */
  jsonBody: JsonSchema | undefined;
  /** Every media type the route declares for its body. */
  mediaTypes: string[];
  /** The route requires an Idempotency-Key header (money-moving creates): every case carries a fresh one. */
  needsIdempotencyKey: boolean;
}

export type JsonSchema = Record<string, any>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of the document, with `$ref`s resolved. */
export async function operationsOf(document: unknown): Promise<Operation[]> {
  const doc = (await SwaggerParser.dereference(structuredClone(document) as any)) as any;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const parameters: any[] = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      const content = op.requestBody?.content ?? {};
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters
          .filter((p) => p.in === 'path')
          .map((p) => ({ name: String(p.name), schema: p.schema ?? {} })),
        queryParams: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: String(p.name), schema: p.schema ?? {} })),
        jsonBody: content['application/json']?.schema,
        mediaTypes: Object.keys(content),
        needsIdempotencyKey: parameters.some(
          (p) => p.in === 'header' && p.required && String(p.name).toLowerCase() === 'idempotency-key',
        ),
      });
    }
  }
  return operations;
}

const SAMPLE_STRINGS = ['1000', 'EUR', '2026-01-15', '2026-01-15T10:00:00Z', 'en', 'x', 'a.b', 'https://example.com/x'];

/**
 * A plausible value for a schema: its example or default, the first enum member, or the simplest
 * value of its type. The fuzzer mutates one field of it at a time, so a hostile value reaches the
 * validation of that field instead of stopping at the first missing one.
 */
export function sampleOf(schema: JsonSchema | undefined, depth = 0): unknown {
  if (!schema || depth > 8) return null;
  if (schema.example !== undefined) return structuredClone(schema.example);
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return structuredClone(schema.examples[0]);
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['oneOf', 'anyOf'] as const) {
    if (Array.isArray(schema[key]) && schema[key].length > 0) {
      const first = schema[key].find((s: JsonSchema) => s.type !== 'null') ?? schema[key][0];
      return sampleOf(first, depth + 1);
    }
  }
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...schema.allOf.map((s: JsonSchema) => sampleOf(s, depth + 1) ?? {}));
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries<JsonSchema>(schema.properties ?? {})) {
        out[key] = sampleOf(prop, depth + 1);
      }
      return out;
    }
    case 'array':
      return schema.minItems === 0 && !schema.items ? [] : [sampleOf(schema.items, depth + 1)];
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'string': {
      if (schema.format === 'date') return '2026-01-15';
      if (schema.format === 'date-time') return '2026-01-15T10:00:00Z';
      if (schema.pattern) {
        const pattern = new RegExp(schema.pattern as string);
        const fit = SAMPLE_STRINGS.find((s) => pattern.test(s));
        if (fit) return fit;
      }
      return 'x'.repeat(Math.max(1, Math.min(Number(schema.minLength ?? 1), 20)));
    }
    default:
      return schema.properties ? sampleOf({ ...schema, type: 'object' }, depth) : 'x';
  }
}

/** Every path into a sample value (`['lines', 0, 'quantity']`), the fields the fuzzer can replace. */
export function pathsOf(value: unknown, prefix: Array<string | number> = [], depth = 0): Array<Array<string | number>> {
  if (depth > 8 || typeof value !== 'object' || value === null) return prefix.length > 0 ? [prefix] : [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value as Record<string, unknown>);
  const inner = entries.flatMap(([key, v]) => pathsOf(v, [...prefix, key], depth + 1));
  return prefix.length > 0 ? [prefix, ...inner] : inner;
}

/** A copy of `value` with the field at `path` replaced. */
export function withField(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  const [head, ...rest] = path;
  copy[head!] = withField(copy[head!], rest, replacement);
  return copy;
}

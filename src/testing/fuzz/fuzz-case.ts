import fc from 'fast-check';
import {
  EVERY_FIELD_VALUES,
  HOSTILE_BODIES,
  hostileBodyText,
  hostileContentType,
  hostileSegment,
  hostileValue,
  toJsonText,
} from './hostile-values.js';
import { pathsOf, sampleOf, withField, type Operation } from './openapi-operations.js';

/** One request the fuzzer sends, and a short text that says what it tried. */
export interface FuzzCase {
  method: string;
  url: string;
  contentType: string | undefined;
  body: string | undefined;
  /** A fresh key for a route that requires one, so the body's validation is reached. */
  idempotencyKey?: string;
  what: string;
}

let keys = 0;

type BodyPlan =
  | { kind: 'none' }
  | { kind: 'field'; path: Array<string | number>; value: unknown }
  | { kind: 'extra'; key: string; value: unknown }
  | { kind: 'whole'; text: string }
  | { kind: 'content-type'; contentType: string | undefined }
  | { kind: 'sample' };

/**
 * Cases for one operation: every path parameter an id that exists (`pool`), a plausible value or a
 * hostile segment; every query parameter absent, plausible or hostile; and a body that is the
 * route's own sample with one field replaced, an added key, a hostile document, the sample under a
 * wrong content type, or the sample as it is.
 */
export function fuzzCases(op: Operation, pool: Map<string, string[]>): fc.Arbitrary<FuzzCase> {
  const anyId = [...pool.values()].flat();
  // The parameter's own sample matters where it is an enum (`/sync/{kind}`, template channels).
  const segment = (param: Operation['pathParams'][number]) => {
    const own = ownIds(op, param, pool);
    return fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...(own.length > 0 ? own : ['none'])) },
      { weight: 1, arbitrary: fc.constantFrom(...(anyId.length > 0 ? anyId : ['none'])) },
      { weight: 2, arbitrary: hostileSegment },
      {
        weight: 1,
        arbitrary: fc.constant(encodeURIComponent(toJsonText(sampleOf(param.schema)).replace(/^"|"$/g, ''))),
      },
    );
  };
  const segments = fc.tuple(...op.pathParams.map(segment));
  // Query values stay short: a URL over Node's header limit is refused by Node itself (431).
  const queryValue = fc.oneof(
    hostileValue.map((v) => (typeof v === 'string' ? v : toJsonText(v))).filter((v) => v.length <= 2000),
    fc.constantFrom('2026-01-15', '10', 'open', '-5', '1e309', ''),
  );
  const query = fc.tuple(...op.queryParams.map(() => fc.option(queryValue, { nil: undefined })));
  const sample = sampleOf(op.jsonBody);
  const paths = pathsOf(sample);
  const body: fc.Arbitrary<BodyPlan> = op.jsonBody
    ? fc.oneof(
        {
          weight: 5,
          arbitrary:
            paths.length > 0
              ? fc.record({ kind: fc.constant('field' as const), path: fc.constantFrom(...paths), value: hostileValue })
              : fc.constant({ kind: 'sample' as const }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant('extra' as const),
            key: fc.constantFrom('__proto__', 'constructor', 'x', 'a\u0000b', 'é'),
            value: hostileValue,
          }),
        },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('whole' as const), text: hostileBodyText }) },
        {
          weight: 1,
          arbitrary: fc.record({ kind: fc.constant('content-type' as const), contentType: hostileContentType }),
        },
        { weight: 1, arbitrary: fc.constant({ kind: 'sample' as const }) },
      )
    : op.method === 'GET'
      ? fc.constant({ kind: 'none' as const })
      : fc.oneof(
          fc.constant({ kind: 'none' as const }),
          fc.record({ kind: fc.constant('whole' as const), text: hostileBodyText }),
        );

  return fc
    .tuple(segments, query, body)
    .map(([segs, queryValues, plan]) => buildCase(op, sample, segs, queryValues, plan));
}

/**
 * Every known attack, once, on the route's first existing entity: each hostile document as the
 * whole body, and each hostile value in each field of the sample (or as an added key). Random
 * cases explore around them; these make sure none is left to chance.
 */
export function fixedCases(op: Operation, pool: Map<string, string[]>): FuzzCase[] {
  const segs = op.pathParams.map((param) => ownIds(op, param, pool)[0] ?? 'none');
  const none = op.queryParams.map(() => undefined);
  const sample = sampleOf(op.jsonBody);
  const plans: BodyPlan[] =
    op.method === 'GET'
      ? [{ kind: 'none' }]
      : [
          ...HOSTILE_BODIES.map((text) => ({ kind: 'whole' as const, text })),
          ...(op.jsonBody
            ? pathsOf(sample).flatMap((path) =>
                EVERY_FIELD_VALUES.map((value) => ({ kind: 'field' as const, path, value })),
              )
            : []),
          ...(op.jsonBody ? EVERY_FIELD_VALUES.map((value) => ({ kind: 'extra' as const, key: 'x', value })) : []),
        ];
  return plans.map((plan) => buildCase(op, sample, segs, none, plan));
}

/** The ids of the entity the path names just before the parameter (`/cases/{id}` → cases). */
function ownIds(op: Operation, param: Operation['pathParams'][number], pool: Map<string, string[]>): string[] {
  const upTo = op.path.slice(0, op.path.indexOf(`{${param.name}}`) + param.name.length + 2);
  const before = /\/([^/{}]+)\/\{[^/]+\}$/.exec(upTo);
  return pool.get(before?.[1] ?? '') ?? [];
}

function buildCase(
  op: Operation,
  sample: unknown,
  segs: string[],
  queryValues: Array<string | undefined>,
  plan: BodyPlan,
): FuzzCase {
  let path = op.path;
  op.pathParams.forEach((param, i) => (path = path.replace(`{${param.name}}`, segs[i]!)));
  const search = new URLSearchParams();
  op.queryParams.forEach((p, i) => {
    if (queryValues[i] !== undefined) search.set(p.name, queryValues[i]);
  });
  const qs = search.size > 0 ? `?${search.toString()}` : '';
  const { contentType, text } = bodyOf(plan, sample);
  const what = `${op.method} ${clip(path + qs, 300)} [${describePlan(plan)}]`;
  // fast-check prints a failing case with this, not with the (possibly megabyte) body.
  const fuzzCase: FuzzCase = { method: op.method, url: `${path}${qs}`, contentType, body: text, what };
  if (op.needsIdempotencyKey) fuzzCase.idempotencyKey = `fuzz-${process.pid}-${++keys}`;
  return Object.assign(fuzzCase, { [fc.toStringMethod]: () => what });
}

function bodyOf(plan: BodyPlan, sample: unknown): { contentType: string | undefined; text: string | undefined } {
  const json = 'application/json';
  switch (plan.kind) {
    case 'none':
      return { contentType: undefined, text: undefined };
    case 'field':
      return { contentType: json, text: toJsonText(withField(sample, plan.path, plan.value)) };
    case 'extra': {
      const base = typeof sample === 'object' && sample !== null ? sample : {};
      const text = toJsonText({ ...base, [plan.key]: plan.value });
      return { contentType: json, text };
    }
    case 'whole':
      return { contentType: json, text: plan.text };
    case 'content-type':
      return { contentType: plan.contentType, text: toJsonText(sample) };
    case 'sample':
      return { contentType: json, text: toJsonText(sample) };
  }
}

const clip = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;

function describePlan(plan: BodyPlan): string {
  const short = (v: unknown) => clip(typeof v === 'string' ? JSON.stringify(v) : toJsonText(v), 80);
  switch (plan.kind) {
    case 'field':
      return `body.${plan.path.join('.')} = ${short(plan.value)}`;
    case 'extra':
      return `body.${JSON.stringify(plan.key)} = ${short(plan.value)}`;
    case 'whole':
      return `body ${short(plan.text)}`;
    case 'content-type':
      return `content-type ${plan.contentType ?? '(none)'}`;
    default:
      return plan.kind;
  }
}

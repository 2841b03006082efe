import { JSON_LIMITS, jsonTextDepth, jsonValueIssues } from '../../core/json-guard.js';
import { z } from 'zod';
import { VERSION } from '../../core/version.js';
import { redactSecrets, secretStore, type SecretStore } from '../../config/secrets.js';
import {
  defineAction,
  NonRetryableError,
  type ActionContext,
  type ActionDefinition,
  evaluate,
} from '../../engine/index.js';
import { authHeaderNames, authHeaders, HeaderName, HttpAuthSchema } from './http-auth.js';
import { OutboundRefused, outboundPolicy, urlShapeProblem, type OutboundPolicy } from '../../net/outbound-policy.js';

/**
 * `http.request`: one call to any REST system (credit bureau, core banking, card processor) from a
 * workflow step. The far end cannot join the step's transaction, so the step's idempotency key goes
 * out as `Idempotency-Key` — the same on every retry of this visit — and a server that honours it
 * applies the effect once however often the step runs. Failures the far end may recover from (5xx,
 * 429, timeouts, network errors) are thrown as plain errors and retried by the step's policy; other
 * answers fail the step at once. Secrets are named, resolved at call time and scrubbed from
 * everything the step records (output and error messages).
 */

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 120_000;
/** Bodies larger than this are kept out of the context (and the timeline); `map` still sees them. */
export const MAX_KEPT_BODY_BYTES = 64 * 1024;
/** What we read at most; a larger answer fails the step rather than fill the worker's memory. */
const MAX_READ_BYTES = 1024 * 1024;
const ERROR_SNIPPET_CHARS = 200;

/** Answer headers worth keeping in the context; the rest are seen only by `map`. */
const KEPT_HEADERS = [
  'content-type',
  'location',
  'etag',
  'last-modified',
  'retry-after',
  'request-id',
  'x-request-id',
  'x-correlation-id',
  'idempotency-key',
  'idempotent-replayed',
];

/** Headers the action sets itself (or fetch owns): a definition setting them would be a mistake. */
const RESERVED_HEADERS = ['authorization', 'idempotency-key', 'content-length', 'host', 'connection'];

const MAP_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export const HttpRequestInput = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    url: z.string().min(1).max(2048),
    query: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    headers: z.record(HeaderName, z.string().max(8192)).optional(),
    /** Sent as the JSON body (content-type application/json unless `headers` says otherwise). */
    json: z.unknown().optional(),
    auth: HttpAuthSchema.optional(),
    timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS).default(DEFAULT_TIMEOUT_MS),
    /** Statuses besides 2xx that count as success (e.g. 404 for "no record at the bureau"). */
    acceptStatus: z.array(z.number().int().min(100).max(599)).max(50).optional(),
    /** name → expression over `{ status, headers, body }`; results go to the output's `mapped`. */
    map: z.record(z.string().regex(MAP_KEY, 'must be an identifier'), z.string().min(1).max(2000)).optional(),
    /** false keeps the answer's body out of the context and timeline (use `map` to keep only what you need). */
    keepBody: z.boolean().default(true),
  })
  .strict()
  .superRefine((input, ctx) => {
    // Credentials in a URL would be stored in the definition and the timeline: auth names a secret.
    const problem = urlShapeProblem(input.url);
    if (problem) ctx.addIssue({ code: 'custom', path: ['url'], message: problem });
    if (input.method === 'GET' && input.json !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['json'], message: 'a GET request has no body; use query' });
    }
    const reserved = [...RESERVED_HEADERS, ...authHeaderNames(input.auth)];
    for (const name of Object.keys(input.headers ?? {})) {
      if (reserved.includes(name.toLowerCase())) {
        ctx.addIssue({
          code: 'custom',
          path: ['headers', name],
          message: `is set by http.request itself${name.toLowerCase() === 'authorization' ? ' (use auth)' : ''}`,
        });
      }
    }
  });
export type HttpRequestInput = z.infer<typeof HttpRequestInput>;

export interface HttpRequestOutput {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the answer is JSON, else text; absent with `keepBody: false` or over 64 KB. */
  body?: unknown;
  /** Set when the body was over 64 KB: it is left out (JSON) or cut to 64 KB (text). */
  bodyTruncated?: true;
  mapped?: Record<string, unknown>;
}

/** `outbound` decides which hosts may be called (default: public addresses only). */
export function httpRequestAction(
  secrets: SecretStore | undefined,
  outbound: OutboundPolicy = outboundPolicy(),
): ActionDefinition<HttpRequestInput, HttpRequestOutput> {
  return defineAction({
    source: import.meta.url,
    name: 'http.request',
    callsOut: true,
    description:
      'Calls a REST endpoint with a JSON body, secret-based auth (bearer, basic, header, HMAC) and the step idempotency key; maps the answer into the context',
    input: HttpRequestInput,
    writes: false,
    run: (input, ctx) => httpRequest(input, ctx, secrets, outbound),
  });
}

export async function httpRequest(
  input: HttpRequestInput,
  ctx: Pick<ActionContext, 'idempotencyKey' | 'clock'>,
  secrets: SecretStore | undefined,
  outbound: OutboundPolicy = outboundPolicy(),
): Promise<HttpRequestOutput> {
  const url = new URL(input.url);
  for (const [name, value] of Object.entries(input.query ?? {})) url.searchParams.append(name, String(value));
  // Messages name the endpoint without its query string, which may carry customer data.
  const target = `${input.method} ${url.origin}${url.pathname}`;
  const body = input.json === undefined ? undefined : JSON.stringify(input.json);

  const auth = input.auth ? authHeaders(input.auth, secrets, body ?? '', ctx.clock.now()) : undefined;
  const redact = redactor(secrets, auth?.derived ?? []);
  const headers = new Headers({ accept: 'application/json', 'user-agent': `finflow/${VERSION}` });
  for (const [name, value] of Object.entries(input.headers ?? {})) headers.set(name, value);
  if (body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
  for (const [name, value] of Object.entries(auth?.headers ?? {})) headers.set(name, value);
  headers.set('idempotency-key', ctx.idempotencyKey);

  let response: Response;
  let answer: { text: string; bytes: number };
  try {
    // The timeout covers reading the body too: the signal stays attached to the response stream.
    // Following a redirect could carry the credentials elsewhere; a 3xx is an answer like any other
    // (the policy's fetch never follows one). It connects only to hosts the outbound policy allows.
    response = await outbound.fetch(url, {
      method: input.method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(input.timeoutMs),
    });
    answer = await readCapped(response, target);
  } catch (error) {
    if (error instanceof NonRetryableError) throw error;
    // The same URL will be refused again: fail the step now, saying why.
    if (error instanceof OutboundRefused) {
      throw new NonRetryableError(redact(`${target}: refused by the outbound URL policy: ${error.message}`));
    }
    // The engine records only the message (redacted); the cause stays in memory for debugging.
    throw new Error(redact(transportFailure(error, target, input.timeoutMs)), { cause: error });
  }

  const { status } = response;
  const success = (status >= 200 && status < 300) || (input.acceptStatus ?? []).includes(status);
  if (!success) {
    const snippet = answer.text.replace(/\s+/g, ' ').trim().slice(0, ERROR_SNIPPET_CHARS);
    const message = redact(`HTTP ${status} from ${target}${snippet ? `: ${snippet}` : ''}`);
    // The far end may recover from these; anything else (4xx, 3xx) will answer the same again.
    if (status >= 500 || status === 429 || status === 408) throw new Error(message);
    throw new NonRetryableError(message);
  }

  const allHeaders = Object.fromEntries(response.headers.entries());
  const parsed = parseBody(answer.text, response.headers.get('content-type'), target);
  const output: HttpRequestOutput = {
    status,
    headers: Object.fromEntries(Object.entries(allHeaders).filter(([name]) => KEPT_HEADERS.includes(name))),
  };
  if (input.keepBody) keepBody(output, parsed, answer);
  if (input.map) output.mapped = mapAnswer(input.map, { status, headers: allHeaders, body: parsed });
  return redactValue(output, secrets, auth?.derived ?? []);
}

/** Reads at most MAX_READ_BYTES of the body as UTF-8. */
async function readCapped(response: Response, target: string): Promise<{ text: string; bytes: number }> {
  if (!response.body) return { text: '', bytes: 0 };
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (bytes > MAX_READ_BYTES) {
      // Leaving the loop by throwing cancels the stream (and with it the connection).
      throw new NonRetryableError(`${target} answered with a body over ${MAX_READ_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), bytes };
}

function transportFailure(error: unknown, target: string, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `${target}: no answer within ${timeoutMs} ms`;
  }
  // A system error (ECONNREFUSED, ENOTFOUND…) carries its code; fetch-style errors carry it on the cause.
  const own = error as { code?: unknown; cause?: { code?: string; message?: string } } | undefined;
  const cause = error instanceof Error ? own?.cause : undefined;
  const code = typeof own?.code === 'string' ? own.code : undefined;
  const reason = code ?? cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `${target}: request failed (${reason})`;
}

/**
 * The answer as the workflow will keep it: JSON under the same limits as a request body (it lands
 * in the instance's context, the rules engine and the database), otherwise the text. An answer
 * that breaks them (nesting past the limit, NUL, a lone surrogate) fails the step for good: the
 * same call would get the same answer.
 */
function parseBody(text: string, contentType: string | null, target: string): unknown {
  if (text === '') return null;
  const refuse = (field: string, message: string): never => {
    throw new NonRetryableError(`${target} answered with data finflow cannot keep: ${field} ${message}`);
  };
  const json = contentType !== null && /\bjson\b/i.test(contentType);
  if (json && jsonTextDepth(text) > JSON_LIMITS.maxDepth) {
    refuse('response.body', `is nested deeper than ${JSON_LIMITS.maxDepth} levels`);
  }
  let parsed: unknown = text;
  if (json) {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // A server that says JSON but sends something else: keep what it sent, as text.
    }
  }
  const [first] = jsonValueIssues(parsed, 'response.body');
  if (first) refuse(first.field, first.message);
  return parsed;
}

function keepBody(output: HttpRequestOutput, parsed: unknown, answer: { text: string; bytes: number }): void {
  if (answer.bytes <= MAX_KEPT_BODY_BYTES) {
    output.body = parsed;
    return;
  }
  output.bodyTruncated = true;
  if (typeof parsed === 'string')
    output.body = Buffer.from(answer.text).subarray(0, MAX_KEPT_BODY_BYTES).toString('utf8');
}

/** Evaluates each `map` expression; one that cannot be evaluated fails the step (the data will not change). */
function mapAnswer(map: Record<string, string>, scope: unknown): Record<string, unknown> {
  const mapped: Record<string, unknown> = {};
  for (const [name, expression] of Object.entries(map)) {
    try {
      mapped[name] = evaluate(expression, scope) ?? null;
    } catch (error) {
      throw new NonRetryableError(`with.map.${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return mapped;
}

/** Scrubs every known secret value, and the values derived from this call's secrets, from text. */
function redactor(secrets: SecretStore | undefined, derived: string[]): (text: string) => string {
  return (text) => redactValue(text, secrets, derived);
}

function redactValue<T>(value: T, secrets: SecretStore | undefined, derived: string[]): T {
  const scrubbed = secrets ? redactSecrets(value, secrets) : value;
  if (derived.length === 0) return scrubbed;
  return redactSecrets(scrubbed, secretStore(Object.fromEntries(derived.map((v, i) => [`derived_${i}`, v]))));
}

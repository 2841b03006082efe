import type { Config } from '../../../config/config.js';
import type { SecretStore } from '../../../config/secrets.js';
import { AppError } from '../../../core/errors.js';
import { NonRetryableError } from '../../../engine/index.js';
import { getPath, parseSmsMapping, setPath, type SmsMapping } from './sms-mapping.js';

/**
 * The SMS provider adapter: one HTTP call per message. Two request shapes: `twilio` (the Messages
 * API, the de-facto standard many providers copy) and `generic` (URL, auth and body described by
 * `smsMapping`, see sms-mapping.ts).
 *
 * Failures are sorted for the engine: what may succeed later (5xx, 429, timeouts, network errors)
 * is a plain Error, so the step is retried with backoff; what will not (other 4xx: a bad number, a
 * bad sender) is a NonRetryableError carrying the provider's message. Every request carries the
 * step's idempotency key, so a retry after "500 but actually sent" does not send twice at providers
 * that honour it.
 */
export interface SmsRequest {
  to: string;
  from?: string | undefined;
  body: string;
  idempotencyKey: string;
  statusCallbackUrl?: string | undefined;
}

export interface SmsAccepted {
  providerId: string;
  /** The provider's own status word, e.g. `queued`. */
  status: string;
}

export interface SmsProvider {
  readonly profile: 'twilio' | 'generic';
  send(request: SmsRequest): Promise<SmsAccepted>;
}

export interface SmsProviderOptions {
  /** Per-request timeout (default 10 s); tests shorten it. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const TWILIO_URL = 'https://api.twilio.com';
/** Twilio Messaging Service SIDs may stand in for a sender number. */
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

interface HttpCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Builds the adapter. Nothing is checked here, so a server without SMS settings starts; the first
 * send answers 422 `sms_not_configured` naming what is missing.
 */
export function createSmsProvider(config: Config, secrets: SecretStore, options: SmsProviderOptions = {}): SmsProvider {
  const profile = config.smsProfile;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let mapping: SmsMapping | undefined;
  return {
    profile,
    async send(request) {
      const token = secrets.get(config.smsAuthSecret);
      if (profile === 'twilio') {
        const account = config.smsAccount;
        if (!account || !token) throw notConfigured(config, ['smsAccount']);
        const answer = await call(twilioCall(config, account, token, request), token, timeoutMs);
        return accepted(answer, 'sid', 'status');
      }
      if (!config.smsUrl || config.smsMapping === undefined || !token)
        throw notConfigured(config, ['smsUrl', 'smsMapping']);
      mapping ??= parseSmsMapping(config.smsMapping);
      const answer = await call(genericCall(config, mapping, token, request), token, timeoutMs);
      return accepted(answer, mapping.idPath, mapping.statusPath);
    },
  };
}

/** Whether a send could reach a provider (what the adapter would otherwise refuse with sms_not_configured). */
export function smsConfigured(config: Config, secrets: SecretStore): boolean {
  if (!secrets.get(config.smsAuthSecret)) return false;
  return config.smsProfile === 'twilio' ? Boolean(config.smsAccount) : Boolean(config.smsUrl && config.smsMapping);
}

function notConfigured(config: Config, settings: string[]): AppError {
  return new AppError(
    'sms_not_configured',
    422,
    `SMS (${config.smsProfile} profile) is not configured: it needs ${settings.join(', ')} and the secret ` +
      `${config.smsAuthSecret} (FINFLOW_SECRET_${config.smsAuthSecret.toUpperCase()})`,
    { field: settings[0]! },
  );
}

function twilioCall(config: Config, account: string, token: string, request: SmsRequest): HttpCall {
  const form = new URLSearchParams({ To: request.to, Body: request.body });
  const from = request.from ?? config.smsFrom;
  if (from) form.set(MESSAGING_SERVICE_SID.test(from) ? 'MessagingServiceSid' : 'From', from);
  if (request.statusCallbackUrl) form.set('StatusCallback', request.statusCallbackUrl);
  return {
    url: `${baseUrl(config.smsUrl ?? TWILIO_URL)}/2010-04-01/Accounts/${encodeURIComponent(account)}/Messages.json`,
    method: 'POST',
    headers: {
      authorization: basic(account, token),
      'content-type': 'application/x-www-form-urlencoded',
      'i-twilio-idempotency-token': request.idempotencyKey,
      'idempotency-key': request.idempotencyKey,
    },
    body: form.toString(),
  };
}

function genericCall(config: Config, mapping: SmsMapping, token: string, request: SmsRequest): HttpCall {
  const values: Record<string, unknown> = structuredClone(mapping.extra ?? {});
  const from = request.from ?? config.smsFrom;
  const put = (field: string | undefined, value: string | undefined) => {
    if (field && value !== undefined) {
      if (mapping.format === 'json') setPath(values, field, value);
      else values[field] = value;
    }
  };
  put(mapping.fields.to, request.to);
  put(mapping.fields.body, request.body);
  put(mapping.fields.from, from);
  put(mapping.fields.statusCallback, request.statusCallbackUrl);

  const headers: Record<string, string> = { 'idempotency-key': request.idempotencyKey };
  const auth = mapping.auth;
  if (auth.type === 'bearer') headers.authorization = `Bearer ${token}`;
  else if (auth.type === 'header') headers[auth.name.toLowerCase()] = token;
  else {
    const username = auth.username ?? config.smsAccount;
    if (!username) throw notConfigured(config, ['smsMapping.auth.username or smsAccount']);
    headers.authorization = basic(username, token);
  }
  let body: string;
  if (mapping.format === 'json') {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(values);
  } else {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(values)) {
      form.set(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
    body = form.toString();
  }
  return { url: `${baseUrl(config.smsUrl!)}${mapping.path}`, method: mapping.method, headers, body };
}

/** Sends the request and sorts the outcome into success, retryable and final failures. */
async function call(request: HttpCall, token: string, timeoutMs: number): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: { accept: 'application/json', ...request.headers },
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    text = await response.text();
  } catch (error) {
    // Timeouts (TimeoutError) and network failures: the message may or may not have gone out; the
    // retry carries the same idempotency key.
    const reason =
      error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describe(error);
    throw new Error(scrub(`SMS provider unreachable: ${reason}`, token), { cause: error });
  }
  const parsed = parseJson(text);
  if (response.ok) return parsed;
  const message = scrub(`SMS provider answered ${response.status}: ${providerMessage(parsed, text)}`, token);
  if (response.status >= 500 || response.status === 429 || response.status === 408) throw new Error(message);
  throw new NonRetryableError(message);
}

function accepted(answer: unknown, idPath: string, statusPath: string | undefined): SmsAccepted {
  const id = getPath(answer, idPath);
  if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '') {
    // The provider took the message, so sending again could duplicate it: this is a mapping problem.
    throw new NonRetryableError(`SMS provider accepted the message but its answer has no id at "${idPath}"`);
  }
  const status = statusPath === undefined ? undefined : getPath(answer, statusPath);
  return { providerId: String(id), status: typeof status === 'string' && status !== '' ? status : 'accepted' };
}

/** The human part of a provider's error answer: Twilio's `message`, or common shapes, or the text. */
function providerMessage(parsed: unknown, text: string): string {
  for (const path of ['message', 'error.message', 'error_message', 'detail', 'error', 'errors.0.message']) {
    const value = getPath(parsed, path);
    if (typeof value === 'string' && value !== '') return value.slice(0, 500);
  }
  return text.trim().slice(0, 500) || '(empty answer)';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/** A provider could echo credentials back; they never reach a timeline or log. */
function scrub(message: string, token: string): string {
  return token.length >= 4 ? message.split(token).join('[secret]') : message;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const baseUrl = (url: string) => url.replace(/\/+$/, '');

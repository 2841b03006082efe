import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { Clock } from '../../core/clock.js';
import type { HttpConnectorConfig } from './config.js';
import type { BankConnector, BankFile, CollectedFile, CollectResult, DeliveryReceipt } from './connector.js';
import { TransientBankError, bankRefused, connectorClosed, messageOf } from './errors.js';
import { assertDeliverableName, byName, inboundNameProblem } from './file-names.js';
import { withRetry, type RetryEvent } from './retry.js';

/**
 * The bank's (or its gateway's) HTTP API, in the simplest shape that keeps the guarantees:
 *
 * - deliver: `POST deliverUrl`, the file as the body, `X-File-Name` and `Idempotency-Key` (the SHA-256
 *   of the name) headers; 2xx = delivered, 409 = that name was delivered before;
 * - collect: `GET listUrl` answers `[{ "name": …, "url": … }]` (url relative to listUrl or absolute);
 *   each file is `GET url`, handed over, then acknowledged with `DELETE url` (2xx, or 404 when already
 *   acknowledged), after which the bank no longer lists it.
 *
 * Transient answers (408, 425, 429, 5xx, a network failure, a timeout) are retried with backoff; any
 * other 4xx is the bank's refusal and ends the call. Redirects are never followed. The bearer token
 * goes only to the origins of the two configured URLs, never to a file URL elsewhere; the caller's
 * `guard` sees every URL before it is requested (finflow's outbound network policy).
 */
export type UrlGuard = (url: URL) => void | Promise<void>;

const listingSchema = z.array(z.object({ name: z.string(), url: z.string().min(1) }));
const LISTING_MAX_BYTES = 16 * 1024 * 1024;

export class HttpConnector implements BankConnector {
  readonly kind = 'http' as const;
  #closed = false;
  readonly #trustedOrigins: Set<string>;

  constructor(
    private readonly config: HttpConnectorConfig,
    private readonly clock: Clock,
    private readonly guard?: UrlGuard,
    private readonly onRetry?: (event: RetryEvent) => void,
  ) {
    this.#trustedOrigins = new Set([new URL(config.deliverUrl).origin, new URL(config.listUrl).origin]);
  }

  async deliver(file: BankFile): Promise<DeliveryReceipt> {
    assertDeliverableName(file.name);
    if (this.#closed) throw connectorClosed(this.kind);
    const url = new URL(this.config.deliverUrl);
    const headers: Record<string, string> = {
      'content-type': this.config.contentType,
      'x-file-name': file.name,
      'idempotency-key': createHash('sha256').update(file.name).digest('hex'),
    };
    if (this.config.hmac) {
      const signature = createHmac('sha256', this.config.hmac.secret).update(file.content).digest('hex');
      headers[this.config.hmac.header.toLowerCase()] = `sha256=${signature}`;
    }
    return withRetry(
      `HTTP delivery of ${file.name} to ${url.origin}`,
      this.config.retry,
      async () => {
        const response = await this.#request(url, { method: 'POST', headers, body: file.content });
        if (response.ok || response.status === 409) {
          await response.body?.cancel();
          const location = response.headers.get('location');
          return {
            name: file.name,
            deliveredAt: this.clock.now().toISOString(),
            location: location ? new URL(location, url).href : url.href,
            alreadyDelivered: response.status === 409,
          };
        }
        throw await failure(response, `delivery of ${file.name} to ${url.href}`);
      },
      this.onRetry,
    );
  }

  async collect(handle: (file: CollectedFile) => Promise<void>): Promise<CollectResult> {
    if (this.#closed) throw connectorClosed(this.kind);
    const result: CollectResult = { collected: [], failed: [] };
    const listUrl = new URL(this.config.listUrl);
    const listing = await this.#retrying(`HTTP listing ${listUrl.href}`, async () => {
      const response = await this.#request(listUrl, { method: 'GET', headers: { accept: 'application/json' } });
      if (!response.ok) throw await failure(response, `listing ${listUrl.href}`);
      return readListing(await readLimited(response, LISTING_MAX_BYTES, listUrl.href), listUrl);
    });

    for (const entry of [...listing].sort((a, b) => byName(a.name, b.name))) {
      const name = entry.name;
      const problem = inboundNameProblem(name) ?? this.#urlProblem(entry.url, listUrl);
      if (problem) {
        result.failed.push({ name, error: `refused: ${problem}` });
        continue;
      }
      const url = new URL(entry.url, listUrl);
      let content: Buffer;
      try {
        content = await this.#retrying(`HTTP download ${url.href}`, async () => {
          const response = await this.#request(url, { method: 'GET' });
          if (!response.ok) throw await failure(response, `download of ${name}`);
          return readLimited(response, this.config.maxFileBytes, url.href);
        });
      } catch (error) {
        result.failed.push({ name, error: messageOf(error) });
        continue;
      }
      try {
        await handle({ name, content, location: url.href });
      } catch (error) {
        result.failed.push({ name, error: messageOf(error) });
        continue;
      }
      try {
        await this.#retrying(`HTTP acknowledgement ${url.href}`, async () => {
          const response = await this.#request(url, { method: 'DELETE' });
          await response.body?.cancel();
          // 404: acknowledged before (an earlier run whose answer was lost).
          if (!response.ok && response.status !== 404) throw await failure(response, `acknowledgement of ${name}`);
        });
        result.collected.push(name);
      } catch (error) {
        result.failed.push({
          name,
          error: `handled, but not acknowledged (it will be handed again): ${messageOf(error)}`,
        });
      }
    }
    return result;
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #retrying<T>(where: string, operation: () => Promise<T>): Promise<T> {
    return withRetry(where, this.config.retry, operation, this.onRetry);
  }

  async #request(
    url: URL,
    init: { method: string; headers?: Record<string, string>; body?: Buffer },
  ): Promise<Response> {
    await this.guard?.(url);
    const headers = { ...init.headers };
    if (this.config.bearerToken && this.#trustedOrigins.has(url.origin)) {
      headers.authorization = `Bearer ${this.config.bearerToken}`;
    }
    try {
      return await fetch(url, {
        method: init.method,
        headers,
        ...(init.body ? { body: init.body } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.requestTimeoutMs),
      });
    } catch (error) {
      // fetch rejects only when no answer came: refused, reset, DNS, TLS, or our timeout.
      const cause = (error as { cause?: unknown }).cause;
      const detail = cause instanceof Error ? `${messageOf(error)} (${cause.message})` : messageOf(error);
      throw new TransientBankError(`${init.method} ${url.href}: ${detail}`, { cause: error });
    }
  }

  #urlProblem(value: string, base: URL): string | undefined {
    let url: URL;
    try {
      url = new URL(value, base);
    } catch {
      return `its url ${JSON.stringify(value)} is not a URL`;
    }
    if (url.protocol !== 'https:' && !(this.config.allowHttp && url.protocol === 'http:')) {
      return `its url ${url.href} is not ${this.config.allowHttp ? 'http(s)' : 'https'}`;
    }
    if (url.username || url.password) return `its url ${url.origin} carries credentials`;
    return undefined;
  }
}

function readListing(body: Buffer, listUrl: URL): { name: string; url: string }[] {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new AppError('bank_listing_invalid', 502, `the listing at ${listUrl.href} is not JSON: ${messageOf(error)}`);
  }
  const parsed = listingSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError(
      'bank_listing_invalid',
      502,
      `the listing at ${listUrl.href} is not an array of { name, url }: ${['$', ...issue.path].join('.')}: ${issue.message}`,
    );
  }
  return parsed.data;
}

/** Reads a body, refusing (before or while reading) one above `maxBytes`. */
async function readLimited(response: Response, maxBytes: number, what: string): Promise<Buffer> {
  const tooLarge = (): AppError =>
    new AppError('bank_file_too_large', 502, `${what} is larger than maxFileBytes ${maxBytes}`);
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body ?? []) {
      total += (chunk as Uint8Array).byteLength;
      if (total > maxBytes) throw tooLarge();
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    // The connection broke mid-body.
    throw new TransientBankError(`reading ${what}: ${messageOf(error)}`, { cause: error });
  }
  return Buffer.concat(chunks, total);
}

/** The error for an answer that is neither success nor "already delivered": transient or a refusal. */
async function failure(response: Response, what: string): Promise<Error> {
  const excerpt = (await response.text().catch(() => ''))
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, 300);
  const answer = `the bank answered ${response.status}${excerpt ? `: ${excerpt}` : ''}`;
  const status = response.status;
  if (status === 408 || status === 425 || status === 429 || status >= 500) {
    return new TransientBankError(`${what}: ${answer}`, { retryAfterMs: retryAfterMs(response) });
  }
  if (status >= 300 && status < 400) {
    return bankRefused(
      'bank_refused',
      `${what}: the bank answered ${status} to ${response.headers.get('location') ?? '(no location)'}; redirects are not followed`,
    );
  }
  return bankRefused('bank_refused', `${what}: ${answer}`);
}

function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { AppError } from '../../core/errors.js';
import { startBankHttpServer, type BankHttpServer } from '../../testing/bank-http-server.js';
import { connectorContract, type ConnectorHarness } from '../../testing/bank-connector-contract.js';
import type { BankConnectorConfigInput } from './config.js';
import { createBankConnector, type BankConnectorOptions } from './create.js';

/**
 * The HTTP connector against a bank's file API on 127.0.0.1 (src/testing/bank-http-server.ts) that
 * checks the bearer token and the HMAC signature of every delivery.
 */

const TOKEN = 'bank-token-123';
const SECRET = 'a-shared-hmac-secret-of-32-chars!';
const FAST_RETRY = { attempts: 4, initialDelayMs: 10, maxDelayMs: 50 };

function configFor(bank: BankHttpServer, overrides: Record<string, unknown> = {}): BankConnectorConfigInput {
  return {
    kind: 'http',
    deliverUrl: bank.deliverUrl,
    listUrl: bank.listUrl,
    bearerToken: TOKEN,
    hmac: { secret: SECRET },
    allowHttp: true,
    retry: FAST_RETRY,
    ...overrides,
  };
}

const startBank = () => startBankHttpServer({ bearerToken: TOKEN, hmacSecret: SECRET });

async function httpHarness(): Promise<ConnectorHarness> {
  const bank = await startBank();
  return {
    connector: createBankConnector(configFor(bank)),
    offerInbound: (name, content) => Promise.resolve(void bank.inbox.set(name, content)),
    delivered: (name) => Promise.resolve(bank.received.get(name)),
    outboxEntries: () => Promise.resolve([...bank.received.keys()].sort()),
    inboundNames: () => Promise.resolve([...bank.inbox.keys()].sort()),
    archived: (name) => Promise.resolve(bank.archive.get(name)),
    // Every file the bank got was named by a delivery; nothing can land elsewhere.
    strayEntries: () => Promise.resolve([]),
    listBogusInbound: (names) => {
      bank.extraListing = names.map((name) => ({ name, url: `inbox/${encodeURIComponent(name)}` }));
    },
    cleanup: () => bank.close(),
  };
}

connectorContract('HTTP', { outboxArchive: false, bogusListing: true, archiveKeepsReusedNames: false }, httpHarness);

describe('HTTP connector: the wire and its failures', () => {
  let bank: BankHttpServer;
  before(async () => {
    bank = await startBank();
  });
  after(() => bank.close());

  const connect = (overrides: Record<string, unknown> = {}, options: BankConnectorOptions = {}) =>
    createBankConnector(configFor(bank, overrides), options);

  test('a delivery carries the name, the idempotency key, the token and the body signature', async () => {
    const content = Buffer.from('<Document/>');
    const receipt = await connect().deliver({ name: 'wire-1.xml', content });
    assert.equal(receipt.location, `${bank.url}/outbox/wire-1.xml`);
    const request = bank.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['content-type'], 'application/xml');
    assert.equal(request.headers['x-file-name'], 'wire-1.xml');
    assert.equal(request.headers['idempotency-key'], createHash('sha256').update('wire-1.xml').digest('hex'));
    assert.equal(request.headers.authorization, `Bearer ${TOKEN}`);
    assert.match(String(request.headers['x-signature']), /^sha256=[0-9a-f]{64}$/);
  });

  test('5xx and 429 are retried with the same idempotency key; the file arrives once', async () => {
    bank.failNext(1, 503);
    bank.failNext(1, 429, 0);
    const retries: number[] = [];
    const before = bank.requests.length;
    const receipt = await connect({}, { onRetry: (event) => retries.push(event.attempt) }).deliver({
      name: 'wire-2.xml',
      content: Buffer.from('x'),
    });
    assert.equal(receipt.alreadyDelivered, false);
    assert.deepEqual(retries, [1, 2]);
    const posts = bank.requests.slice(before);
    assert.equal(posts.length, 3);
    assert.equal(new Set(posts.map((r) => r.headers['idempotency-key'])).size, 1);
    assert.deepEqual(bank.received.get('wire-2.xml'), Buffer.from('x'));
  });

  test('a 4xx other than 409 is the bank refusing: not retried, the answer in the error', async () => {
    bank.failNext(1, 422);
    const before = bank.requests.length;
    await assert.rejects(connect().deliver({ name: 'wire-3.xml', content: Buffer.from('x') }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'bank_refused');
      assert.match(error.message, /the bank answered 422: injected 422/);
      return true;
    });
    assert.equal(bank.requests.length, before + 1);
  });

  test('a bank that stays down: bounded retries, then bank_unavailable', async () => {
    bank.failNext(FAST_RETRY.attempts, 502);
    await assert.rejects(
      connect().deliver({ name: 'wire-4.xml', content: Buffer.from('x') }),
      (error: unknown) =>
        error instanceof AppError && error.code === 'bank_unavailable' && /gave up after 4/.test(error.message),
    );
    const down = await startBankHttpServer();
    await down.close();
    await assert.rejects(
      connect({ deliverUrl: down.deliverUrl, retry: { attempts: 2, initialDelayMs: 1, maxDelayMs: 1 } }).deliver({
        name: 'wire-5.xml',
        content: Buffer.from('x'),
      }),
      (error: unknown) =>
        error instanceof AppError && error.code === 'bank_unavailable' && /ECONNREFUSED/.test(error.message),
    );
  });

  test('a wrong token or signature is refused by the bank and reported, not retried', async () => {
    await assert.rejects(
      connect({ hmac: { secret: 'another-secret-that-is-32-chars-long' } }).deliver({
        name: 'wire-6.xml',
        content: Buffer.from('x'),
      }),
      /the bank answered 401: bad signature/,
    );
    assert.equal(bank.received.has('wire-6.xml'), false);
  });

  test('the guard sees every URL and can refuse one; a refused file stays listed', async () => {
    bank.inbox.set('stmt-1.xml', Buffer.from('1'));
    bank.inbox.set('stmt-2.xml', Buffer.from('2'));
    const seen: string[] = [];
    const connector = connect(
      {},
      {
        guard: (url) => {
          seen.push(url.pathname);
          if (url.pathname.endsWith('stmt-2.xml')) throw new Error(`${url.href} is not allowed`);
        },
      },
    );
    const result = await connector.collect(() => Promise.resolve());
    assert.deepEqual(result.collected, ['stmt-1.xml']);
    assert.deepEqual(result.failed, [{ name: 'stmt-2.xml', error: `${bank.url}/inbox/stmt-2.xml is not allowed` }]);
    // Listing, download, acknowledgement, then the refused download.
    assert.deepEqual(seen, ['/inbox', '/inbox/stmt-1.xml', '/inbox/stmt-1.xml', '/inbox/stmt-2.xml']);
    assert.deepEqual([...bank.inbox.keys()], ['stmt-2.xml']);
    bank.inbox.clear();
  });

  test('the bearer token never goes to a file URL on another origin', async () => {
    const elsewhere = await startBankHttpServer();
    elsewhere.inbox.set('far.xml', Buffer.from('far'));
    bank.extraListing = [{ name: 'far.xml', url: `${elsewhere.url}/inbox/far.xml` }];
    try {
      const result = await connect().collect(() => Promise.resolve());
      assert.deepEqual(result, { collected: ['far.xml'], failed: [] });
      assert.equal(elsewhere.requests.length, 2);
      for (const request of elsewhere.requests) assert.equal(request.headers.authorization, undefined);
    } finally {
      bank.extraListing = [];
      await elsewhere.close();
    }
  });

  test('a listing that fails, or is not [{ name, url }], is an error naming the path', async () => {
    const connector = connect({ listUrl: `${bank.url}/nowhere` });
    await assert.rejects(
      connector.collect(() => Promise.resolve()),
      /answered 404/,
    );
    bank.extraListing = [{ name: 'x', url: '' }];
    await assert.rejects(
      connect().collect(() => Promise.resolve()),
      (error: unknown) =>
        error instanceof AppError && error.code === 'bank_listing_invalid' && /\$\.0\.url/.test(error.message),
    );
    bank.extraListing = [];
  });
});

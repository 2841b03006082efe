import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A bank's HTTP file API on 127.0.0.1, the shape the HTTP bank connector speaks
 * (docs/bank-connectors.md): `POST /outbox` takes a file named by `X-File-Name` (409 for a name it
 * already has), `GET /inbox` lists `[{ name, url }]`, `GET /inbox/<name>` serves a file and
 * `DELETE /inbox/<name>` acknowledges it (the file moves to `archive`). It checks the bearer token and
 * the HMAC signature when configured, and `failNext` makes it answer errors, to test retries.
 */
export interface BankHttpServerOptions {
  bearerToken?: string;
  hmacSecret?: string;
  signatureHeader?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface BankHttpServer {
  url: string;
  deliverUrl: string;
  listUrl: string;
  /** Files delivered to the bank, by name. */
  received: Map<string, Buffer>;
  /** Files waiting for finflow, by name. */
  inbox: Map<string, Buffer>;
  /** Files finflow acknowledged. */
  archive: Map<string, Buffer>;
  requests: RecordedRequest[];
  /** Entries added to every listing, as they are (a hostile bank's `../x`, a URL elsewhere). */
  extraListing: { name: string; url: string }[];
  /** The next `count` requests are answered `status` (with `retryAfter` seconds when given). */
  failNext(count: number, status: number, retryAfter?: number): void;
  close(): Promise<void>;
}

export async function startBankHttpServer(options: BankHttpServerOptions = {}): Promise<BankHttpServer> {
  const failures: { status: number; retryAfter: number | undefined }[] = [];
  const state: BankHttpServer = {
    url: '',
    deliverUrl: '',
    listUrl: '',
    received: new Map(),
    inbox: new Map(),
    archive: new Map(),
    requests: [],
    extraListing: [],
    failNext(count, status, retryAfter) {
      for (let i = 0; i < count; i++) failures.push({ status, retryAfter });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const answer = (response: ServerResponse, status: number, body = '', type = 'text/plain'): void => {
    response.writeHead(status, { 'content-type': type });
    response.end(body);
  };

  async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', state.url);
    state.requests.push({ method: request.method ?? '', path: url.pathname, headers: request.headers });
    const body = await readBody(request);
    const failure = failures.shift();
    if (failure) {
      if (failure.retryAfter !== undefined) response.setHeader('retry-after', String(failure.retryAfter));
      return answer(response, failure.status, `injected ${failure.status}`);
    }
    if (options.bearerToken && request.headers.authorization !== `Bearer ${options.bearerToken}`) {
      return answer(response, 401, 'bad token');
    }
    if (request.method === 'POST' && url.pathname === '/outbox') {
      if (options.hmacSecret) {
        const header = (options.signatureHeader ?? 'x-signature').toLowerCase();
        const expected = `sha256=${createHmac('sha256', options.hmacSecret).update(body).digest('hex')}`;
        const given = String(request.headers[header] ?? '');
        if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
          return answer(response, 401, 'bad signature');
        }
      }
      const name = request.headers['x-file-name'];
      if (typeof name !== 'string' || !name) return answer(response, 400, 'X-File-Name is required');
      if (state.received.has(name)) return answer(response, 409, `${name} was delivered before`);
      state.received.set(name, body);
      response.setHeader('location', `/outbox/${encodeURIComponent(name)}`);
      return answer(response, 201);
    }
    if (request.method === 'GET' && url.pathname === '/inbox') {
      // Deliberately not in name order: the connector sorts.
      const listing = [...state.inbox.keys()]
        .reverse()
        .map((name) => ({ name, url: `inbox/${encodeURIComponent(name)}` }));
      return answer(response, 200, JSON.stringify([...listing, ...state.extraListing]), 'application/json');
    }
    const file = /^\/inbox\/([^/]+)$/.exec(url.pathname);
    if (file) {
      const name = decodeURIComponent(file[1]!);
      const content = state.inbox.get(name);
      if (request.method === 'GET') {
        if (!content) return answer(response, 404);
        response.writeHead(200, { 'content-type': 'application/xml', 'content-length': content.length });
        return void response.end(content);
      }
      if (request.method === 'DELETE') {
        if (!content) return answer(response, 404);
        state.inbox.delete(name);
        state.archive.set(name, content);
        return answer(response, 204);
      }
    }
    answer(response, 404);
  }

  const server = createServer((request, response) => {
    serve(request, response).catch((error: Error) => answer(response, 500, error.message));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.deliverUrl = `${state.url}/outbox`;
  state.listUrl = `${state.url}/inbox`;
  return state;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { twilioSignature } from '../domains/channels/sms/sms-status.js';

/**
 * For tests: a real HTTP server on 127.0.0.1 that plays Twilio's Messages API — basic auth,
 * form bodies, E.164 numbers, idempotency by `I-Twilio-Idempotency-Token`, JSON answers shaped like
 * Twilio's — and sends signed status callbacks the way Twilio does. `messages` is what handsets
 * would receive: one entry per idempotency token, however often the request was retried.
 */
export interface FakeTwilioMessage {
  sid: string;
  to: string;
  from: string | undefined;
  body: string;
  statusCallback: string | undefined;
}

export interface FakeTwilioRequest {
  path: string;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  form: Record<string, string>;
}

export interface FakeTwilio {
  url: string;
  account: string;
  token: string;
  requests: FakeTwilioRequest[];
  messages: Map<string, FakeTwilioMessage>;
  /** Numbers whose first request per idempotency token is answered 500 (the retry succeeds). */
  failFirstTo: Set<string>;
  /** Numbers whose requests are answered only after `hangMs`. */
  hangTo: Set<string>;
  hangMs: number;
  /** Posts a status callback for a message to its StatusCallback URL, signed like Twilio. */
  sendStatus(sid: string, status: string, errorCode?: string): Promise<Response>;
  close(): Promise<void>;
}

const E164 = /^\+[1-9]\d{6,14}$/;

export async function startFakeTwilio(
  account = 'AC0123456789abcdef0123456789abcdef',
  token = 'fake-twilio-token-0123',
): Promise<FakeTwilio> {
  const requests: FakeTwilioRequest[] = [];
  const messages = new Map<string, FakeTwilioMessage>();
  const failed = new Set<string>();
  const expectedAuth = `Basic ${Buffer.from(`${account}:${token}`).toString('base64')}`;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    const key = header(req, 'i-twilio-idempotency-token');
    const record: FakeTwilioRequest = {
      path: req.url ?? '',
      authorization: header(req, 'authorization'),
      idempotencyKey: key,
      headers: req.headers,
      form,
    };
    requests.push(record);
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${account}/Messages.json`) {
      return answer(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    }
    if (record.authorization !== expectedAuth) {
      return answer(401, { code: 20003, message: 'Authentication Error - invalid username', status: 401 });
    }
    const to = form.To ?? '';
    if (!E164.test(to)) {
      return answer(400, { code: 21211, message: `Invalid 'To' Phone Number: ${to}`, status: 400 });
    }
    if (!form.Body) return answer(400, { code: 21602, message: 'Message body is required.', status: 400 });
    if (fake.hangTo.has(to)) await new Promise((resolve) => setTimeout(resolve, fake.hangMs));
    if (key && fake.failFirstTo.has(to) && !failed.has(key)) {
      failed.add(key);
      return answer(500, { code: 20500, message: 'Internal Server Error', status: 500 });
    }
    // Same token again: Twilio answers with the message it already has instead of sending twice.
    const existing = key ? messages.get(key) : undefined;
    const message = existing ?? {
      sid: `SM${randomBytes(16).toString('hex')}`,
      to,
      from: form.From ?? form.MessagingServiceSid,
      body: form.Body,
      statusCallback: form.StatusCallback,
    };
    if (!existing) messages.set(key ?? message.sid, message);
    return answer(201, {
      sid: message.sid,
      status: 'queued',
      to,
      from: message.from,
      body: message.body,
      account_sid: account,
    });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const fake: FakeTwilio = {
    url: `http://127.0.0.1:${port}`,
    account,
    token,
    requests,
    messages,
    failFirstTo: new Set(),
    hangTo: new Set(),
    hangMs: 2000,
    async sendStatus(sid, status, errorCode) {
      const message = [...messages.values()].find((m) => m.sid === sid);
      if (!message?.statusCallback) throw new Error(`fake Twilio: message ${sid} has no StatusCallback`);
      const params = new URLSearchParams({
        AccountSid: account,
        MessageSid: sid,
        SmsSid: sid,
        MessageStatus: status,
        SmsStatus: status,
        To: message.to,
      });
      if (errorCode) params.set('ErrorCode', errorCode);
      return fetch(message.statusCallback, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(token, message.statusCallback, params),
        },
        body: params.toString(),
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * For tests: a real HTTP server on 127.0.0.1 that plays a credit bureau the way finflow's shipped
 * `credit-application` workflow calls it (docs: the credit API contract):
 *
 *   POST {url}  {"nationalId": "...", "name": "...", "dateOfBirth": "YYYY-MM-DD"}  + Idempotency-Key
 *   → 200 the report set for that nationalId · 404 no file (unknown, or set to null) · 503 while failing
 *
 * Every request is kept in `requests`, in arrival order, with the status it was answered.
 */
export interface BureauReport {
  score: number;
  /** Minor units, as numbers (the bureau's format, not finflow's decimal strings). */
  estimatedMonthlyIncome: number;
  monthlyDebtPayments: number;
  recentDefault: boolean;
  name: string;
  dateOfBirth: string;
}

export interface FakeBureauRequest {
  method: string;
  path: string;
  /** The parsed JSON body (undefined when it was not JSON). */
  body: { nationalId?: unknown; name?: unknown; dateOfBirth?: unknown } | undefined;
  headers: IncomingHttpHeaders;
  /** What the fake answered. */
  status: number;
}

export interface FakeBureau {
  /** The full report URL to configure in PUT /credit/settings. */
  url: string;
  requests: FakeBureauRequest[];
  /** The report for a national id; null (or never set) → 404 "no file". */
  setReport(nationalId: string, report: BureauReport | null): void;
  /** The next `n` requests are answered 503, whatever they ask. */
  failNext(n: number): void;
  close(): Promise<void>;
}

const PATH = '/v1/reports';

export async function startFakeBureau(): Promise<FakeBureau> {
  const reports = new Map<string, BureauReport | null>();
  const requests: FakeBureauRequest[] = [];
  let failing = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: FakeBureauRequest['body'];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeBureauRequest['body'];
    } catch {
      body = undefined;
    }
    const record: FakeBureauRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      body,
      headers: req.headers,
      status: 0,
    };
    requests.push(record);
    const answer = (status: number, payload: unknown) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };

    if (failing > 0) {
      failing -= 1;
      return answer(503, { error: 'service_unavailable', message: 'bureau temporarily unavailable' });
    }
    // A wrong method or path is a client bug: answer 400/405, never the 404 that means "no file".
    if (req.method !== 'POST') return answer(405, { error: 'method_not_allowed' });
    if (req.url !== PATH) return answer(400, { error: 'unknown_path', path: req.url });
    if (typeof body?.nationalId !== 'string' || body.nationalId === '') {
      return answer(400, { error: 'invalid_request', message: 'nationalId is required' });
    }
    const report = reports.get(body.nationalId);
    if (!report) return answer(404, { error: 'not_found', message: `no file for ${body.nationalId}` });
    return answer(200, report);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${PATH}`,
    requests,
    setReport(nationalId, report) {
      reports.set(nationalId, report);
    },
    failNext(n) {
      failing = n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

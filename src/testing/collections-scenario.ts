import assert from 'node:assert/strict';
import type { Config } from '../config/config.js';
import { ManualClock } from '../core/clock.js';
import { decisionTable, text } from '../engine/decisions/decision-table.js';
import type { Worker } from '../engine/runtime/worker.js';
import { addDays } from '../domains/receivables/schedule/due-dates.js';
import { apiClient, type ApiClient, type Body } from './api-client.js';
import { startFakeTwilio, type FakeTwilio } from './fake-twilio.js';
import { startSmtpTestServer, type SmtpTestServer } from './smtp-test-server.js';
import { startTestServer, type TestServer } from './test-server.js';

/**
 * A collections world for end-to-end tests: a real server (worker driven by the test, so every run
 * is deterministic), a real SMTP server, a Twilio-shaped SMS provider, people with API keys, and a
 * manual clock moved day by day at 10:00 UTC (inside contact hours in Europe) with the close of
 * business run each day, as a bank would.
 */
export interface CollectionsScenario extends ApiClient {
  server: TestServer;
  smtp: SmtpTestServer;
  twilio: FakeTwilio;
  clock: ManualClock;
  worker: Worker;
  tokens: Record<string, string>;
  today(): string;
  drain(): Promise<number>;
  /** Each day up to `date`: 10:00 UTC, run what is due, close of business, run what that caused. */
  runUntil(date: string): Promise<void>;
  /** A customer (Europe/Madrid unless given) with a 12-month loan first due 8 days from today. */
  loan(customer: Body, principal?: string): Promise<Account>;
  /** The case of a receivable, in full. */
  caseOf(receivableId: string): Promise<Body>;
  openTasks(filter: string): Promise<Body[]>;
  pay(receivableId: string, amount: string): Promise<Body>;
  mailsTo(address: string): string[];
  close(): Promise<void>;
}

export interface Account {
  customerId: string;
  customerExt: string;
  receivableId: string;
  ext: string;
}

let seq = 0;

export async function collectionsScenario(
  options: { start?: string; people?: Record<string, string>; config?: Partial<Config> } = {},
): Promise<CollectionsScenario> {
  let today = options.start ?? '2026-03-02';
  const clock = new ManualClock(`${today}T10:00:00Z`);
  const smtp = await startSmtpTestServer();
  const twilio = await startFakeTwilio();
  const server = await startTestServer({
    clock,
    worker: false,
    config: {
      smtpUrl: smtp.url,
      smsUrl: twilio.url,
      smsAccount: twilio.account,
      smsFrom: '+15005550006',
      ...options.config,
    },
    secrets: { SMS_AUTH_TOKEN: twilio.token },
  });
  const api = apiClient(() => server);
  const { call, expect } = api;
  const worker = server.engine.createWorker();
  const tokens: Record<string, string> = {};
  for (const [name, role] of Object.entries(options.people ?? {})) {
    tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
  }
  const drain = () => worker.runUntilIdle();

  const scenario: CollectionsScenario = {
    ...api,
    server,
    smtp,
    twilio,
    clock,
    worker,
    tokens,
    today: () => today,
    drain,
    async runUntil(date) {
      while (today < date) {
        today = addDays(today, 1);
        clock.set(`${today}T10:00:00.000Z`);
        await drain();
        expect(await call('POST', '/receivables/close-of-business', { json: { asOf: today } }), 200);
        await drain();
      }
    },
    async loan(customer, principal = '1000000') {
      seq += 1;
      const ext = `LN-${process.pid}-${seq}`;
      const customerExt = `CU-${process.pid}-${seq}`;
      const created = expect(
        await call('POST', '/customers', { json: { externalId: customerExt, timeZone: 'Europe/Madrid', ...customer } }),
        201,
      );
      const receivable = expect(
        await call('POST', '/receivables', {
          key: `loan-${ext}`,
          json: {
            externalId: ext,
            customerExternalId: customerExt,
            kind: 'loan',
            currency: 'EUR',
            issueDate: today,
            principal,
            annualRate: '0.12',
            termMonths: 12,
            method: 'annuity',
            firstDueDate: addDays(today, 8),
          },
        }),
        201,
      );
      return { customerId: String(created.id), customerExt, receivableId: String(receivable.id), ext };
    },
    async caseOf(receivableId) {
      const list = expect(await call('GET', `/collections/cases?limit=500`), 200);
      const found = (list.data as Body[]).find((c) => c.receivableId === receivableId);
      assert.ok(found, `a case for ${receivableId}`);
      return expect(await call('GET', `/collections/cases/${found.id}`), 200);
    },
    async openTasks(filter) {
      return expect(await call('GET', `/tasks?status=open&${filter}`), 200).data as Body[];
    },
    async pay(receivableId, amount) {
      seq += 1;
      return expect(
        await call('POST', `/receivables/${receivableId}/payments`, {
          key: `pay-${process.pid}-${seq}`,
          json: { externalId: `P-${process.pid}-${seq}`, amount, currency: 'EUR', receivedOn: today },
        }),
        201,
      );
    },
    mailsTo: (address) =>
      smtp.messages.filter((m) => JSON.stringify(m.to ?? '').includes(address)).map((m) => m.subject ?? ''),
    async close() {
      await server.close();
      await smtp.close();
      await twilio.close();
    },
  };
  return scenario;
}

/** One stage of a test strategy: its id, the days past due it runs at, its kind and template. */
export type TestStage = [stage: string, dpd: number, kind: string, template: string | null];

/**
 * A short consumer-low champion strategy for tests, as a `collections.strategy` collect table, so
 * each kind of stage comes within days.
 */
export function shortStrategy(name: string, stages: TestStage[]) {
  return decisionTable({
    name,
    hitPolicy: 'collect',
    inputs: [
      { id: 'segment', name: 'Segment', field: 'segment' },
      { id: 'variant', name: 'Variant', field: 'variant' },
    ],
    outputs: ['stage', 'dpd', 'kind', 'template', 'fee'].map((f) => ({ id: f, name: f, field: f })),
    rules: stages.map(([stage, dpd, kind, template]) => ({
      id: stage,
      cells: {
        segment: text('consumer-low'),
        variant: text('champion'),
        stage: text(stage),
        dpd: String(dpd),
        kind: text(kind),
        template: template === null ? 'null' : text(template),
        fee: 'null',
      },
    })),
  });
}

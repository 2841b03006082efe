import { ManualClock } from '../../core/clock.js';
import { loadConfig } from '../../config/config.js';
import { secretStore } from '../../config/secrets.js';
import { createLogger } from '../../observability/logger.js';
import { startServer, type RunningServer } from '../../server.js';
import type { Database } from '../../storage/database.js';
import { startFakeTwilio, type FakeTwilio } from '../fake-twilio.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

/**
 * A finflow to simulate on: the real server (HTTP on 127.0.0.1, a random port) on the database
 * given, with no worker of its own (the simulator drives one, so runs are deterministic), a manual
 * clock, an SMTP server (pooled connections) and a Twilio-shaped SMS provider on 127.0.0.1.
 */
export interface SimulationWorld {
  server: RunningServer;
  clock: ManualClock;
  smtp: SmtpSink;
  twilio: FakeTwilio;
  adminToken: string;
  /** GET a JSON API route (under /api/v1) as the bootstrap admin. */
  get(path: string): Promise<unknown>;
  close(): Promise<void>;
}

export async function startSimulationWorld(database: Database, start = '2026-03-02'): Promise<SimulationWorld> {
  const clock = new ManualClock(`${start}T00:00:00.000Z`);
  const smtp = await startSmtpSink();
  const twilio = await startFakeTwilio();
  const config = loadConfig({
    env: {},
    overrides: {
      port: 0,
      host: '127.0.0.1',
      shutdownTimeoutMs: 2000,
      worker: false,
      webhookDelivery: false,
      smtpUrl: smtp.url,
      smsUrl: twilio.url,
      smsAccount: twilio.account,
      smsFrom: '+15005550006',
    },
  });
  const server = await startServer(config, {
    database,
    clock,
    logger: createLogger(process.env.FINFLOW_LOG_LEVEL ?? 'silent'),
    secrets: secretStore({ SMS_AUTH_TOKEN: twilio.token }),
  });
  const adminToken = server.bootstrapKey!.token;
  return {
    server,
    clock,
    smtp,
    twilio,
    adminToken,
    async get(path) {
      const response = await fetch(`${server.url}/api/v1${path}`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      const body: unknown = await response.json();
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(body)}`);
      return body;
    },
    async close() {
      await server.close();
      await smtp.close();
      await twilio.close();
    },
  };
}

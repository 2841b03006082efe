import { ANOMALY_CHECKS_KEY, anomalyChecksJdm } from '../domains/payments/policy/anomaly-checks.js';
import type { JdmDocument } from '../engine/index.js';
import type { TestServer } from './test-server.js';

/**
 * For tests about something else (batching, status reports, statements, reconciliation): deploys a
 * version of payments.anomaly-checks without rows, so their many small payments — same amounts,
 * same references, round numbers to beneficiaries entered that day — are approved automatically
 * as the matrix says. The checks themselves are tested in domains/payments/payment-anomalies.test.ts.
 */
export async function switchOffAnomalyChecks(server: Pick<TestServer, 'call'>): Promise<void> {
  const content = anomalyChecksOff();
  const res = await server.call(`/api/v1/decisions/${ANOMALY_CHECKS_KEY}`, { method: 'PUT', json: content });
  if (res.status !== 201) throw new Error(`switching off the anomaly checks: ${res.status} ${await res.text()}`);
}

/** The shipped table without rows: PUT it as /decisions/payments.anomaly-checks. */
export function anomalyChecksOff(): JdmDocument {
  const content = anomalyChecksJdm();
  for (const node of content.nodes) {
    if (node.type === 'decisionTableNode') (node.content as { rules: unknown[] }).rules = [];
  }
  return content;
}

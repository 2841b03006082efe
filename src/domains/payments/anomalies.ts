import type { DecisionEvaluator } from '../../engine/index.js';
import type { DomainWork } from '../unit-of-work.js';
import { anomalyFacts, type AnomalyFacts } from './anomaly-facts.js';
import type { Anomaly } from './instructions.js';
import { ANOMALY_CHECKS_KEY } from './policy/anomaly-checks.js';
import type { PaymentRow } from './tables.js';

/**
 * Anomaly checks when a payment's approval starts: the facts (SQL, anomaly-facts.ts) are judged by
 * the decision payments.anomaly-checks; its hits are stored on the payment, audited and published as
 * `payment.anomaly_detected`, so a workflow or webhook can alert. The approval then needs at least
 * one person (approval.ts).
 */

export const ANOMALY_EVENT = 'payment.anomaly_detected';
const SYSTEM = 'system:payments';

export interface AnomalyCheck {
  anomalies: Anomaly[];
  decision: { key: string; version: number };
  input: AnomalyFacts;
}

/** The {check, reason} rows of the collect table's answer; rows without a check (an edited table) are ignored. */
function readHits(result: unknown): Anomaly[] {
  const rows: unknown[] = Array.isArray(result) ? result : [];
  return rows.flatMap((row) => {
    const r = row as { check?: unknown; reason?: unknown } | null;
    return r && typeof r.check === 'string' && r.check !== ''
      ? [{ check: r.check, reason: typeof r.reason === 'string' ? r.reason : '' }]
      : [];
  });
}

export async function checkAnomalies(
  unit: DomainWork,
  evaluator: DecisionEvaluator,
  payment: PaymentRow,
): Promise<AnomalyCheck> {
  const input = (await anomalyFacts(unit.tx, [payment.id], unit.clock.now())).get(payment.id)!;
  const outcome = await evaluator.evaluate(unit.tx, ANOMALY_CHECKS_KEY, input);
  const anomalies = readHits(outcome.result);
  const decision = { key: outcome.key, version: outcome.version };
  await unit.tx
    .updateTable('payment_instructions')
    .set({ anomalies: JSON.stringify(anomalies) })
    .where('id', '=', payment.id)
    .execute();
  if (anomalies.length > 0) {
    unit.audit({
      action: ANOMALY_EVENT,
      entityType: 'payment_instruction',
      entityId: payment.id,
      before: { status: payment.status },
      after: { status: payment.status, by: SYSTEM, anomalies, decision },
    });
    unit.publish(ANOMALY_EVENT, payment.id, {
      paymentId: payment.id,
      status: payment.status,
      amount: payment.amount.toString(),
      currency: payment.currency,
      bankAccountId: payment.bank_account_id,
      beneficiaryId: payment.beneficiary_id,
      createdBy: payment.created_by,
      anomalies,
      decision,
    });
  }
  return { anomalies, decision, input };
}

import { readFileSync } from 'node:fs';
import type { DomainContext } from '../contract.js';
import { definitionExists, getQueue, latestDecisionVersion, putDecision, putQueue } from '../../engine/index.js';
import { ANOMALY_CHECKS_KEY, anomalyChecksJdm } from './policy/anomaly-checks.js';
import { APPROVAL_MATRIX_KEY, APPROVER_QUEUE, approvalMatrixJdm } from './policy/approval-matrix.js';

/**
 * Deploys the shipped approval matrix, the anomaly checks, the payment-instruction-approval workflow and the (empty)
 * approvers' queue when they are absent — never over a version a treasury deployed, so their edits survive upgrades. Idempotent and
 * safe for several processes starting at once (deploys serialise per key).
 */
export const APPROVAL_WORKFLOW_KEY = 'payment-instruction-approval';
/** Daily: the approved payables falling due become payment instructions (payables/payables.ts). */
export const PAYABLES_SCHEDULE_KEY = 'payables-schedule';
/** Daily: the occurrences of recurring payments falling due become payment instructions (recurring/). */
export const RECURRING_RUN_KEY = 'recurring-payments-run';
/** Daily: credit's pending loan payouts become payment instructions (disbursements/). */
export const DISBURSEMENTS_RUN_KEY = 'disbursements-run';
const ACTOR = 'system:payments';

export function approvalWorkflowSource(): string {
  return readFileSync(new URL('./workflow/payment-instruction-approval.yaml', import.meta.url), 'utf8');
}

export async function installPayments(context: DomainContext): Promise<{ deployed: string[] }> {
  const deployed: string[] = [];
  const decisions = [
    { key: APPROVAL_MATRIX_KEY, content: approvalMatrixJdm },
    { key: ANOMALY_CHECKS_KEY, content: anomalyChecksJdm },
  ];
  for (const decision of decisions) {
    if ((await latestDecisionVersion(context.database.db, decision.key)) !== undefined) continue;
    const result = await putDecision(
      context.database,
      { key: decision.key, content: decision.content(), actor: ACTOR },
      context.clock,
    );
    if (result.created) deployed.push(`${decision.key}@${result.version}`);
  }
  if (!(await definitionExists(context.database.db, APPROVAL_WORKFLOW_KEY))) {
    const result = await context.engine.deploy({ source: approvalWorkflowSource(), format: 'yaml', actor: ACTOR });
    deployed.push(`${result.key}@${result.version}`);
  }
  for (const key of [PAYABLES_SCHEDULE_KEY, RECURRING_RUN_KEY, DISBURSEMENTS_RUN_KEY]) {
    if (await definitionExists(context.database.db, key)) continue;
    const source = readFileSync(new URL(`./workflow/${key}.yaml`, import.meta.url), 'utf8');
    const result = await context.engine.deploy({ source, format: 'yaml', actor: ACTOR });
    deployed.push(`${result.key}@${result.version}`);
  }
  // The queue the approval tasks go to; an administrator adds the approvers (Administration → Queues).
  if (!(await getQueue(context.database.db, APPROVER_QUEUE))) {
    await putQueue(context.database, { name: APPROVER_QUEUE, members: [], actor: ACTOR }, context.clock);
    deployed.push(`queue ${APPROVER_QUEUE}`);
  }
  return { deployed };
}

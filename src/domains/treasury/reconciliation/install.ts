import { readFileSync } from 'node:fs';
import type { DomainContext } from '../../contract.js';
import { definitionExists, getQueue, latestDecisionVersion, putDecision, putQueue } from '../../../engine/index.js';
import { RECONCILIATION_RULES_KEY, reconciliationRulesJdm } from './rules.js';

/**
 * Deploys the shipped reconciliation rules, the exception workflow and the (empty) treasury queue when
 * they are absent — never over what a treasury deployed, so its edits survive upgrades. Idempotent.
 */
export const EXCEPTION_WORKFLOW_KEY = 'treasury-reconciliation-exception';
export const RECONCILIATION_QUEUE = 'treasury-reconciliation';
const ACTOR = 'system:treasury';

export function exceptionWorkflowSource(): string {
  return readFileSync(new URL('./workflow/reconciliation-exception.yaml', import.meta.url), 'utf8');
}

export async function installReconciliation(context: DomainContext): Promise<{ deployed: string[] }> {
  const deployed: string[] = [];
  if ((await latestDecisionVersion(context.database.db, RECONCILIATION_RULES_KEY)) === undefined) {
    const result = await putDecision(
      context.database,
      { key: RECONCILIATION_RULES_KEY, content: reconciliationRulesJdm(), actor: ACTOR },
      context.clock,
    );
    if (result.created) deployed.push(`${RECONCILIATION_RULES_KEY}@${result.version}`);
  }
  if (!(await definitionExists(context.database.db, EXCEPTION_WORKFLOW_KEY))) {
    const result = await context.engine.deploy({ source: exceptionWorkflowSource(), format: 'yaml', actor: ACTOR });
    deployed.push(`${result.key}@${result.version}`);
  }
  // Where exception tasks go; an administrator adds the treasury people (Administration → Queues).
  if (!(await getQueue(context.database.db, RECONCILIATION_QUEUE))) {
    await putQueue(context.database, { name: RECONCILIATION_QUEUE, members: [], actor: ACTOR }, context.clock);
    deployed.push(`queue ${RECONCILIATION_QUEUE}`);
  }
  return { deployed };
}

import { readFileSync } from 'node:fs';
import type { DomainContext } from '../contract.js';
import { definitionExists, latestDecisionVersion, putDecision } from '../../engine/index.js';
import { shippedPolicy } from './policy/shipped-policy.js';

/**
 * Deploys the shipped credit policy (five decisions) and the credit-application workflow when they
 * are absent — never over a version a credit team deployed, so their edits survive upgrades.
 * Idempotent and safe for several processes starting at once (deploys serialise per key).
 */
export const CREDIT_WORKFLOW_KEY = 'credit-application';
const ACTOR = 'system:credit';

export function creditWorkflowSource(): string {
  return readFileSync(new URL('./workflow/credit-application.yaml', import.meta.url), 'utf8');
}

export async function installCreditPolicy(context: DomainContext): Promise<{ deployed: string[] }> {
  const deployed: string[] = [];
  for (const { key, content } of shippedPolicy()) {
    if ((await latestDecisionVersion(context.database.db, key)) !== undefined) continue;
    const result = await putDecision(context.database, { key, content, actor: ACTOR }, context.clock);
    if (result.created) deployed.push(`${key}@${result.version}`);
  }
  if (!(await definitionExists(context.database.db, CREDIT_WORKFLOW_KEY))) {
    const result = await context.engine.deploy({ source: creditWorkflowSource(), format: 'yaml', actor: ACTOR });
    deployed.push(`${result.key}@${result.version}`);
  }
  return { deployed };
}

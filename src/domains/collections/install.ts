import { readFileSync } from 'node:fs';
import type { DomainContext } from '../contract.js';
import { definitionExists, latestDecisionVersion, putDecision } from '../../engine/index.js';
import { shippedCollectionsPolicy } from './policy/shipped-strategies.js';

/**
 * Deploys the shipped collections policy (collections.segment, collections.strategy) and the
 * collections-case, collections-hardship and pre-due workflows when they are absent — never over a version a team deployed.
 */
export const COLLECTIONS_WORKFLOW_KEY = 'collections-case';
export const HARDSHIP_WORKFLOW_KEY = 'collections-hardship';
const WORKFLOWS = [
  COLLECTIONS_WORKFLOW_KEY,
  HARDSHIP_WORKFLOW_KEY,
  'collections-pre-due',
  'collections-pre-due-reminder',
];
const ACTOR = 'system:collections';

export function collectionsWorkflowSource(key = COLLECTIONS_WORKFLOW_KEY): string {
  return readFileSync(new URL(`./workflow/${key}.yaml`, import.meta.url), 'utf8');
}

export async function installCollectionsPolicy(context: DomainContext): Promise<{ deployed: string[] }> {
  const deployed: string[] = [];
  for (const { key, content } of shippedCollectionsPolicy()) {
    if ((await latestDecisionVersion(context.database.db, key)) !== undefined) continue;
    const result = await putDecision(context.database, { key, content, actor: ACTOR }, context.clock);
    if (result.created) deployed.push(`${key}@${result.version}`);
  }
  for (const key of WORKFLOWS) {
    if (await definitionExists(context.database.db, key)) continue;
    const result = await context.engine.deploy({
      source: collectionsWorkflowSource(key),
      format: 'yaml',
      actor: ACTOR,
    });
    deployed.push(`${result.key}@${result.version}`);
  }
  return { deployed };
}

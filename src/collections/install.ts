import { readFileSync } from 'node:fs';
import type { DomainContext } from '../domains.js';
import { latestDecisionVersion, putDecision } from '../engine/decisions/decision-store.js';
import { shippedCollectionsPolicy } from './policy/shipped-strategies.js';

/**
 * Deploys the shipped collections policy (collections.segment, collections.strategy) and the
 * collections-case workflow when they are absent — never over a version a team deployed.
 */
export const COLLECTIONS_WORKFLOW_KEY = 'collections-case';
const ACTOR = 'system:collections';

export function collectionsWorkflowSource(): string {
  return readFileSync(new URL('./workflow/collections-case.yaml', import.meta.url), 'utf8');
}

export async function installCollectionsPolicy(context: DomainContext): Promise<{ deployed: string[] }> {
  const deployed: string[] = [];
  for (const { key, content } of shippedCollectionsPolicy()) {
    if ((await latestDecisionVersion(context.database.db, key)) !== undefined) continue;
    const result = await putDecision(context.database, { key, content, actor: ACTOR }, context.clock);
    if (result.created) deployed.push(`${key}@${result.version}`);
  }
  const workflow = await context.database.db
    .selectFrom('wf_definitions')
    .select('version')
    .where('key', '=', COLLECTIONS_WORKFLOW_KEY)
    .limit(1)
    .executeTakeFirst();
  if (!workflow) {
    const result = await context.engine.deploy({ source: collectionsWorkflowSource(), format: 'yaml', actor: ACTOR });
    deployed.push(`${result.key}@${result.version}`);
  }
  return { deployed };
}

import { notFound } from '../../core/errors.js';
import type { Queryable } from '../../storage/schema.js';
import { indexSteps } from '../definition/compile.js';
import type { DeployedDefinition, WorkflowDefinition } from '../definition/types.js';
import '../store/tables.js';

/**
 * Deployed definitions by key@version. A version never changes once deployed, so the cache needs no
 * invalidation; only "which version is latest" is asked of the database each time.
 */
export class DefinitionCache {
  readonly #byVersion = new Map<string, DeployedDefinition>();

  async get(db: Queryable, key: string, version: number): Promise<DeployedDefinition> {
    const cached = this.#byVersion.get(`${key}@${version}`);
    if (cached) return cached;
    const row = await db
      .selectFrom('wf_definitions')
      .select(['document'])
      .where('key', '=', key)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row) throw notFound('workflow', `${key}@${version}`);
    return this.#remember(key, version, row.document as WorkflowDefinition);
  }

  async latest(db: Queryable, key: string): Promise<DeployedDefinition> {
    const row = await db
      .selectFrom('wf_definitions')
      .select(['version'])
      .where('key', '=', key)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) throw notFound('workflow', key);
    return this.get(db, key, row.version);
  }

  #remember(key: string, version: number, definition: WorkflowDefinition): DeployedDefinition {
    const deployed: DeployedDefinition = { key, version, definition, steps: indexSteps(definition) };
    this.#byVersion.set(`${key}@${version}`, deployed);
    return deployed;
  }
}

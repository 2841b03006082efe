import { sql } from 'kysely';
import { conflict, validationError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { appendAudit } from '../../storage/audit/audit-append.js';
import type { Tx } from '../../storage/schema.js';
import { validateInput } from '../definition/input-schema.js';
import type { InstanceContext } from './instance-run.js';
import type { EngineServices } from './services.js';
import { recordInstanceEvent } from './history.js';
import { UNFINISHED_STATUSES } from '../store/tables.js';

export interface StartRequest {
  workflowKey: string;
  input: unknown;
  actor: string;
  /** At most one unfinished instance per workflow and correlation key. */
  correlationKey?: string | null;
  parent?: { instanceId: string; tokenId: string };
  requestId?: string | null;
  now?: Date;
  /** A start by a person or a program (API, CLI): allowed only if the workflow declares `manual: true`. */
  manual?: boolean;
  /** The latest version, when the caller already read it (an event trigger reads it with the trigger). */
  latestVersion?: number;
}

export interface StartedInstance {
  id: string;
  workflowKey: string;
  version: number;
  /** false when an unfinished instance with the same correlation key already exists (its id is returned). */
  created: boolean;
}

/**
 * Creates an instance on the latest version of its workflow, with one ready token at the first step,
 * in the caller's transaction. Workers pick it up after commit.
 */
export async function startInstance(tx: Tx, services: EngineServices, request: StartRequest): Promise<StartedInstance> {
  const now = request.now ?? services.clock.now();
  const deployed =
    request.latestVersion === undefined
      ? await services.definitions.latest(tx, request.workflowKey)
      : await services.definitions.get(tx, request.workflowKey, request.latestVersion);
  if (request.manual && !deployed.definition.triggers.some((t) => 'manual' in t)) {
    throw conflict(
      'manual_start_not_allowed',
      `workflow ${deployed.key} starts only on its triggers; add "- manual: true" to its triggers to allow starts by API`,
      { workflow: deployed.key },
    );
  }
  const issues = validateInput(deployed.definition.input, request.input);
  if (issues.length) throw validationError(issues);

  const id = newId('wfi', now.getTime());
  const correlationKey = request.correlationKey ?? null;
  const context: InstanceContext = {
    input: request.input ?? {},
    steps: {},
    instance: { id, workflow: deployed.key, version: deployed.version, correlationKey },
  };
  // ON CONFLICT on the partial unique index: a concurrent second start for the same key is a no-op.
  const inserted = await sql<{ id: string }>`
    insert into wf_instances (id, workflow_key, version, status, context, correlation_key, parent_id, parent_token_id,
                              next_run_at, started_by, created_at, updated_at)
    values (${id}, ${deployed.key}, ${deployed.version}, 'running', ${JSON.stringify(context)}::jsonb, ${correlationKey},
            ${request.parent?.instanceId ?? null}, ${request.parent?.tokenId ?? null}, ${now}, ${request.actor}, ${now}, ${now})
    on conflict (workflow_key, correlation_key)
      where correlation_key is not null and status in ('running', 'suspended', 'failed')
      do nothing
    returning id`.execute(tx);
  if (inserted.rows.length === 0) {
    const existing = await tx
      .selectFrom('wf_instances')
      .select(['id', 'version'])
      .where('workflow_key', '=', deployed.key)
      .where('correlation_key', '=', correlationKey)
      .where('status', 'in', UNFINISHED_STATUSES)
      .executeTakeFirstOrThrow();
    return { id: existing.id, workflowKey: deployed.key, version: existing.version, created: false };
  }

  const first = deployed.definition.steps[0]!.id;
  await tx
    .insertInto('wf_tokens')
    .values({
      id: newId('tok', now.getTime()),
      instance_id: id,
      step_id: first,
      status: 'ready',
      run_at: now,
      attempt: 0,
      visit: 1,
      parent_token_id: null,
      branch_id: null,
      wait: null,
      wait_event_type: null,
      wait_event_key: null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  await recordInstanceEvent(tx, {
    instanceId: id,
    event: 'instance.started',
    at: now,
    actor: request.actor,
    data: {
      version: deployed.version,
      input: request.input ?? {},
      correlationKey,
      parent: request.parent ?? null,
    },
  });
  await appendAudit(
    tx,
    {
      actor: request.actor,
      action: 'workflow.instance.started',
      entityType: 'workflow_instance',
      entityId: id,
      before: null,
      after: { workflow: deployed.key, version: deployed.version, input: request.input ?? {}, correlationKey },
      requestId: request.requestId ?? null,
    },
    { now: () => now },
  );
  return { id, workflowKey: deployed.key, version: deployed.version, created: true };
}

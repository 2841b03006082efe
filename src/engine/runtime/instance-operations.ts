import { conflict, notFound, validationError } from '../../core/errors.js';
import { appendAudit } from '../../storage/audit/audit-append.js';
import type { Tx } from '../../storage/schema.js';
import { cancelInstanceTree } from './cancellation.js';
import type { InstanceContext, InstanceRow } from './instance-run.js';
import type { EngineServices } from './services.js';
import { recordInstanceEvent } from './history.js';
import { ACTIVE_TOKEN_STATUSES, isFinished } from '../store/tables.js';
import { noteInstanceWritten } from './written-instances.js';

/** Operator actions on an instance. Each locks the instance, writes the timeline and is audited. */
export interface OperatorRequest {
  instanceId: string;
  actor: string;
  reason?: string | undefined;
  requestId?: string | null;
}

/** Every operator action locks the instance here before it writes it. */
async function lockInstance(tx: Tx, id: string): Promise<InstanceRow> {
  const instance = await tx.selectFrom('wf_instances').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  if (!instance) throw notFound('instance', id);
  noteInstanceWritten(tx, id);
  return instance;
}

async function record(
  tx: Tx,
  services: EngineServices,
  request: OperatorRequest,
  event: string,
  before: unknown,
  after: unknown,
) {
  const now = services.clock.now();
  await recordInstanceEvent(tx, {
    instanceId: request.instanceId,
    event: event,
    at: now,
    actor: request.actor,
    data: { reason: request.reason ?? null, before, after },
  });
  await appendAudit(
    tx,
    {
      actor: request.actor,
      action: `workflow.${event}`,
      entityType: 'workflow_instance',
      entityId: request.instanceId,
      before,
      after,
      reason: request.reason ?? null,
      requestId: request.requestId ?? null,
    },
    services.clock,
  );
}

export async function cancelInstance(tx: Tx, services: EngineServices, request: OperatorRequest): Promise<void> {
  const instance = await lockInstance(tx, request.instanceId);
  if (isFinished(instance.status)) {
    throw conflict('instance_finished', `instance ${instance.id} is already ${instance.status}`);
  }
  await cancelInstanceTree(tx, instance.id, {
    actor: request.actor,
    reason: request.reason ?? 'cancelled by operator',
    now: services.clock.now(),
    notifyParent: true,
    requestId: request.requestId ?? null,
  });
}

export async function suspendInstance(tx: Tx, services: EngineServices, request: OperatorRequest): Promise<void> {
  const instance = await lockInstance(tx, request.instanceId);
  if (instance.status !== 'running')
    throw conflict('instance_not_running', `instance ${instance.id} is ${instance.status}, not running`);
  await tx
    .updateTable('wf_instances')
    .set({ status: 'suspended', updated_at: services.clock.now() })
    .where('id', '=', instance.id)
    .execute();
  await record(tx, services, request, 'instance.suspended', { status: 'running' }, { status: 'suspended' });
}

/** Resumes a suspended instance; its timers that fell due meanwhile fire at once. */
export async function resumeInstance(tx: Tx, services: EngineServices, request: OperatorRequest): Promise<void> {
  const instance = await lockInstance(tx, request.instanceId);
  if (instance.status !== 'suspended')
    throw conflict('instance_not_suspended', `instance ${instance.id} is ${instance.status}, not suspended`);
  const now = services.clock.now();
  const due = await tx
    .selectFrom('wf_tokens')
    .select((eb) => eb.fn.min('run_at').as('next'))
    .where('instance_id', '=', instance.id)
    .where('status', 'in', ['ready', 'waiting'])
    .executeTakeFirst();
  await tx
    .updateTable('wf_instances')
    .set({ status: 'running', next_run_at: (due?.next as Date | null) ?? null, updated_at: now })
    .where('id', '=', instance.id)
    .execute();
  await record(tx, services, request, 'instance.resumed', { status: 'suspended' }, { status: 'running' });
}

/**
 * Retries a failed instance (dead letter) from its failed step, or from another step of the same
 * list when `fromStep` is given. The attempt count starts again.
 */
export async function retryInstance(
  tx: Tx,
  services: EngineServices,
  request: OperatorRequest & { fromStep?: string | undefined },
) {
  const instance = await lockInstance(tx, request.instanceId);
  if (instance.status !== 'failed')
    throw conflict(
      'instance_not_failed',
      `instance ${instance.id} is ${instance.status}; only failed instances can be retried`,
    );
  const failed = await tx
    .selectFrom('wf_tokens')
    .selectAll()
    .where('instance_id', '=', instance.id)
    .where('status', '=', 'failed')
    .execute();
  if (failed.length === 0) throw conflict('nothing_to_retry', `instance ${instance.id} has no failed step`);
  const definition = await services.definitions.get(tx, instance.workflow_key, instance.version);
  if (request.fromStep !== undefined) {
    const target = definition.steps.get(request.fromStep);
    const current = definition.steps.get(failed[0]!.step_id);
    if (!target)
      throw validationError([
        {
          field: 'body.fromStep',
          message: `no step ${request.fromStep} in ${instance.workflow_key}@${instance.version}`,
        },
      ]);
    if (
      failed.length > 1 ||
      target.branch?.branchId !== current?.branch?.branchId ||
      target.branch?.parallelStepId !== current?.branch?.parallelStepId
    ) {
      throw validationError([{ field: 'body.fromStep', message: 'must be in the same step list as the failed step' }]);
    }
  }
  const now = services.clock.now();
  for (const token of failed) {
    await tx
      .updateTable('wf_tokens')
      .set({
        status: 'ready',
        run_at: now,
        attempt: 0,
        step_id: request.fromStep ?? token.step_id,
        // Same step: same visit, so the idempotency key an outside system saw stays the same.
        visit: request.fromStep === undefined || request.fromStep === token.step_id ? token.visit : token.visit + 1,
        wait: null,
        updated_at: now,
      })
      .where('id', '=', token.id)
      .execute();
  }
  await tx
    .updateTable('wf_instances')
    .set({ status: 'running', error: null, next_run_at: now, updated_at: now })
    .where('id', '=', instance.id)
    .execute();
  await record(
    tx,
    services,
    request,
    'instance.retried',
    { status: 'failed', error: instance.error },
    {
      status: 'running',
      from: request.fromStep ?? failed.map((t) => t.step_id),
    },
  );
}

/**
 * Moves an unfinished instance to the latest version of its workflow. Allowed only when every step
 * its tokens stand on exists in the new version; otherwise 409 names the missing steps.
 */
export async function migrateInstance(
  tx: Tx,
  services: EngineServices,
  request: OperatorRequest & { toVersion?: number | undefined },
) {
  const instance = await lockInstance(tx, request.instanceId);
  if (isFinished(instance.status)) {
    throw conflict('instance_finished', `instance ${instance.id} is already ${instance.status}`);
  }
  const target = request.toVersion
    ? await services.definitions.get(tx, instance.workflow_key, request.toVersion)
    : await services.definitions.latest(tx, instance.workflow_key);
  if (target.version === instance.version) return { from: instance.version, to: target.version, migrated: false };
  const tokens = await tx
    .selectFrom('wf_tokens')
    .select(['step_id'])
    .where('instance_id', '=', instance.id)
    .where('status', 'in', ACTIVE_TOKEN_STATUSES)
    .execute();
  const missing = [...new Set(tokens.map((t) => t.step_id))].filter((s) => !target.steps.has(s));
  if (missing.length) {
    throw conflict(
      'migration_impossible',
      `version ${target.version} has no step ${missing.join(', ')} where instance ${instance.id} stands`,
      { missing },
    );
  }
  const context = instance.context as InstanceContext;
  context.instance.version = target.version;
  await tx
    .updateTable('wf_instances')
    .set({ version: target.version, context: JSON.stringify(context), updated_at: services.clock.now() })
    .where('id', '=', instance.id)
    .execute();
  await record(tx, services, request, 'instance.migrated', { version: instance.version }, { version: target.version });
  return { from: instance.version, to: target.version, migrated: true };
}

import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { Cron } from 'croner';
import { sql } from 'kysely';
import { validationError, type FieldIssue } from '../../core/errors.js';
import { appendAudit } from '../../storage/audit/audit-append.js';
import type { Tx } from '../../storage/schema.js';
import { compileDefinition } from '../definition/compile.js';
import type { Step, WorkflowDefinition } from '../definition/types.js';
import type { EngineServices } from './services.js';
import '../store/tables.js';

export interface DeployRequest {
  source: string;
  format?: 'yaml' | 'json' | undefined;
  actor: string;
  requestId?: string | null;
}

export interface DeployResult {
  key: string;
  version: number;
  name: string;
  /** false when the document is identical to the latest version (nothing new was deployed). */
  created: boolean;
}

/**
 * Validates and stores a definition as the next version of its key. Re-deploying an identical
 * document is a no-op (same version back), so deploy scripts are safe to re-run. The latest
 * version's triggers replace the previous ones in the trigger tables.
 */
export async function deployDefinition(
  tx: Tx,
  services: EngineServices,
  request: DeployRequest,
): Promise<DeployResult> {
  const compiled = compileDefinition(request.source, { format: request.format, actions: services.actions });
  const definition = compiled.definition;
  await checkReferences(tx, definition);

  // One deployer per key at a time (advisory lock, released at commit): versions stay gapless.
  await sql`select pg_advisory_xact_lock(hashtext(${`wf_definitions:${definition.key}`}))`.execute(tx);
  const document = { ...definition, version: undefined };
  const checksum = createHash('sha256')
    .update(canonicalize(document) ?? '')
    .digest('hex');
  const latest = await tx
    .selectFrom('wf_definitions')
    .select(['version', 'checksum'])
    .where('key', '=', definition.key)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (latest?.checksum === checksum)
    return { key: definition.key, version: latest.version, name: definition.name, created: false };

  const version = (latest?.version ?? 0) + 1;
  const now = services.clock.now();
  await tx
    .insertInto('wf_definitions')
    .values({
      key: definition.key,
      version,
      name: definition.name,
      document: JSON.stringify(document),
      source: request.source,
      format: compiled.format,
      checksum,
      deployed_at: now,
      deployed_by: request.actor,
    })
    .execute();
  await replaceTriggers(tx, definition, now);
  await appendAudit(
    tx,
    {
      actor: request.actor,
      action: 'workflow.deployed',
      entityType: 'workflow',
      entityId: `${definition.key}@${version}`,
      before: latest ? { version: latest.version } : null,
      after: { version, checksum, name: definition.name },
      requestId: request.requestId ?? null,
    },
    services.clock,
  );
  return { key: definition.key, version, name: definition.name, created: true };
}

/** Decisions and child workflows a definition names must exist when it is deployed. */
async function checkReferences(tx: Tx, definition: WorkflowDefinition): Promise<void> {
  const issues: FieldIssue[] = [];
  for (const step of allSteps(definition.steps)) {
    if (step.type === 'decide') {
      const found = await tx
        .selectFrom('wf_decisions')
        .select('key')
        .where('key', '=', step.decision)
        .limit(1)
        .executeTakeFirst();
      if (!found)
        issues.push({ field: `steps.${step.id}.decision`, message: `no decision "${step.decision}" is deployed` });
    }
    if (step.type === 'wait' && step.calendar) {
      const found = await tx
        .selectFrom('wf_calendars')
        .select('name')
        .where('name', '=', step.calendar)
        .executeTakeFirst();
      if (!found)
        issues.push({
          field: `steps.${step.id}.calendar`,
          message: `no calendar "${step.calendar}" exists (PUT /api/v1/calendars/${step.calendar})`,
        });
    }
    if (step.type === 'call' && step.workflow !== definition.key) {
      const found = await tx
        .selectFrom('wf_definitions')
        .select('key')
        .where('key', '=', step.workflow)
        .limit(1)
        .executeTakeFirst();
      if (!found)
        issues.push({ field: `steps.${step.id}.workflow`, message: `no workflow "${step.workflow}" is deployed` });
    }
  }
  if (issues.length) throw validationError(issues);
}

function* allSteps(steps: Step[]): Generator<Step> {
  for (const step of steps) {
    yield step;
    if (step.type === 'parallel') for (const branch of step.branches) yield* allSteps(branch.steps);
  }
}

async function replaceTriggers(tx: Tx, definition: WorkflowDefinition, now: Date): Promise<void> {
  await tx.deleteFrom('wf_event_triggers').where('workflow_key', '=', definition.key).execute();
  await tx.deleteFrom('wf_schedules').where('workflow_key', '=', definition.key).execute();
  for (const [index, trigger] of definition.triggers.entries()) {
    if ('event' in trigger) {
      await tx
        .insertInto('wf_event_triggers')
        .values({ workflow_key: definition.key, trigger_index: index, event_type: trigger.event })
        .execute();
    }
    if ('schedule' in trigger) {
      const timezone = trigger.timezone ?? 'UTC';
      const next = nextFiring(trigger.schedule, timezone, now);
      if (next) {
        await tx
          .insertInto('wf_schedules')
          .values({
            workflow_key: definition.key,
            trigger_index: index,
            cron: trigger.schedule,
            timezone,
            next_fire_at: next,
          })
          .execute();
      }
    }
  }
}

/** The next time a cron expression fires strictly after `after`, in its time zone (croner). */
export function nextFiring(cron: string, timezone: string, after: Date): Date | null {
  return new Cron(cron, { timezone, paused: true }).nextRun(after);
}

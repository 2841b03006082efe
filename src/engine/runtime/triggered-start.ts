import { AppError } from '../../core/errors.js';
import { appendAudit } from '../../storage/audit/audit-append.js';
import type { Tx } from '../../storage/schema.js';
import { ExpressionError } from '../expressions.js';
import type { EngineServices } from './services.js';
import { startInstance, type StartedInstance } from './start-instance.js';

/**
 * Starts an instance for an event or schedule trigger. Input that the workflow's schema rejects, or a
 * template that cannot be rendered, must not block the publisher, other triggers or the worker: the
 * start is refused, the refusal is audited with its reason, and everything else goes on. Validation
 * happens before anything is written, so a refused start leaves no rows behind.
 */
export async function startTriggeredInstance(
  tx: Tx,
  services: EngineServices,
  request: {
    workflowKey: string;
    trigger: string;
    actor: string;
    requestId?: string | null;
    now?: Date;
    latestVersion?: number;
    prepare: () => { input: unknown; correlationKey: string | null };
  },
): Promise<StartedInstance | { error: string }> {
  try {
    const { input, correlationKey } = request.prepare();
    return await startInstance(tx, services, {
      workflowKey: request.workflowKey,
      input,
      correlationKey,
      actor: request.actor,
      requestId: request.requestId ?? null,
      ...(request.now ? { now: request.now } : {}),
      ...(request.latestVersion === undefined ? {} : { latestVersion: request.latestVersion }),
    });
  } catch (error) {
    const refused = (error instanceof AppError && error.status < 500) || error instanceof ExpressionError;
    if (!refused) throw error;
    await appendAudit(
      tx,
      {
        actor: request.actor,
        action: 'workflow.trigger.refused',
        entityType: 'workflow',
        entityId: request.workflowKey,
        after: { trigger: request.trigger, issues: error instanceof AppError ? error.issues : [] },
        reason: error.message,
        requestId: request.requestId ?? null,
      },
      services.clock,
    );
    return { error: error.message };
  }
}

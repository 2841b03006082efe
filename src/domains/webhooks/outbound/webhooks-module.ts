import type { BackgroundService, DomainContext, DomainModule } from '../../contract.js';
import type { Engine } from '../../../engine/index.js';
import { outboundPolicy } from '../../http-call/outbound-policy.js';
import { createLogger } from '../../../observability/logger.js';
import { WebhookDispatcher, type DispatcherOptions } from './dispatcher.js';
import { writeOutbox } from './outbox.js';
import { addDispatcher, removeDispatcher, wakeDispatchers } from './wakeups.js';
import { webhookRoutes } from './webhook-routes.js';

/**
 * Outbound webhooks (docs/webhooks.md): the outbox listener on the engine, the /webhooks routes, and
 * the dispatcher that `finflow serve` runs beside its workers.
 */

/** registerDomainActions may run more than once on one engine; a second listener would queue every delivery twice. */
const listening = new WeakSet<Engine>();

export function registerOutbox(engine: Engine): void {
  if (listening.has(engine)) return;
  listening.add(engine);
  engine.onEventsStored(async (tx, events) => {
    if ((await writeOutbox(tx, events)) > 0) wakeDispatchers(engine);
  });
}

/**
 * A dispatcher on the context's database and clock; tests drive it with runDue(). Its outbound URL
 * policy allows what the context's config.outboundAllow lists (nothing but public hosts without it).
 */
export function createWebhookDispatcher(
  context: Pick<DomainContext, 'database' | 'clock' | 'config'>,
  options: Omit<DispatcherOptions, 'database' | 'clock'> = {},
): WebhookDispatcher {
  return new WebhookDispatcher({
    database: context.database,
    clock: context.clock,
    outbound: outboundPolicy({ allow: context.config?.outboundAllow ?? [] }),
    ...options,
  });
}

function dispatcherService(context: DomainContext): BackgroundService {
  const dispatcher = createWebhookDispatcher(context, {
    logger: createLogger(context.config?.logLevel ?? 'info').child({ service: 'webhook-dispatcher' }),
  });
  return {
    name: 'webhook-dispatcher',
    start() {
      addDispatcher(context.engine, dispatcher);
      dispatcher.start();
    },
    async stop() {
      removeDispatcher(context.engine, dispatcher);
      await dispatcher.stop();
    },
  };
}

export const webhooksModule: DomainModule = {
  name: 'webhooks',
  registerActions(context) {
    registerOutbox(context.engine);
  },
  routes: (context) => [webhookRoutes(context)],
  services: (context) => (context.config?.webhookDelivery === false ? [] : [dispatcherService(context)]),
};

import type { DomainModule } from '../../contract.js';
import { inboundRoutes } from './inbound-routes.js';

/**
 * Inbound webhooks (docs/integrations.md): notifications from payment providers and banks, verified
 * by signature, de-duplicated by message id and published as engine events that start or wake
 * workflows. Routes only: receiving is request-driven and needs no background loop.
 */
export const inboundModule: DomainModule = {
  name: 'inbound-webhooks',
  routes: (context) => [inboundRoutes(context)],
};

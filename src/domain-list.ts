// The composition root's list of domains: the one file that imports them all. The contract they
// implement is in domains/contract.ts, which imports none of them.
import type { RouteModule } from './api/context.js';
import type { SearchProvider } from './api/routes/search.js';
import type { BackgroundService, DomainContext, DomainModule } from './domains/contract.js';
import { ledgerModule } from './domains/ledger/ledger-module.js';
import { customersModule } from './domains/customers/customers-module.js';
import { receivablesModule } from './domains/receivables/receivables-module.js';
import { syncModule } from './domains/sync/sync-module.js';
import { channelsModule } from './domains/channels/channels-module.js';
import { webhooksModule } from './domains/webhooks/outbound/webhooks-module.js';
import { httpCallModule } from './domains/http-call/http-call-module.js';
import { inboundModule } from './domains/webhooks/inbound/inbound-module.js';
import { creditModule } from './domains/credit/credit-module.js';
import { collectionsModule } from './domains/collections/collections-module.js';
import { paymentsModule } from './domains/payments/payments-module.js';
import { treasuryModule } from './domains/treasury/treasury-module.js';
import { customerSearch } from './domains/customers/customer-search.js';
import { caseSearch } from './domains/collections/case-search.js';
import { applicationSearch } from './domains/credit/application-search.js';

/** Order is the order routes appear in OpenAPI and actions are registered. */
export const DOMAINS: DomainModule[] = [
  ledgerModule,
  customersModule,
  receivablesModule,
  syncModule,
  channelsModule,
  httpCallModule,
  webhooksModule,
  inboundModule,
  creditModule,
  collectionsModule,
  paymentsModule,
  treasuryModule,
];

export function registerDomainActions(context: DomainContext): void {
  for (const domain of DOMAINS) domain.registerActions?.(context);
}

export function domainRoutes(context: DomainContext): RouteModule[] {
  return DOMAINS.flatMap((domain) => domain.routes?.(context) ?? []);
}

export function domainServices(context: DomainContext): BackgroundService[] {
  return DOMAINS.flatMap((domain) => domain.services?.(context) ?? []);
}

export async function installDomains(context: DomainContext): Promise<void> {
  for (const domain of DOMAINS) await domain.install?.(context);
}

/** What the domains add to the console's search box (GET /search): customers, cases, applications. */
export function domainSearchProviders(): SearchProvider[] {
  return [customerSearch, caseSearch, applicationSearch];
}

import type { RouteModule } from './api/context.js';
import type { Clock } from './core/clock.js';
import type { Config } from './config/config.js';
import type { SecretStore } from './config/secrets.js';
import type { Engine } from './engine/engine.js';
import type { Database } from './storage/database.js';
import { ledgerModule } from './ledger/ledger-module.js';
import { receivablesModule } from './receivables/receivables-module.js';
import { channelsModule } from './channels/channels-module.js';
import { webhooksModule } from './webhooks/outbound/webhooks-module.js';
import { httpCallModule } from './http-call/http-call-module.js';
import { inboundModule } from './webhooks/inbound/inbound-module.js';
import { creditModule } from './credit/credit-module.js';
import { collectionsModule } from './collections/collections-module.js';

/**
 * The business domains (ledger, receivables, later credit, collections, payments) plug into finflow
 * here: each contributes engine actions (the steps workflows call) and API routes. The engine never
 * imports a domain; domains reach it through the `engine` they are handed.
 */
export interface DomainContext {
  database: Database;
  clock: Clock;
  engine: Engine;
  /** The loaded settings (SMTP, SMS provider, public URL); defaults when absent (tests, validation). */
  config?: Config;
  /** Secrets by name (FINFLOW_SECRET_*, secretsFile); none when absent. */
  secrets?: SecretStore;
  /** finflow's address as outside systems see it (config.publicUrl, else the listening address). */
  publicUrl?: () => string;
}

/** A loop a domain runs beside the engine worker in `finflow serve` (the webhook dispatcher). */
export interface BackgroundService {
  name: string;
  start(): void;
  /** Finishes the in-flight round, then resolves. */
  stop(): Promise<void>;
}

export interface DomainModule {
  name: string;
  /** Registers the domain's actions on `context.engine.actions`. */
  registerActions?(context: DomainContext): void;
  routes?(context: DomainContext): RouteModule[];
  /** Background loops to run in a process that runs workers. */
  services?(context: DomainContext): BackgroundService[];
  /**
   * Deploys what the domain ships (workflows, decisions) when absent, at server start after the
   * actions are registered. Must never overwrite what users deployed.
   */
  install?(context: DomainContext): Promise<unknown>;
}

/** Filled by the composition root's list below; order is the order routes appear in OpenAPI. */
export const DOMAINS: DomainModule[] = [
  ledgerModule,
  receivablesModule,
  channelsModule,
  httpCallModule,
  webhooksModule,
  inboundModule,
  creditModule,
  collectionsModule,
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

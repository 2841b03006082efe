import type { RouteModule } from '../api/context.js';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config/config.js';
import type { SecretStore } from '../config/secrets.js';
import type { Engine } from '../engine/index.js';
import type { Database } from '../storage/database.js';

/**
 * The contract every business domain (ledger, customers, receivables, channels, credit,
 * collections, …) implements to plug into finflow: it contributes engine actions (the steps
 * workflows call), API routes, background loops and what it ships (workflows, decisions).
 *
 * This file imports no domain: the list of domains lives in the composition root
 * (`src/domain-list.ts`), so that a domain importing the contract never closes an import circle.
 * The engine never imports a domain; domains reach it through the `engine` they are handed.
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

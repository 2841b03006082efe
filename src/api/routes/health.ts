import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import type { App } from '../context.js';
import { json } from '../schemas.js';

const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    database: z.enum(['pglite', 'postgres']),
    version: z.string(),
  })
  .openapi('Health');

const route = createRoute({
  method: 'get',
  path: '/health',
  tags: ['system'],
  summary: 'Liveness and database reachability (no API key needed)',
  security: [],
  responses: { 200: json(HealthSchema, 'finflow is up'), 503: json(HealthSchema, 'the database does not answer') },
});

export function registerHealth(app: App, version: string): void {
  app.openapi(route, async (c) => {
    const database = c.var.database;
    try {
      await sql`SELECT 1`.execute(database.db);
      return c.json({ status: 'ok' as const, database: database.kind, version }, 200);
    } catch (error) {
      c.var.logger.error({ err: error }, 'health check: database unreachable');
      return c.json({ status: 'degraded' as const, database: database.kind, version }, 503);
    }
  });
}

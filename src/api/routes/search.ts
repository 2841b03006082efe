import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'kysely';
import { rolesHave, type Permission } from '../../auth/roles.js';
import type { Queryable } from '../../storage/schema.js';
import type { App, RouteModule } from '../context.js';
import { requirePermission } from '../middleware/auth.js';
import { commonErrors, json } from '../schemas.js';
import '../../engine/store/tables.js';

/**
 * One search box for the console: a customer, a collection case, a credit application, a workflow
 * instance or a task, by id, external id or name. Each kind is searched only when the caller may read
 * it; each kind answers at most `limit` hits (exact id matches first), so a search never reads a
 * whole table's rows into the answer. The engine's kinds are searched here; the domains hand theirs
 * in through the composition root (this file imports no domain).
 */

export const SEARCH_KINDS = ['customer', 'case', 'application', 'instance', 'task'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export interface SearchHit {
  kind: SearchKind;
  id: string;
  /** What a person recognises: a name, a title. */
  label: string;
  /** A second line: external id, status, customer. */
  detail: string | null;
}

export interface SearchProvider {
  kind: SearchKind;
  /** Searched only for callers holding this permission. */
  permission: Permission;
  /** At most `limit` hits for `q` (trimmed, non-empty); `like` is `q` escaped for ILIKE, without wildcards. */
  search(db: Queryable, query: { q: string; like: string; limit: number }): Promise<SearchHit[]>;
}

/** `q` with ILIKE's wildcards escaped, to be wrapped in `%…%` by the caller. */
export function escapeLike(q: string): string {
  return q.replace(/[%_\\]/g, (m) => `\\${m}`);
}

/** Workflow instances: by id, or by their correlation key (the receivable, the application…). */
export const instanceSearch: SearchProvider = {
  kind: 'instance',
  permission: 'workflows:read',
  async search(db, { q, limit }) {
    const rows = await db
      .selectFrom('wf_instances')
      .select(['id', 'workflow_key', 'version', 'status', 'correlation_key'])
      .where((eb) => eb.or([eb('id', '=', q), eb('correlation_key', '=', q)]))
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      kind: 'instance' as const,
      id: r.id,
      label: `${r.workflow_key} v${r.version}`,
      detail: [r.status, r.correlation_key].filter(Boolean).join(' · '),
    }));
  },
};

/** Tasks: by id, or open ones by words of their title. */
export const taskSearch: SearchProvider = {
  kind: 'task',
  permission: 'tasks:work',
  async search(db, { q, like, limit }) {
    const rows = await db
      .selectFrom('wf_tasks')
      .select(['id', 'title', 'queue', 'status'])
      .where((eb) => eb.or([eb('id', '=', q), eb.and([eb('status', '=', 'open'), eb('title', 'ilike', `%${like}%`)])]))
      .orderBy(sql`case when id = ${q} then 0 else 1 end`)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      kind: 'task' as const,
      id: r.id,
      label: r.title,
      detail: `${r.queue} · ${r.status}`,
    }));
  },
};

const HitSchema = z
  .object({
    kind: z.enum(SEARCH_KINDS),
    id: z.string(),
    label: z.string(),
    detail: z.string().nullable(),
  })
  .openapi('SearchHit');

const searchDef = createRoute({
  method: 'get',
  path: '/search',
  tags: ['search'],
  summary: 'Find customers, collection cases, credit applications, workflow instances and tasks',
  description:
    'By id, external id or name. Each kind is searched only when the caller holds its read permission ' +
    '(customers: receivables:read, cases: collections:read, applications: credit:read, instances: ' +
    'workflows:read, tasks: tasks:work); `searched` lists the kinds that were. At most `limit` hits per kind, ' +
    'exact id matches first.',
  middleware: [requirePermission('system:read')] as const,
  request: {
    query: z.object({
      q: z.string().trim().min(1).max(200).openapi({ example: 'DEMO-C1' }),
      kind: z.enum(SEARCH_KINDS).optional().openapi({ description: 'Search this kind only' }),
      limit: z.coerce.number().int().min(1).max(20).default(5).openapi({ description: 'Hits per kind' }),
    }),
  },
  responses: {
    200: json(
      z.object({ data: z.array(HitSchema), searched: z.array(z.enum(SEARCH_KINDS)) }).openapi('SearchResults'),
      'Hits grouped by kind, in the order customer, case, application, instance, task',
    ),
    ...commonErrors,
  },
});

export function searchRoutes(providers: SearchProvider[]): RouteModule {
  const ordered = [...providers].sort((a, b) => SEARCH_KINDS.indexOf(a.kind) - SEARCH_KINDS.indexOf(b.kind));
  return {
    register(app: App) {
      app.openapi(searchDef, async (c) => {
        const { q, kind, limit } = c.req.valid('query');
        const { roles } = c.var.principal;
        const allowed = ordered.filter((p) => (!kind || p.kind === kind) && rolesHave(roles, p.permission));
        const db = c.var.database.db;
        const like = escapeLike(q);
        // One after another: a pglite database serves one query at a time anyway, and a pool is spared.
        const data: SearchHit[] = [];
        for (const provider of allowed) data.push(...(await provider.search(db, { q, like, limit })));
        return c.json({ data, searched: [...new Set(allowed.map((p) => p.kind))] }, 200);
      });
    },
  };
}

import { createRoute, z } from '@hono/zod-openapi';
import { AppError, validationError } from '../../core/errors.js';
import { WORKFLOW_KEY_PATTERN } from '../../engine/definition/types.js';
import type { Engine } from '../../engine/engine.js';
import { getDefinition, getDefinitionVersions, listDefinitions } from '../../engine/runtime/queries.js';
import type { InstanceStatus } from '../../engine/store/tables.js';
import type { Queryable } from '../../storage/schema.js';
import type { App, RouteModule } from '../context.js';
import { idempotent } from '../middleware/idempotency.js';
import { changeApprovalRequired } from '../../changes/change-requests.js';
import { requirePermission } from '../middleware/auth.js';
import { commonErrors, IdempotencyKeyHeader, idempotencyErrors, json, notFoundError, problem } from '../schemas.js';

/** Workflow definitions: deploy (new immutable versions), read, start instances, bulk-migrate. */

export const WorkflowKeyParam = z
  .string()
  .regex(WORKFLOW_KEY_PATTERN, 'must be a workflow key: 1-100 of a-z, 0-9, ".", "_", "-"')
  .openapi({ example: 'credit-review' });

const FORMATS = ['yaml', 'json'] as const;
const MAX_SOURCE = 1_000_000;
const YAML_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'] as const;

const DeployJsonSchema = z
  .object({
    source: z
      .string()
      .min(1)
      .max(MAX_SOURCE)
      .openapi({ description: 'The definition document, YAML or JSON text', example: 'key: hello\nname: Hello\n…' }),
    format: z
      .enum(FORMATS)
      .optional()
      .openapi({ description: 'Default: JSON when the text starts with `{`, YAML otherwise' }),
  })
  .strict()
  .openapi('DeployWorkflow');

const YamlDocument = z.string().openapi({ description: 'A YAML definition document' });

const DeployedSchema = z
  .object({
    key: z.string(),
    version: z.number().int(),
    name: z.string(),
    created: z.boolean().openapi({ description: 'false when identical to the latest version (nothing deployed)' }),
  })
  .openapi('DeployedWorkflow');

const WorkflowSummarySchema = z
  .object({
    key: z.string(),
    latestVersion: z.number().int(),
    name: z.string(),
    deployedAt: z.string().datetime().nullable(),
    deployedBy: z.string(),
  })
  .openapi('WorkflowSummary');

const WorkflowVersionSchema = z
  .object({
    version: z.number().int(),
    name: z.string(),
    checksum: z.string(),
    deployedAt: z.string().datetime().nullable(),
    deployedBy: z.string(),
  })
  .openapi('WorkflowVersion');

const WorkflowDefinitionSchema = z
  .object({
    key: z.string(),
    version: z.number().int(),
    name: z.string(),
    format: z.enum(FORMATS),
    checksum: z.string(),
    deployedAt: z.string().datetime().nullable(),
    deployedBy: z.string(),
    definition: z.unknown().openapi({ description: 'The validated definition, as the engine runs it' }),
    source: z.string().openapi({ description: 'The document exactly as deployed' }),
  })
  .openapi('WorkflowDefinition');

const StartSchema = z
  .object({
    input: z
      .record(z.string(), z.unknown())
      .optional()
      .openapi({ description: "The instance's input, checked against the definition's `input` schema" }),
    correlationKey: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .openapi({ description: 'At most one unfinished instance per workflow and correlation key' }),
  })
  .strict()
  .openapi('StartInstance');

const StartedSchema = z
  .object({
    id: z.string().openapi({ example: 'wfi_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    workflowKey: z.string(),
    version: z.number().int(),
    created: z
      .boolean()
      .openapi({ description: 'false when an unfinished instance with the correlation key already existed' }),
  })
  .openapi('StartedInstance');

const BulkMigrateSchema = z
  .object({
    fromVersion: z.number().int().positive().optional().openapi({ description: 'Only instances on this version' }),
    reason: z.string().max(500).optional(),
  })
  .strict();

const BulkMigratedSchema = z
  .object({
    workflowKey: z.string(),
    toVersion: z.number().int(),
    migrated: z.array(z.string()),
    failed: z.array(z.object({ id: z.string(), reason: z.string() })),
  })
  .openapi('BulkMigration');

const keyParams = z.object({ key: WorkflowKeyParam });

const deployDef = createRoute({
  method: 'post',
  path: '/workflows',
  tags: ['workflows'],
  summary: 'Deploy a workflow definition as the next version of its key',
  description:
    'Send `{"source": "<YAML or JSON text>"}` as JSON, or the YAML document itself with `Content-Type: application/yaml` ' +
    '(or `text/yaml`). Re-deploying an identical document is a no-op (200, same version). Invalid definitions get ' +
    '400 with one `errors[]` entry per problem, each with its `field` and source `line`.',
  middleware: [requirePermission('workflows:deploy')] as const,
  request: {
    body: {
      // Not `required`: that would force the JSON validator onto YAML bodies too. The handler checks.
      required: false,
      content: {
        'application/json': { schema: DeployJsonSchema },
        'application/yaml': { schema: YamlDocument },
        'text/yaml': { schema: YamlDocument },
        'application/x-yaml': { schema: YamlDocument },
      },
    },
  },
  responses: {
    201: json(DeployedSchema, 'A new version was deployed'),
    200: json(DeployedSchema, 'Identical to the latest version: nothing new was deployed'),
    ...commonErrors,
  },
});

const listDef = createRoute({
  method: 'get',
  path: '/workflows',
  tags: ['workflows'],
  summary: 'List workflows with their latest version',
  middleware: [requirePermission('workflows:read')] as const,
  responses: {
    200: json(z.object({ data: z.array(WorkflowSummarySchema) }), 'Every deployed workflow'),
    ...commonErrors,
  },
});

const getDef = createRoute({
  method: 'get',
  path: '/workflows/{key}',
  tags: ['workflows'],
  summary: "A workflow's versions and its latest definition",
  middleware: [requirePermission('workflows:read')] as const,
  request: { params: keyParams },
  responses: {
    200: json(
      z.object({ key: z.string(), versions: z.array(WorkflowVersionSchema), latest: WorkflowDefinitionSchema }),
      'Versions, newest first, and the latest definition',
    ),
    ...commonErrors,
    ...notFoundError,
  },
});

const getVersionDef = createRoute({
  method: 'get',
  path: '/workflows/{key}/versions/{version}',
  tags: ['workflows'],
  summary: 'One version of a workflow definition',
  middleware: [requirePermission('workflows:read')] as const,
  request: { params: z.object({ key: WorkflowKeyParam, version: z.coerce.number().int().positive() }) },
  responses: { 200: json(WorkflowDefinitionSchema, 'The definition'), ...commonErrors, ...notFoundError },
});

const startDef = createRoute({
  method: 'post',
  path: '/workflows/{key}/instances',
  tags: ['workflows', 'instances'],
  summary: 'Start an instance on the latest version',
  description:
    'Send an `Idempotency-Key` to make the request safe to retry: a replay returns the first response and starts ' +
    'nothing. With a `correlationKey`, a start while an unfinished instance with that key exists returns that ' +
    'instance (200, `created: false`).',
  middleware: [requirePermission('workflows:run'), idempotent()] as const,
  request: {
    params: keyParams,
    headers: IdempotencyKeyHeader,
    body: { required: false, content: { 'application/json': { schema: StartSchema } } },
  },
  responses: {
    201: json(StartedSchema, 'The instance was started'),
    200: json(StartedSchema, 'An unfinished instance with this correlation key exists; it is returned'),
    ...commonErrors,
    ...notFoundError,
    ...idempotencyErrors,
    409: problem('The workflow has no `manual` trigger (manual_start_not_allowed)'),
  },
});

const migrateDef = createRoute({
  method: 'post',
  path: '/workflows/{key}/migrate',
  tags: ['workflows', 'instances'],
  summary: 'Move every unfinished instance to the latest version',
  description:
    'Each instance migrates in its own transaction; those that cannot (a step they stand on is gone) are listed ' +
    'in `failed` with the reason and stay where they are.',
  middleware: [requirePermission('workflows:operate')] as const,
  request: {
    params: keyParams,
    body: { required: false, content: { 'application/json': { schema: BulkMigrateSchema } } },
  },
  responses: { 200: json(BulkMigratedSchema, 'What moved and what did not'), ...commonErrors, ...notFoundError },
});

const UNFINISHED: InstanceStatus[] = ['running', 'suspended', 'failed'];
const PAGE = 500;

/** Ids of unfinished instances of `key` on an older version than `below` (optionally one version). */
async function* unfinishedInstances(db: Queryable, key: string, below: number, fromVersion: number | undefined) {
  let after = '';
  for (;;) {
    let query = db
      .selectFrom('wf_instances')
      .select('id')
      .where('workflow_key', '=', key)
      .where('status', 'in', UNFINISHED)
      .where('version', '<', below)
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE);
    if (fromVersion !== undefined) query = query.where('version', '=', fromVersion);
    const rows = await query.execute();
    for (const row of rows) yield row.id;
    if (rows.length < PAGE) return;
    after = rows[rows.length - 1]!.id;
  }
}

export function workflowRoutes(engine: Engine): RouteModule {
  return {
    register(app: App) {
      app.openapi(deployDef, async (c) => {
        if (c.var.fourEyesChanges) throw changeApprovalRequired('workflow', 'POST /changes/workflows');
        const contentType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        let request: { source: string; format?: 'yaml' | 'json' | undefined };
        if ((YAML_TYPES as readonly string[]).includes(contentType)) {
          const source = await c.req.text();
          if (source.length > MAX_SOURCE) {
            throw validationError([{ field: 'body', message: `must be at most ${MAX_SOURCE} characters` }]);
          }
          request = { source, format: 'yaml' };
        } else {
          const body = c.req.valid('json') as Partial<z.infer<typeof DeployJsonSchema>>;
          if (typeof body.source !== 'string') {
            throw validationError([
              {
                field: 'body.source',
                message: 'is required (or send the YAML itself with Content-Type: application/yaml)',
              },
            ]);
          }
          request = { source: body.source, format: body.format };
        }
        const deployed = await engine.deploy(
          { ...request, actor: c.var.principal.id, requestId: c.var.requestId },
          c.var.database,
        );
        return c.json(deployed, deployed.created ? 201 : 200);
      });

      app.openapi(listDef, async (c) => c.json({ data: await listDefinitions(c.var.database.db) }, 200));

      app.openapi(getDef, async (c) => {
        const { key } = c.req.valid('param');
        const db = c.var.database.db;
        const versions = await getDefinitionVersions(db, key);
        return c.json({ key, versions, latest: await getDefinition(db, key) }, 200);
      });

      app.openapi(getVersionDef, async (c) => {
        const { key, version } = c.req.valid('param');
        return c.json(await getDefinition(c.var.database.db, key, version), 200);
      });

      app.openapi(startDef, async (c) => {
        const { key } = c.req.valid('param');
        const body = c.req.valid('json'); // {} when no body was sent
        // Inside an idempotent request c.var.database is the request's transaction: key and start commit together.
        const started = await engine.start(
          {
            workflowKey: key,
            input: body.input ?? {},
            correlationKey: body.correlationKey ?? null,
            actor: c.var.principal.id,
            requestId: c.var.requestId,
          },
          c.var.database,
        );
        return c.json(started, started.created ? 201 : 200);
      });

      app.openapi(migrateDef, async (c) => {
        const { key } = c.req.valid('param');
        const body = c.req.valid('json'); // {} when no body was sent
        const db = c.var.database.db;
        const latest = await getDefinition(db, key);
        const migrated: string[] = [];
        const failed: Array<{ id: string; reason: string }> = [];
        for await (const id of unfinishedInstances(db, key, latest.version, body.fromVersion)) {
          try {
            const result = await engine.migrate(
              {
                instanceId: id,
                toVersion: latest.version,
                actor: c.var.principal.id,
                reason: body.reason,
                requestId: c.var.requestId,
              },
              c.var.database,
            );
            if (result.migrated) migrated.push(id);
          } catch (error) {
            if (!(error instanceof AppError) || error.status >= 500) throw error;
            failed.push({ id, reason: error.message });
          }
        }
        return c.json({ workflowKey: key, toVersion: latest.version, migrated, failed }, 200);
      });
    },
  };
}

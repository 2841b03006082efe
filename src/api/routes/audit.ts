import { createRoute, z } from '@hono/zod-openapi';
import { validationError } from '../../core/errors.js';
import { readAuditLog } from '../../storage/audit/audit-log.js';
import { verifyAuditChain } from '../../storage/audit/audit-verify.js';
import { requirePermission } from '../middleware/auth.js';
import type { App, RouteModule } from '../context.js';
import { commonErrors, json, SeqCursor } from '../schemas.js';

const AuditEntrySchema = z
  .object({
    seq: z
      .string()
      .openapi({ description: 'Insertion number (decimal string): the order rows were written in; the page cursor' }),
    chainSeq: z
      .string()
      .nullable()
      .openapi({ description: 'Position in the hash chain (decimal string); null until the row is sealed' }),
    id: z.string(),
    occurredAt: z.string().datetime(),
    actor: z.string(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    reason: z.string().nullable(),
    requestId: z.string().nullable(),
    prevHash: z.string().nullable().openapi({ description: 'null until the row is sealed' }),
    hash: z.string().nullable().openapi({ description: 'null until the row is sealed' }),
  })
  .openapi('AuditEntry');

const VerifySchema = z
  .object({
    ok: z.boolean(),
    rowsChecked: z.number().int(),
    headSeq: z.string(),
    headHash: z.string(),
    problem: z
      .object({
        kind: z.enum(['missing', 'out_of_order', 'altered', 'truncated']),
        seq: z.string(),
        id: z.string().nullable(),
        message: z.string(),
      })
      .nullable(),
    unsealedRows: z.number().int().openapi({
      description:
        'Rows committed but not yet linked into the chain (sealing follows each commit within moments); not covered by the check until sealed',
    }),
    oldestUnsealedAt: z.string().datetime().nullable(),
  })
  .openapi('AuditVerification');

const Instant = z
  .string()
  .datetime({ offset: true })
  .transform((text) => new Date(text))
  .optional()
  .openapi({ type: 'string', format: 'date-time' });

const listDef = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['audit'],
  summary: 'Read the audit log, filtered by entity, actor, action and time; oldest or newest first',
  middleware: [requirePermission('audit:read')] as const,
  request: {
    query: z.object({
      entityType: z.string().max(100).optional(),
      entityId: z.string().max(200).optional(),
      actor: z.string().max(200).optional().openapi({ description: 'Who did it, exactly: usr_…, key_…, system:…' }),
      action: z
        .string()
        .max(100)
        .optional()
        .openapi({ description: 'What happened, exactly (`user.created`), or a prefix ending in `*` (`user.*`)' }),
      id: z.string().max(100).optional().openapi({ description: 'One row by its id (aud_…)' }),
      from: Instant.openapi({ description: 'Rows that occurred at or after this instant (ISO 8601)' }),
      to: Instant.openapi({ description: 'Rows that occurred before this instant (ISO 8601)' }),
      order: z
        .enum(['asc', 'desc'])
        .default('asc')
        .openapi({ description: '`asc`: in the order written (page with afterSeq); `desc`: newest first (beforeSeq)' }),
      afterSeq: SeqCursor,
      beforeSeq: SeqCursor.openapi({ type: 'string', description: 'The `nextBeforeSeq` of the previous page (desc)' }),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: {
    200: json(
      z.object({
        data: z.array(AuditEntrySchema),
        nextAfterSeq: z.string().nullable().openapi({ description: 'The next page oldest first (order asc)' }),
        nextBeforeSeq: z.string().nullable().openapi({ description: 'The next page newest first (order desc)' }),
      }),
      'A page of entries',
    ),
    ...commonErrors,
  },
});

const verifyDef = createRoute({
  method: 'get',
  path: '/audit/verify',
  tags: ['audit'],
  summary: 'Walk the hash chain and name the first altered, missing or reordered row',
  middleware: [requirePermission('audit:read')] as const,
  responses: { 200: json(VerifySchema, 'The verification result (ok false when tampered)'), ...commonErrors },
});

export const auditRoutes: RouteModule = {
  register(app: App) {
    app.openapi(listDef, async (c) => {
      const q = c.req.valid('query');
      if (q.from && q.to && q.from >= q.to) {
        throw validationError([{ field: 'query.to', message: 'must be after query.from' }]);
      }
      const rows = await readAuditLog(c.var.database.db, q);
      const data = rows.map((r) => ({
        seq: r.seq.toString(),
        chainSeq: r.chain_seq === null ? null : r.chain_seq.toString(),
        id: r.id,
        occurredAt: r.occurred_at.toISOString(),
        actor: r.actor,
        action: r.action,
        entityType: r.entity_type,
        entityId: r.entity_id,
        before: r.before,
        after: r.after,
        reason: r.reason,
        requestId: r.request_id,
        prevHash: r.prev_hash,
        hash: r.hash,
      }));
      const next = rows.length === q.limit ? rows[rows.length - 1]!.seq.toString() : null;
      const desc = q.order === 'desc';
      return c.json({ data, nextAfterSeq: desc ? null : next, nextBeforeSeq: desc ? next : null }, 200);
    });

    app.openapi(verifyDef, async (c) => {
      // What this process committed before the request is sealed first (its seal is under way).
      await c.var.database.auditSealer.settled();
      const result = await verifyAuditChain(c.var.database.db);
      return c.json(
        {
          ok: result.ok,
          rowsChecked: result.rowsChecked,
          headSeq: result.headSeq.toString(),
          headHash: result.headHash,
          problem: result.problem ? { ...result.problem, seq: result.problem.seq.toString() } : null,
          unsealedRows: result.unsealedRows,
          oldestUnsealedAt: result.oldestUnsealedAt?.toISOString() ?? null,
        },
        200,
      );
    });
  },
};

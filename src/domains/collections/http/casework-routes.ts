import { createRoute, z } from '@hono/zod-openapi';
import type { App } from '../../../api/context.js';
import { idempotent } from '../../../api/middleware/idempotency.js';
import {
  commonErrors,
  conflictError,
  IdempotencyKeyHeader,
  json,
  notFoundError,
  unprocessableError,
} from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { lockCase } from '../cases/case-row.js';
import { DisputeInputSchema, DisputeResolutionSchema, listDisputes, openDispute, resolveDispute } from '../disputes.js';
import { HardshipInputSchema, listHardships, raiseHardship } from '../hardship.js';
import { endPlacement, listPlacements } from '../placements.js';
import { listPlans, PlanInputSchema, proposePlan } from '../plans.js';
import { listWriteOffs, proposeWriteOff } from '../write-offs.js';
import { assertCase } from './route-kit.js';
import { inRequestUnit } from '../../unit-of-work.js';
import { body, IdParam, read, Row, Rows, work } from './schemas.js';

/** A case's casework: disputes, payment plans, hardship, write-offs and agency placements. */

/** GET and POST on a case's sub-collection, in the same shape. */
function caseCollection(
  segment: string,
  names: { list: string; create: string; input: z.ZodType; created: string; idempotent?: boolean },
) {
  const list = createRoute({
    method: 'get',
    path: `/collections/cases/{id}/${segment}`,
    tags: ['collections'],
    summary: names.list,
    middleware: [read] as const,
    request: { params: IdParam },
    responses: { 200: Rows(names.list), ...commonErrors, ...notFoundError },
  });
  const create = createRoute({
    method: 'post',
    path: `/collections/cases/{id}/${segment}`,
    tags: ['collections'],
    summary: names.create,
    middleware: names.idempotent ? ([work, idempotent({ required: true })] as const) : ([work, idempotent()] as const),
    request: { params: IdParam, headers: IdempotencyKeyHeader, body: body(names.input) },
    responses: {
      201: json(Row, names.created),
      ...commonErrors,
      ...notFoundError,
      ...conflictError,
      ...unprocessableError('Refused by the rules (amount, dates), or Idempotency-Key reused'),
    },
  });
  return { list, create };
}

const disputesDefs = caseCollection('disputes', {
  list: "A case's disputes",
  create: 'Open a dispute: dunning pauses on the disputed amount until it is resolved',
  input: DisputeInputSchema.openapi('DisputeInput'),
  created: 'Opened',
});
const plansDefs = caseCollection('plans', {
  list: "A case's payment plans",
  create: 'Propose a payment plan for the arrears (approved by authority level when above the collector’s)',
  input: PlanInputSchema.openapi('PaymentPlanInput'),
  created: 'Proposed (active, or pending approval)',
  idempotent: true,
});
const hardshipDefs = caseCollection('hardship', {
  list: "A case's hardship reports",
  create: 'Report hardship: the risk and customer-care queues review it at once; dunning pauses meanwhile',
  input: HardshipInputSchema.openapi('HardshipInput'),
  created: 'Raised',
});
const writeOffDefs = caseCollection('write-offs', {
  list: "A case's write-off proposals",
  create: 'Propose writing off the outstanding balance (approved by authority level; never by the proposer)',
  input: z
    .object({ reason: z.string().trim().min(1).max(1000) })
    .strict()
    .openapi('WriteOffInput'),
  created: 'Proposed',
  idempotent: true,
});

const resolveDisputeDef = createRoute({
  method: 'post',
  path: '/collections/cases/{id}/disputes/{disputeId}/resolve',
  tags: ['collections'],
  summary: 'Resolve a dispute: valid issues a credit note, invalid resumes dunning',
  middleware: [work, idempotent()] as const,
  request: {
    params: IdParam.extend({ disputeId: z.string().min(1).max(100) }),
    headers: IdempotencyKeyHeader,
    body: body(DisputeResolutionSchema.openapi('DisputeResolution')),
  },
  responses: {
    200: json(Row, 'Resolved'),
    ...commonErrors,
    ...notFoundError,
    ...conflictError,
    ...unprocessableError('Credit amount above the disputed amount'),
  },
});

const listPlacementsDef = createRoute({
  method: 'get',
  path: '/collections/cases/{id}/placements',
  tags: ['collections'],
  summary: "A case's agency placements, with what the agency recovered and its commission",
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: Rows('Placements'), ...commonErrors, ...notFoundError },
});

const recallDef = createRoute({
  method: 'post',
  path: '/collections/cases/{id}/placements/{placementId}/recall',
  tags: ['collections'],
  summary: 'Recall an account from its agency: recoveries and commission are frozen, the strategy resumes',
  middleware: [work, idempotent()] as const,
  request: {
    params: IdParam.extend({ placementId: z.string().min(1).max(100) }),
    headers: IdempotencyKeyHeader,
    body: body(
      z
        .object({ reason: z.string().trim().min(1).max(1000) })
        .strict()
        .openapi('RecallInput'),
    ),
  },
  responses: { 200: json(Row, 'Recalled'), ...commonErrors, ...notFoundError, ...conflictError },
});

export function registerCaseworkRoutes(app: App, context: DomainContext): void {
  app.openapi(disputesDefs.list, async (c) => {
    const { id } = c.req.valid('param');
    await assertCase(c.var.database.db, id);
    return c.json({ data: await listDisputes(c.var.database.db, id) }, 200);
  });
  app.openapi(disputesDefs.create, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json') as z.infer<typeof DisputeInputSchema>;
    const dispute = await inRequestUnit(context, c, (unit) => openDispute(unit, id, input, c.var.principal.worksAs));
    return c.json(dispute, 201);
  });
  app.openapi(resolveDisputeDef, async (c) => {
    const { id, disputeId } = c.req.valid('param');
    const input = c.req.valid('json');
    const dispute = await inRequestUnit(context, c, (unit) =>
      resolveDispute(unit, id, disputeId, input, c.var.principal.worksAs),
    );
    return c.json(dispute, 200);
  });

  app.openapi(plansDefs.list, async (c) => {
    const { id } = c.req.valid('param');
    await assertCase(c.var.database.db, id);
    return c.json({ data: await listPlans(c.var.database.db, id) }, 200);
  });
  app.openapi(plansDefs.create, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json') as z.infer<typeof PlanInputSchema>;
    const plan = await inRequestUnit(context, c, (unit) => proposePlan(unit, id, input, c.var.principal.worksAs));
    return c.json(plan, 201);
  });

  app.openapi(hardshipDefs.list, async (c) => {
    const { id } = c.req.valid('param');
    await assertCase(c.var.database.db, id);
    return c.json({ data: await listHardships(c.var.database.db, id) }, 200);
  });
  app.openapi(hardshipDefs.create, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json') as z.infer<typeof HardshipInputSchema>;
    const hardship = await inRequestUnit(context, c, (unit) => raiseHardship(unit, id, input, c.var.principal.worksAs));
    return c.json(hardship, 201);
  });

  app.openapi(writeOffDefs.list, async (c) => {
    const { id } = c.req.valid('param');
    await assertCase(c.var.database.db, id);
    return c.json({ data: await listWriteOffs(c.var.database.db, id) }, 200);
  });
  app.openapi(writeOffDefs.create, async (c) => {
    const { id } = c.req.valid('param');
    const { reason } = c.req.valid('json') as { reason: string };
    const proposal = await inRequestUnit(context, c, async (unit) =>
      proposeWriteOff(unit, await lockCase(unit.tx, id), reason, c.var.principal.worksAs),
    );
    return c.json(proposal, 201);
  });

  app.openapi(listPlacementsDef, async (c) => {
    const { id } = c.req.valid('param');
    await assertCase(c.var.database.db, id);
    return c.json({ data: await listPlacements(c.var.database.db, id) }, 200);
  });
  app.openapi(recallDef, async (c) => {
    const { id, placementId } = c.req.valid('param');
    const { reason } = c.req.valid('json');
    const placement = await inRequestUnit(context, c, (unit) =>
      endPlacement(unit, id, placementId, { status: 'recalled', reason, by: c.var.principal.worksAs }),
    );
    return c.json(placement ?? {}, 200);
  });
}

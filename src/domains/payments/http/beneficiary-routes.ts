import { createRoute, z } from '@hono/zod-openapi';
import type { App, RouteModule } from '../../../api/context.js';
import { requirePermission } from '../../../api/middleware/auth.js';
import { idempotent } from '../../../api/middleware/idempotency.js';
import {
  commonErrors,
  conflictError,
  idCursor,
  IdempotencyKeyHeader,
  json,
  notFoundError,
  pageFrom,
  pageOf,
  pageQuery,
  unprocessableError,
} from '../../../api/schemas.js';
import type { DomainContext } from '../../contract.js';
import { inRequestUnit, type RequestScope } from '../../unit-of-work.js';
import {
  BENEFICIARY_KINDS,
  BENEFICIARY_STATUSES,
  createBeneficiary,
  decideChange,
  getBeneficiary,
  listBeneficiaries,
  proposeBankDetails,
} from '../beneficiaries.js';
import {
  BankDetailsInputSchema,
  BeneficiaryChangeSchema,
  BeneficiaryDetailSchema,
  BeneficiaryInputSchema,
  BeneficiarySchema,
  ChangeDecisionSchema,
  Reason,
} from './schemas.js';

/**
 * /beneficiaries: who payments go to, and the four eyes on their bank details — proposed by one
 * person (beneficiaries:manage), approved or rejected by another (payments:approve).
 */

const read = requirePermission('payments:read');
const manage = requirePermission('beneficiaries:manage');
const approve = requirePermission('payments:approve');
const IdParam = z.object({ id: z.string().min(1).max(100) });
const ChangeParams = z.object({ id: z.string().min(1).max(100), changeId: z.string().min(1).max(100) });
const body = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { 'application/json': { schema } },
});
const writeErrors = {
  ...commonErrors,
  ...conflictError,
  ...unprocessableError('Unknown customer, or Idempotency-Key reused with a different request'),
};

const createDef = createRoute({
  method: 'post',
  path: '/beneficiaries',
  tags: ['payments'],
  summary: 'Add a beneficiary with proposed bank details (unverified until a second person approves them)',
  middleware: [manage, idempotent()] as const,
  request: { headers: IdempotencyKeyHeader, body: body(BeneficiaryInputSchema) },
  responses: { 201: json(BeneficiaryDetailSchema, 'Created, with its proposed change'), ...writeErrors },
});

const listDef = createRoute({
  method: 'get',
  path: '/beneficiaries',
  tags: ['payments'],
  summary: 'List beneficiaries, oldest first',
  middleware: [read] as const,
  request: {
    query: z.object({
      status: z.enum(BENEFICIARY_STATUSES).optional(),
      kind: z.enum(BENEFICIARY_KINDS).optional(),
      customer: z.string().max(100).optional().openapi({ description: 'Customer id' }),
      ...pageQuery({ limit: 100, max: 500, cursor: idCursor('ben') }),
    }),
  },
  responses: { 200: json(pageOf(BeneficiarySchema), 'A page'), ...commonErrors },
});

const getDef = createRoute({
  method: 'get',
  path: '/beneficiaries/{id}',
  tags: ['payments'],
  summary: 'A beneficiary with every proposal of bank details (its verification history)',
  middleware: [read] as const,
  request: { params: IdParam },
  responses: { 200: json(BeneficiaryDetailSchema, 'The beneficiary'), ...commonErrors, ...notFoundError },
});

const proposeDef = createRoute({
  method: 'post',
  path: '/beneficiaries/{id}/bank-details',
  tags: ['payments'],
  summary: 'Propose new bank details; the current ones stay until a second person approves',
  description:
    '409 `change_pending` while another proposal awaits its decision, `beneficiary_blocked` for a blocked one.',
  middleware: [manage, idempotent()] as const,
  request: { params: IdParam, headers: IdempotencyKeyHeader, body: body(BankDetailsInputSchema) },
  responses: { 201: json(BeneficiaryChangeSchema, 'Proposed'), ...writeErrors, ...notFoundError },
});

const approveDef = createRoute({
  method: 'post',
  path: '/beneficiaries/{id}/changes/{changeId}/approve',
  tags: ['payments'],
  summary: 'Approve proposed bank details: they become the details payments go to (never by the proposer)',
  description:
    '409 `separation_of_duties` for the proposer (four eyes), `change_not_proposed` when already decided. ' +
    'Publishes `beneficiary.verified`, which lets payments waiting for it go to their approvers.',
  middleware: [approve, idempotent()] as const,
  request: {
    params: ChangeParams,
    headers: IdempotencyKeyHeader,
    body: body(z.object({ reason: Reason.optional() }).strict(), false),
  },
  responses: { 200: json(ChangeDecisionSchema, 'Approved'), ...writeErrors, ...notFoundError },
});

const rejectDef = createRoute({
  method: 'post',
  path: '/beneficiaries/{id}/changes/{changeId}/reject',
  tags: ['payments'],
  summary: 'Reject proposed bank details (the proposer may withdraw their own); the current details stay',
  middleware: [approve, idempotent()] as const,
  request: { params: ChangeParams, headers: IdempotencyKeyHeader, body: body(z.object({ reason: Reason }).strict()) },
  responses: { 200: json(ChangeDecisionSchema, 'Rejected'), ...writeErrors, ...notFoundError },
});

export function beneficiaryRoutes(context: DomainContext): RouteModule {
  const decide = (
    c: RequestScope & { var: { principal: { worksAs: string } } },
    request: { beneficiaryId: string; changeId: string; approve: boolean; reason: string | null },
  ) => inRequestUnit(context, c, (unit) => decideChange(unit, { ...request, by: c.var.principal.worksAs }));
  return {
    register(app: App) {
      app.openapi(createDef, async (c) => {
        const input = c.req.valid('json');
        const created = await inRequestUnit(context, c, (unit) =>
          createBeneficiary(unit, input, c.var.principal.worksAs),
        );
        return c.json(created, 201);
      });

      app.openapi(listDef, async (c) => {
        const q = c.req.valid('query');
        return c.json(pageFrom(await listBeneficiaries(c.var.database.db, q), q.limit), 200);
      });

      app.openapi(getDef, async (c) => c.json(await getBeneficiary(c.var.database.db, c.req.valid('param').id), 200));

      app.openapi(proposeDef, async (c) => {
        const { id } = c.req.valid('param');
        const details = c.req.valid('json');
        const change = await inRequestUnit(context, c, (unit) =>
          proposeBankDetails(unit, id, details, c.var.principal.worksAs),
        );
        return c.json(change, 201);
      });

      app.openapi(approveDef, async (c) => {
        const { id, changeId } = c.req.valid('param');
        const { reason } = c.req.valid('json'); // {} when no body was sent
        return c.json(await decide(c, { beneficiaryId: id, changeId, approve: true, reason: reason ?? null }), 200);
      });

      app.openapi(rejectDef, async (c) => {
        const { id, changeId } = c.req.valid('param');
        const { reason } = c.req.valid('json');
        return c.json(await decide(c, { beneficiaryId: id, changeId, approve: false, reason }), 200);
      });
    },
  };
}

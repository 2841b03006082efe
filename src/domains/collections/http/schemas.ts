import { z } from '@hono/zod-openapi';
import { requirePermission } from '../../../api/middleware/auth.js';
import { json } from '../../../api/schemas.js';

/** The schemas, permissions and request pieces the collections routes share. */

export const CaseSchema = z
  .object({
    id: z.string().openapi({ example: 'ccase_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z' }),
    receivableId: z.string(),
    customerId: z.string(),
    currency: z.string(),
    status: z.enum(['open', 'closed']),
    state: z.string().openapi({ description: 'active, promised, strategy_complete or closed' }),
    segment: z.string(),
    variant: z.string().openapi({ description: 'Champion/challenger variant of the strategy' }),
    queue: z.string(),
    decisions: z.array(z.object({ key: z.string(), version: z.number() })),
    collector: z.string().nullable(),
    instanceId: z.string().nullable(),
    openedAt: z.string(),
    openedDpd: z.number(),
    openedOverdue: z.string(),
    openedOutstanding: z.string(),
    lastStageAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    outcome: z.string().nullable().openapi({ description: 'paid or cured' }),
    recovered: z.string().openapi({ description: 'Paid since the case opened, minor units' }),
    customerName: z.string().optional().openapi({ description: 'In lists: the customer’s name' }),
    customerExternalId: z.string().optional().openapi({ description: 'In lists: the customer’s external id' }),
    lastStage: z
      .string()
      .nullable()
      .optional()
      .openapi({ description: 'In lists: the strategy stage the case reached (its latest stage run)' }),
    account: z.record(z.string(), z.unknown()).openapi({ description: 'The receivable now: DPD, bucket, outstanding' }),
  })
  .openapi('CollectionCase');

export const CaseDetailSchema = CaseSchema.extend({
  stages: z.array(z.record(z.string(), z.unknown())).openapi({ description: 'Stages run, in order, with results' }),
  contacts: z.array(z.record(z.string(), z.unknown())),
  promises: z.array(z.record(z.string(), z.unknown())),
  disputes: z.array(z.record(z.string(), z.unknown())),
  plans: z.array(z.record(z.string(), z.unknown())),
  hardships: z.array(z.record(z.string(), z.unknown())),
  placements: z.array(z.record(z.string(), z.unknown())),
  writeOffs: z.array(z.record(z.string(), z.unknown())),
  timeline: z.array(z.record(z.string(), z.unknown())).openapi({ description: "The case workflow's history" }),
}).openapi('CollectionCaseDetail');

export const ContactSchema = z.record(z.string(), z.unknown()).openapi('CollectionContact');
export const PromiseSchema = z.record(z.string(), z.unknown()).openapi('PromiseToPay');

export const PromiseInputSchema = z
  .object({
    amount: z.string().regex(/^[0-9]{1,18}$/, 'must be a whole number of minor units as a string, e.g. "25000"'),
    date: z.iso.date({ error: 'must be a date, YYYY-MM-DD' }),
  })
  .strict()
  .openapi('PromiseToPayInput');

export const read = requirePermission('collections:read');
export const work = requirePermission('collections:work');
export const manage = requirePermission('decisions:manage');
export const IdParam = z.object({ id: z.string().min(1).max(100) });
export const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

export const Row = z.record(z.string(), z.unknown());
export const Rows = (name: string) => json(z.object({ data: z.array(Row) }), name);

export const SettingsSchema = z.record(z.string(), z.unknown()).openapi('CollectionsSettings');

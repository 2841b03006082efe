import type { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { CustomerUpsertSchema } from '../customers/customer-input.js';
import { upsertCustomer } from '../customers/customer-service.js';
import type { DomainWork } from '../unit-of-work.js';
import { recordPayment, recordPayments } from '../receivables/payments.js';
import { ReceivableInputSchema, SyncPaymentSchema } from '../receivables/receivable-input.js';
import { createReceivable, createReceivables } from '../receivables/receivable-service.js';
import { unitRatingScale } from '../customers/ratings.js';

/**
 * How one sync row of each kind is applied: the schema it is validated with, and the owning
 * domain's service that upserts it (inside the sync's unit of work).
 */

export type Applied = { id: string; status: 'created' | 'updated' | 'unchanged' };
export type Applier = {
  schema: z.ZodType;
  run(row: never): Promise<Applied>;
  /**
   * The same for many rows at once, set-based (receivables, payments): all applied, or the first
   * refusal thrown — the sync then rolls the chunk back and applies its rows one by one with `run`.
   */
  runBatch?(rows: never[]): Promise<Applied[]>;
};

const APPLIERS = {
  customers: async (unit: DomainWork): Promise<Applier> => {
    const ratingScale = await unitRatingScale(unit);
    return {
      schema: CustomerUpsertSchema,
      run: async (row: z.infer<typeof CustomerUpsertSchema>) => {
        const { customer, status } = await upsertCustomer(unit, row, ratingScale);
        return { id: customer.id, status };
      },
    };
  },
  receivables: (unit: DomainWork): Applier => ({
    schema: ReceivableInputSchema,
    run: async (row: z.infer<typeof ReceivableInputSchema>) => {
      const { receivable, status } = await createReceivable(unit, row);
      return { id: receivable.id, status };
    },
    runBatch: (rows: Array<z.infer<typeof ReceivableInputSchema>>) => createReceivables(unit, rows),
  }),
  payments: (unit: DomainWork): Applier => ({
    schema: SyncPaymentSchema,
    run: async (row: z.infer<typeof SyncPaymentSchema>) => {
      const { receivableExternalId, ...payment } = row;
      const { payment: recorded, status } = await recordPayment(unit, receivableExternalId, payment).catch(
        (error: unknown) => {
          throw error instanceof AppError && error.code === 'not_found'
            ? new AppError('unknown_receivable', 422, `no receivable ${receivableExternalId}`, {
                field: 'receivableExternalId',
              })
            : error;
        },
      );
      return { id: recorded.id, status };
    },
    runBatch: (rows: Array<z.infer<typeof SyncPaymentSchema>>) =>
      recordPayments(
        unit,
        rows.map(({ receivableExternalId, ...input }) => ({ receivableRef: receivableExternalId, input })),
      ),
  }),
};

/** The kinds a sync applies (the sync service's SyncKind, checked against this list where it calls). */
export type AppliedKind = keyof typeof APPLIERS;

export async function applierFor(kind: AppliedKind, unit: DomainWork): Promise<Applier> {
  return await APPLIERS[kind](unit);
}

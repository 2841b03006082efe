import { z } from 'zod';
import type { DomainContext } from '../contract.js';
import type { ActionDefinition } from '../../engine/index.js';
import { defineStepAction } from '../step-action.js';
import { issueDueInvoices } from './billing-plans.js';
import { closeOfBusiness } from './delinquency/close-of-business.js';
import { chargeFee } from './fees.js';
import { CalendarDate } from './receivable-input.js';

/**
 * Receivables' actions, what workflows call: a daily schedule runs close of business and recurring
 * billing; collections strategies charge fees.
 */
export function receivablesActions(context: DomainContext): ActionDefinition[] {
  return [
    defineStepAction(context, {
      source: import.meta.url,
      name: 'receivables.close_of_business',
      description: 'Days past due and buckets for the whole portfolio as of a date (default: today), with events',
      input: z.object({ asOf: CalendarDate.optional() }).strict(),
      run: (unit, input) => closeOfBusiness(unit, input.asOf),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'billing.issue_due',
      description: 'Issues every recurring-billing invoice due by a date (default: today); publishes invoice.issued',
      input: z.object({ asOf: CalendarDate.optional() }).strict(),
      run: (unit, input) => issueDueInvoices(unit, input.asOf ?? unit.today()),
    }),
    defineStepAction(context, {
      source: import.meta.url,
      name: 'receivables.charge_fee',
      description: 'Charges a fee on a receivable (id or external id), e.g. a late fee per policy',
      input: z
        .object({
          receivable: z.string().min(1),
          kind: z.string().min(1).max(50),
          amount: z.union([z.string().regex(/^\d{1,18}$/), z.number().int().positive()]),
        })
        .strict(),
      run: async (unit, input) => {
        const { fee, receivable } = await chargeFee(unit, input.receivable, {
          kind: input.kind,
          amount: BigInt(input.amount),
        });
        return { fee, outstanding: receivable.outstanding };
      },
    }),
  ];
}

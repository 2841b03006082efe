import { z } from 'zod';
import type { ActionDefinition } from '../../../engine/index.js';
import type { DomainContext } from '../../contract.js';
import { defineStepAction } from '../../step-action.js';
import { checkMissingStatements } from './alerts.js';

/** The step a scheduled workflow calls to check for late statements (docs/cash-forecast.md has one). */
export function treasuryAlertActions(context: DomainContext): ActionDefinition[] {
  return [
    defineStepAction(context, {
      source: import.meta.url,
      name: 'treasury.check_statements',
      description:
        'Publishes treasury.statement_missing for each active bank account whose expected statement time (UTC) has passed today with no statement imported (once per account and day)',
      input: z.object({}).strict(),
      run: (unit) => checkMissingStatements(unit),
    }),
  ];
}

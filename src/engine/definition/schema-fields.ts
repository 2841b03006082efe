import { Cron } from 'croner';
import { Duration, IANAZone } from 'luxon';
import { z } from 'zod';
import { checkExpression, templateExpressions } from '../expressions.js';

/** Field schemas of the definition language that check more than a JSON type. */

export const text = z.string().min(1, 'must not be empty');

/** An ISO 8601 duration greater than zero: `PT30S`, `P3D`. */
export const duration = z.string().superRefine((value, ctx) => {
  const parsed = Duration.fromISO(value);
  if (!parsed.isValid) ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 duration such as PT30S or P3D' });
  else if (!(parsed.toMillis() > 0)) ctx.addIssue({ code: 'custom', message: 'must be longer than zero' });
});

/** An expression of the rules engine's language, checked for syntax only (data is not known yet). */
export const expression = z.string().superRefine((value, ctx) => {
  const problem = checkExpression(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `invalid expression: ${problem}` });
});

/** Each `{{ }}` placeholder in any string leaf, with the path from the template's root. */
function placeholders(value: unknown, path: PropertyKey[] = []): Array<{ path: PropertyKey[]; expression: string }> {
  if (typeof value === 'string') return templateExpressions(value).map(({ expression }) => ({ path, expression }));
  if (Array.isArray(value)) return value.flatMap((item, i) => placeholders(item, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => placeholders(item, [...path, key]));
  }
  return [];
}

function checkTemplate(value: unknown, ctx: z.RefinementCtx): void {
  for (const { path, expression } of placeholders(value)) {
    const problem = checkExpression(expression);
    if (problem) ctx.addIssue({ code: 'custom', path, message: `invalid expression {{ ${expression} }}: ${problem}` });
  }
}

/** Any JSON value whose strings may hold `{{ expression }}` placeholders. */
export const template = z.unknown().superRefine(checkTemplate);
/** A template that must be a non-empty string (a task title). */
export const templateString = text.superRefine(checkTemplate);

export const timezone = z.string().refine((zone) => IANAZone.isValidZone(zone), {
  message: 'must be an IANA time zone such as Europe/Madrid',
});

/** A cron pattern croner accepts and that fires at least once more. */
export const cronSchedule = z.string().superRefine((value, ctx) => {
  try {
    // The time zone is checked on its own field; the pattern's validity does not depend on it.
    const cron = new Cron(value, { paused: true });
    if (cron.nextRun() === null) ctx.addIssue({ code: 'custom', message: 'never fires' });
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    ctx.addIssue({ code: 'custom', message: `is not a valid cron pattern: ${reason}` });
  }
});

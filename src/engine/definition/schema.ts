import { z } from 'zod';
import { compileInputSchema } from './input-schema.js';
import { cronSchedule, duration, expression, template, templateString, text, timezone } from './schema-fields.js';
import {
  STEP_ID_PATTERN,
  WORKFLOW_KEY_PATTERN,
  type Assignment,
  type Step,
  type TaskStep,
  type Trigger,
  type WorkflowDefinition,
} from './types.js';

/**
 * The shape of a definition document (types.ts is the contract). Field-level checks that need no
 * context — durations, expressions, cron, time zones, the input JSON Schema — live here, so one parse
 * reports all of them; checks across steps (references, loops, known actions) are in compile.ts.
 * Objects are strict: an unknown field is almost always a typo that would otherwise be ignored.
 */

const stepId = z
  .string()
  .regex(STEP_ID_PATTERN, 'must be an identifier (letters, digits and _, not starting with a digit)');
/** A reference to another step; compile.ts checks that it exists in the same list. */
const stepRef = z.string();

/** Missing fields say so, rather than zod's "expected string, received undefined". */
export const parseParams = {
  error: (issue: z.core.$ZodRawIssue) =>
    issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined,
};

const retrySchema = z.strictObject({
  maxAttempts: z.number().int('must be an integer').min(1, 'must be 1 to 100').max(100, 'must be 1 to 100').optional(),
  initialInterval: duration.optional(),
  backoffCoefficient: z.number().min(1, 'must be at least 1').optional(),
  maxInterval: duration.optional(),
});

const base = { id: stepId, next: stepRef.optional(), description: z.string().optional() };

const actionStep = z.strictObject({
  ...base,
  type: z.literal('action'),
  action: text,
  with: template.optional(),
  retry: retrySchema.optional(),
});

const decideStep = z.strictObject({
  ...base,
  type: z.literal('decide'),
  decision: text,
  version: z.number().int('must be an integer').positive('must be positive').optional(),
  input: template.optional(),
});

// No `next`: a switch always leaves through a case or its default.
const switchStep = z.strictObject({
  id: stepId,
  description: z.string().optional(),
  type: z.literal('switch'),
  cases: z.array(z.strictObject({ when: expression, next: stepRef })).min(1, 'needs at least one case'),
  default: stepRef,
});

const waitStep = z
  .strictObject({
    ...base,
    type: z.literal('wait'),
    duration: duration.optional(),
    until: expression.optional(),
    businessDays: z
      .number()
      .int('must be an integer')
      .min(1, 'must be 1 to 365')
      .max(365, 'must be 1 to 365')
      .optional(),
    calendar: text.optional(),
  })
  .superRefine((step, ctx) => {
    const given = (['duration', 'until', 'businessDays'] as const).filter((k) => step[k] !== undefined);
    if (given.length !== 1) {
      const message = given.length
        ? `takes exactly one of duration, until or businessDays, not ${given.join(' and ')}`
        : 'needs one of duration, until or businessDays';
      ctx.addIssue({ code: 'custom', message });
    }
    if (step.calendar !== undefined && step.businessDays === undefined) {
      ctx.addIssue({ code: 'custom', path: ['calendar'], message: 'only applies with businessDays' });
    }
  });

const waitForStep = z
  .strictObject({
    ...base,
    type: z.literal('waitFor'),
    event: text,
    correlation: expression.optional(),
    filter: expression.optional(),
    timeout: duration.optional(),
    until: expression.optional(),
    onTimeout: stepRef.optional(),
  })
  .superRefine((step, ctx) => {
    if (step.timeout !== undefined && step.until !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['until'], message: 'takes timeout or until, not both' });
    }
    if (step.onTimeout !== undefined && step.timeout === undefined && step.until === undefined) {
      ctx.addIssue({ code: 'custom', path: ['onTimeout'], message: 'only applies with a timeout or until' });
    }
  });

const formField = z.strictObject({
  name: text,
  type: z.enum(['string', 'number', 'integer', 'boolean', 'date', 'object']),
  label: z.string().optional(),
  required: z.boolean().optional(),
  options: z
    .array(z.union([z.string(), z.number()], { error: 'must be a string or a number' }))
    .min(1)
    .optional(),
});

/** One of `user` or `strategy`, checked by key so the message names what is wrong. */
const assignment = z
  .strictObject({
    user: templateString.optional(),
    strategy: z.enum(['round-robin', 'least-loaded', 'unassigned']).optional(),
  })
  .superRefine((a, ctx) => {
    if ((a.user === undefined) === (a.strategy === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of user or strategy' });
    }
  })
  .transform((a): Assignment => (a.user !== undefined ? { user: a.user } : { strategy: a.strategy ?? 'unassigned' }));

const escalation = z
  .strictObject({ queue: text.optional(), next: stepRef.optional() })
  .superRefine((e, ctx) => {
    if ((e.queue === undefined) === (e.next === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of queue or next' });
    }
  })
  .transform((e): NonNullable<TaskStep['escalate']> =>
    e.next !== undefined ? { next: e.next } : { queue: e.queue ?? '' },
  );

const taskStep = z
  .strictObject({
    ...base,
    type: z.literal('task'),
    queue: templateString,
    title: templateString,
    form: z.array(formField).optional(),
    outcomes: z
      .array(text)
      .min(1, 'needs at least one outcome')
      .default(() => ['done']),
    routes: z.record(z.string(), stepRef).optional(),
    assign: assignment.default(() => ({ strategy: 'unassigned' as const })),
    due: duration.optional(),
    escalate: escalation.optional(),
    data: template.optional(),
    excludeUsers: template.optional(),
  })
  .superRefine((step, ctx) => {
    const outcomes = new Set(step.outcomes);
    if (outcomes.size !== step.outcomes.length) {
      ctx.addIssue({ code: 'custom', path: ['outcomes'], message: 'lists an outcome twice' });
    }
    for (const outcome of Object.keys(step.routes ?? {})) {
      if (!outcomes.has(outcome)) {
        const message = `is not an outcome of this task (outcomes: ${step.outcomes.join(', ')})`;
        ctx.addIssue({ code: 'custom', path: ['routes', outcome], message });
      }
    }
    if (step.escalate !== undefined && step.due === undefined) {
      ctx.addIssue({ code: 'custom', path: ['escalate'], message: 'needs a due duration to escalate after' });
    }
  });

const callStep = z.strictObject({
  ...base,
  type: z.literal('call'),
  workflow: z.string().regex(WORKFLOW_KEY_PATTERN, 'must be a workflow key'),
  input: template.optional(),
});

const endStep = z.strictObject({
  id: stepId,
  description: z.string().optional(),
  type: z.literal('end'),
  outcome: text,
  output: template.optional(),
});

const STEP_TYPES = ['action', 'decide', 'switch', 'wait', 'waitFor', 'task', 'parallel', 'call', 'end'];

/** The step union, with `branchStep` as the schema of steps nested in parallel branches. */
function stepSchemaWith<B extends z.ZodType>(branchStep: B) {
  const parallelStep = z.strictObject({
    ...base,
    type: z.literal('parallel'),
    join: z.enum(['all', 'any']).default('all'),
    branches: z
      .array(z.strictObject({ id: stepId, steps: z.array(branchStep).min(1, 'needs at least one step') }))
      .min(1, 'needs at least one branch'),
  });
  return z.discriminatedUnion(
    'type',
    [actionStep, decideStep, switchStep, waitStep, waitForStep, taskStep, parallelStep, callStep, endStep],
    {
      error: (issue) => {
        // Not an object at all: zod's own "expected object" message says it.
        if (issue.input === null || typeof issue.input !== 'object') return undefined;
        const type = (issue.input as { type?: unknown }).type;
        return type === undefined ? 'is required' : `must be one of: ${STEP_TYPES.join(', ')}`;
      },
    },
  );
}

export const stepSchema: z.ZodType<Step> = z.lazy(() => stepSchemaWith(stepSchema));

/**
 * A step whose branch steps are left unparsed: compile.ts parses each step on its own so that one
 * broken step does not hide the issues (and the ids) of the others.
 */
export const shallowStepSchema = stepSchemaWith(z.unknown());
export type ShallowStep = z.output<typeof shallowStepSchema>;

const triggerSchema = z
  .strictObject({
    event: text.optional(),
    filter: expression.optional(),
    correlationKey: expression.optional(),
    schedule: cronSchedule.optional(),
    timezone: timezone.optional(),
    manual: z.literal(true).optional(),
    input: template.optional(),
  })
  .superRefine((t, ctx) => {
    const kinds = (['event', 'schedule', 'manual'] as const).filter((k) => t[k] !== undefined);
    if (kinds.length !== 1) {
      const message = kinds.length ? `is both ${kinds.join(' and ')}` : 'needs one of event, schedule or manual';
      ctx.addIssue({ code: 'custom', message });
      return;
    }
    const only = (field: keyof typeof t, kind: string) => {
      if (t[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `only applies to ${kind}` });
    };
    if (t.event === undefined) {
      only('filter', 'event triggers');
      only('correlationKey', 'event triggers');
    }
    if (t.schedule === undefined) only('timezone', 'schedule triggers');
    if (t.manual !== undefined) only('input', 'event and schedule triggers (a manual start passes its input)');
  })
  .transform((t): Trigger => {
    if (t.event !== undefined) {
      return defined({ event: t.event, filter: t.filter, correlationKey: t.correlationKey, input: t.input });
    }
    if (t.schedule !== undefined) return defined({ schedule: t.schedule, timezone: t.timezone, input: t.input });
    return { manual: true };
  });

/** Drops keys whose value is undefined, so a stored document holds only what was written. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const inputSchema = z.record(z.string(), z.unknown()).superRefine((schema, ctx) => {
  try {
    compileInputSchema(schema);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.addIssue({ code: 'custom', message: `is not a valid JSON Schema: ${message}` });
  }
});

function documentSchemaWith<S extends z.ZodType>(step: S) {
  return z.strictObject({
    key: z
      .string()
      .regex(
        WORKFLOW_KEY_PATTERN,
        'must be 1-100 lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
      ),
    name: text,
    description: z.string().optional(),
    /** Ignored: deploying assigns the version. */
    version: z.number().int('must be an integer').positive('must be positive').optional(),
    triggers: z.array(triggerSchema).default(() => [{ manual: true as const }]),
    input: inputSchema.optional(),
    steps: z.array(step).min(1, 'needs at least one step'),
  });
}

export const workflowDefinitionSchema: z.ZodType<WorkflowDefinition> = documentSchemaWith(stepSchema);

/** The document with its steps unparsed (see shallowStepSchema). */
export const documentShellSchema = documentSchemaWith(z.unknown());

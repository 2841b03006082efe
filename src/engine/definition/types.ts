/**
 * The workflow definition language, as the engine holds it after parsing and validation.
 * docs/workflows.md documents it for users; definition/schema.ts is the zod schema that checks a
 * parsed YAML/JSON document against these shapes.
 *
 * Values that accept templates (`with`, `input`, `title`, `output`) are JSON whose string leaves may
 * hold `{{ expression }}` placeholders, rendered by the rules engine against the instance context.
 * Conditions (`when`, `filter`) and references (`correlation`, `until`, `correlationKey`) are
 * expressions in the same engine's expression language. See engine/expressions.ts.
 */

/** Step ids are identifiers so expressions can say `steps.review.outcome`. */
export const STEP_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const WORKFLOW_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export type Template = unknown;

interface StepBase {
  id: string;
  /** The next step; default: the following step in the same list (or the end of the list). */
  next?: string | undefined;
  /** Free text for people reading the timeline. */
  description?: string | undefined;
}

export interface RetryPolicy {
  /** Total attempts, the first included. Default 3. */
  maxAttempts: number;
  /** ISO 8601 duration before the 2nd attempt. Default PT1S. */
  initialInterval: string;
  /** Multiplier per attempt. Default 2. */
  backoffCoefficient: number;
  /** ISO 8601 duration cap. Default PT1H. */
  maxInterval: string;
}

export interface ActionStep extends StepBase {
  type: 'action';
  action: string;
  with?: Template;
  retry?: Partial<RetryPolicy> | undefined;
}

export interface DecideStep extends StepBase {
  type: 'decide';
  decision: string;
  /** Pin a decision version; default: the latest at evaluation time (the timeline records which). */
  version?: number | undefined;
  /** Input document for the decision; default: the whole instance context. */
  input?: Template;
}

export interface SwitchStep extends StepBase {
  type: 'switch';
  cases: Array<{ when: string; next: string }>;
  default: string;
}

export interface WaitStep extends StepBase {
  type: 'wait';
  /** Exactly one of: an ISO 8601 duration, an expression giving an ISO time, or business days. */
  duration?: string | undefined;
  until?: string | undefined;
  businessDays?: number | undefined;
  /** Holiday calendar name for businessDays (weekends only when omitted). */
  calendar?: string | undefined;
}

export interface WaitForStep extends StepBase {
  type: 'waitFor';
  event: string;
  /** Expression evaluated when the wait begins; an event matches when its `key` equals the result. */
  correlation?: string | undefined;
  /** Extra condition on the event; context is the instance context plus `event`. */
  filter?: string | undefined;
  /** ISO 8601 duration after which the wait ends without an event. */
  timeout?: string | undefined;
  /**
   * Or an expression giving the time at which it ends without an event (a time in the past ends it
   * at once; null waits without a limit).
   */
  until?: string | undefined;
  /** Where to go on timeout; default `next`. */
  onTimeout?: string | undefined;
}

export interface FormField {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'object';
  label?: string | undefined;
  required?: boolean | undefined;
  /** Allowed values for a choice field. */
  options?: Array<string | number> | undefined;
}

export type Assignment =
  { user: string } | { strategy: 'round-robin' } | { strategy: 'least-loaded' } | { strategy: 'unassigned' };

export interface TaskStep extends StepBase {
  type: 'task';
  /** A queue name, or a template giving one (rendered when the task is created). */
  queue: string;
  title: Template;
  description?: string | undefined;
  form?: FormField[] | undefined;
  /** Allowed outcomes; completing with another is rejected. Default ['done']. */
  outcomes?: string[] | undefined;
  /** Per-outcome next step; outcomes not listed go to `next`. */
  routes?: Record<string, string> | undefined;
  assign?: Assignment | undefined;
  /** SLA: ISO 8601 duration from creation. */
  due?: string | undefined;
  /** What happens when the SLA is breached: move the task to another queue, or leave it for a step. */
  escalate?: { queue: string } | { next: string } | undefined;
  /** Data shown to the person working the task (templated). */
  data?: Template;
  /**
   * Separation of duties (four eyes): users who may not claim or complete the task, templated — a
   * user id or a list, e.g. `['{{ input.submittedBy }}', '{{ steps.first_approval.completedBy }}']`.
   */
  excludeUsers?: Template;
}

export interface ParallelBranch {
  id: string;
  steps: Step[];
}

export interface ParallelStep extends StepBase {
  type: 'parallel';
  /** `all`: continue when every branch finished; `any`: when the first does (the others are cancelled). */
  join: 'all' | 'any';
  branches: ParallelBranch[];
}

export interface CallStep extends StepBase {
  type: 'call';
  workflow: string;
  input?: Template;
}

export interface EndStep extends Omit<StepBase, 'next'> {
  type: 'end';
  outcome: string;
  output?: Template;
}

export type Step =
  ActionStep | DecideStep | SwitchStep | WaitStep | WaitForStep | TaskStep | ParallelStep | CallStep | EndStep;
export type StepType = Step['type'];

/** Steps after which the instance waits for time, an event, a person or a child: they commit and break a loop. */
export const WAITING_STEP_TYPES: ReadonlySet<StepType> = new Set(['wait', 'waitFor', 'task', 'call']);

export type Trigger =
  | {
      event: string;
      /** Only events for which this expression is true start an instance. */
      filter?: string | undefined;
      /** Expression; at most one running instance per value (e.g. per receivable). */
      correlationKey?: string | undefined;
      /** Instance input built from the event (templated with `event`); default: the event's data. */
      input?: Template;
    }
  | {
      schedule: string;
      timezone?: string | undefined;
      input?: Template;
    }
  | { manual: true };

export interface WorkflowDefinition {
  key: string;
  name: string;
  description?: string | undefined;
  /** Assigned on deploy; a document may omit it. */
  version?: number | undefined;
  triggers: Trigger[];
  /** JSON Schema (draft 2020-12 subset, checked by ajv) for the start input. */
  input?: Record<string, unknown> | undefined;
  steps: Step[];
}

/** A deployed definition with its step index, as the runtime uses it. */
export interface DeployedDefinition {
  key: string;
  version: number;
  definition: WorkflowDefinition;
  /** Every step by id, nested branch steps included. */
  steps: Map<string, StepLocation>;
}

export interface StepLocation {
  step: Step;
  /** The step that follows by default (the next one in the same list), if any. */
  following: string | undefined;
  /** The parallel step and branch this step belongs to, if inside a branch. */
  branch: { parallelStepId: string; branchId: string } | undefined;
}

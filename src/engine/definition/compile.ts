import type { z } from 'zod';
import { validationError, type FieldIssue } from '../../core/errors.js';
import type { ActionRegistry } from '../actions.js';
import { fieldName } from './fields.js';
import { checkGraph, type Issue, type StepNode } from './graph.js';
import { parseSource, type DocumentPath, type SourceFormat } from './parse.js';
import { documentShellSchema, parseParams, shallowStepSchema } from './schema.js';
import { STEP_ID_PATTERN, type Step, type StepLocation, type WorkflowDefinition } from './types.js';

/**
 * Turns a YAML or JSON document into a valid WorkflowDefinition, or throws a validation error that
 * lists every problem at once, each with the field (steps named by id) and the source line.
 */

export interface CompiledDefinition {
  definition: WorkflowDefinition;
  format: SourceFormat;
  /** Every step by id, nested branch steps included. */
  steps: Map<string, StepLocation>;
}

export interface CompileOptions {
  /** Default: JSON when the document starts with `{`, YAML otherwise. */
  format?: SourceFormat;
  /** The actions steps may name. */
  actions: ActionRegistry;
}

export function compileDefinition(source: string, options: CompileOptions): CompiledDefinition {
  const parsed = parseSource(source, options.format);
  if (parsed.issues.length > 0) throw validationError(parsed.issues);
  const document = parsed.value;
  if (!isRecord(document)) {
    const message =
      document === null || document === undefined ? 'is empty' : 'must be a mapping with key, name and steps';
    throw validationError([{ field: 'definition', message, line: parsed.lineOf([]) ?? 1 }]);
  }

  const issues: Issue[] = [];
  const shell = documentShellSchema.safeParse(document, parseParams);
  if (!shell.success) issues.push(...fromZod(shell.error, []));
  const rawSteps = Array.isArray(document.steps) ? (document.steps as unknown[]) : [];
  const steps = readSteps(rawSteps, ['steps'], issues);
  issues.push(...checkGraph(steps), ...checkActions(steps, options.actions));

  if (issues.length > 0 || !shell.success) {
    const located = issues.map((issue): FieldIssue => {
      const line = parsed.lineOf(issue.path);
      const field = fieldName(issue.path, document);
      return line === undefined ? { field, message: issue.message } : { field, message: issue.message, line };
    });
    // In document order, as a person fixes them (sort is stable: same-line issues keep their order).
    throw validationError(located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)));
  }
  const definition: WorkflowDefinition = { ...shell.data, steps: steps.map(toStep) };
  // The document's own `version`, if any, is dropped: deploying assigns it.
  delete definition.version;
  return { definition, format: parsed.format, steps: indexSteps(definition) };
}

/** The step index the runtime uses, built from a definition that is already valid (e.g. from the database). */
export function indexSteps(definition: WorkflowDefinition): Map<string, StepLocation> {
  const index = new Map<string, StepLocation>();
  const visit = (steps: Step[], branch: StepLocation['branch']): void => {
    steps.forEach((step, i) => {
      index.set(step.id, { step, following: steps[i + 1]?.id, branch });
      if (step.type !== 'parallel') return;
      for (const b of step.branches) visit(b.steps, { parallelStepId: step.id, branchId: b.id });
    });
  };
  visit(definition.steps, undefined);
  return index;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** zod's issues with document paths; an unknown-keys issue becomes one issue per key, at the key's line. */
function fromZod(error: z.ZodError, base: DocumentPath): Issue[] {
  return error.issues.flatMap((issue): Issue[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...base, ...issue.path, key], message: 'is not a known field' }))
      : [{ path: [...base, ...issue.path], message: issue.message }],
  );
}

/** Parses each step on its own, recursing into parallel branches even when the parallel step is invalid. */
function readSteps(raw: unknown[], path: DocumentPath, issues: Issue[]): StepNode[] {
  return raw.map((item, index): StepNode => {
    const stepPath = [...path, index];
    const result = shallowStepSchema.safeParse(item, parseParams);
    if (!result.success) issues.push(...fromZod(result.error, stepPath));
    const record = isRecord(item) ? item : {};
    const id = typeof record.id === 'string' && STEP_ID_PATTERN.test(record.id) ? record.id : undefined;
    const rawBranches =
      record.type === 'parallel' && Array.isArray(record.branches) ? (record.branches as unknown[]) : [];
    const branches = rawBranches.map((branch, b) => {
      const branchPath = [...stepPath, 'branches', b];
      const fields = isRecord(branch) ? branch : {};
      const branchSteps = Array.isArray(fields.steps) ? (fields.steps as unknown[]) : [];
      return {
        id: typeof fields.id === 'string' ? fields.id : undefined,
        path: branchPath,
        steps: readSteps(branchSteps, [...branchPath, 'steps'], issues),
      };
    });
    return { path: stepPath, id, raw: record, step: result.success ? result.data : undefined, branches };
  });
}

/** Reads the raw step, so an unknown action is reported even when another field of the step is invalid. */
function checkActions(steps: StepNode[], actions: ActionRegistry): Issue[] {
  const issues: Issue[] = [];
  const visit = (nodes: StepNode[]): void => {
    for (const node of nodes) {
      const { type, action } = node.raw;
      if (type === 'action' && typeof action === 'string' && action !== '' && !actions.has(action)) {
        const known = actions.names();
        const hint = known.length ? `known actions: ${known.join(', ')}` : 'no actions are registered';
        issues.push({ path: [...node.path, 'action'], message: `unknown action "${action}"; ${hint}` });
      }
      for (const branch of node.branches) visit(branch.steps);
    }
  };
  visit(steps);
  return issues;
}

/** Rebuilds a full step from its node; only called once every step parsed. */
function toStep(node: StepNode): Step {
  const step = node.step;
  if (!step) throw new Error(`step at ${node.path.join('.')} did not parse`);
  if (step.type !== 'parallel') return step;
  return {
    ...step,
    branches: step.branches.map((branch, i) => ({ id: branch.id, steps: (node.branches[i]?.steps ?? []).map(toStep) })),
  };
}

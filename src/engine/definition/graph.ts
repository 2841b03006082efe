import type { DocumentPath } from './parse.js';
import type { ShallowStep } from './schema.js';
import { WAITING_STEP_TYPES, type StepType } from './types.js';

/**
 * Checks across steps: unique ids, references that stay inside their own step list, and loops that
 * never wait. They read the steps as written, so a step with some other invalid field does not hide
 * these problems.
 */

export interface Issue {
  path: DocumentPath;
  message: string;
}

/** A step as found in the document: `step` is undefined when its shape is invalid. */
export interface StepNode {
  path: DocumentPath;
  /** The step's id when it is a valid identifier. */
  id: string | undefined;
  step: ShallowStep | undefined;
  /** The step as written (an empty record when it is not an object). */
  raw: Record<string, unknown>;
  branches: BranchNode[];
}

export interface BranchNode {
  id: string | undefined;
  path: DocumentPath;
  steps: StepNode[];
}

interface StepList {
  /** Where the list is, for messages: "the top-level steps", "branch a of parallel step checks". */
  label: string;
  nodes: StepNode[];
  byId: Map<string, StepNode>;
}

export function checkGraph(top: StepNode[]): Issue[] {
  const lists = collectLists(top);
  return [...checkDuplicates(top), ...checkReferences(lists), ...checkLoops(lists)];
}

function collectLists(top: StepNode[]): StepList[] {
  const lists: StepList[] = [];
  const visit = (nodes: StepNode[], label: string): void => {
    const byId = new Map<string, StepNode>();
    for (const node of nodes) if (node.id !== undefined && !byId.has(node.id)) byId.set(node.id, node);
    lists.push({ label, nodes, byId });
    for (const node of nodes) {
      for (const branch of node.branches) {
        visit(branch.steps, `branch ${branch.id ?? '?'} of parallel step ${node.id ?? '?'}`);
      }
    }
  };
  visit(top, 'the top-level steps');
  return lists;
}

/** Every node, parents before their branch steps: document order. */
function allNodes(nodes: StepNode[]): StepNode[] {
  return nodes.flatMap((node) => [node, ...node.branches.flatMap((branch) => allNodes(branch.steps))]);
}

function checkDuplicates(top: StepNode[]): Issue[] {
  const issues: Issue[] = [];
  // Step ids are global, branch steps included: the timeline and `steps.<id>` in expressions name them.
  const seen = new Set<string>();
  for (const node of allNodes(top)) {
    if (node.id !== undefined) {
      if (seen.has(node.id)) issues.push({ path: [...node.path, 'id'], message: `step id "${node.id}" is used twice` });
      seen.add(node.id);
    }
    const branchIds = new Set<string>();
    for (const branch of node.branches) {
      if (branch.id === undefined) continue;
      if (branchIds.has(branch.id)) {
        issues.push({ path: [...branch.path, 'id'], message: `branch id "${branch.id}" is used twice in this step` });
      }
      branchIds.add(branch.id);
    }
  }
  return issues;
}

interface Reference {
  /** The naming field, relative to the step. */
  path: PropertyKey[];
  target: string;
  /** `next` is where the step goes by default; the others are extra exits (cases, routes…). */
  isNext: boolean;
}

const STEP_TYPES: ReadonlySet<unknown> = new Set<StepType>([
  'action',
  'decide',
  'switch',
  'wait',
  'waitFor',
  'task',
  'parallel',
  'call',
  'end',
]);

const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * The steps a step names, read from the step as written rather than the parsed one, so that a step
 * with an unrelated invalid field still has its references checked. Values of the wrong type are
 * skipped: the schema reports them.
 */
function references(raw: Record<string, unknown>): Reference[] {
  const refs: Reference[] = [];
  const add = (path: PropertyKey[], target: unknown, isNext = false): void => {
    if (typeof target === 'string') refs.push({ path, target, isNext });
  };
  if (!STEP_TYPES.has(raw.type)) return refs;
  // A switch or end step has no `next` (the schema reports one as an unknown field).
  if (raw.type !== 'switch' && raw.type !== 'end') add(['next'], raw.next, true);
  if (raw.type === 'switch') {
    if (Array.isArray(raw.cases)) raw.cases.forEach((c, i) => add(['cases', i, 'next'], asRecord(c).next));
    add(['default'], raw.default);
  } else if (raw.type === 'task') {
    for (const [outcome, target] of Object.entries(asRecord(raw.routes))) add(['routes', outcome], target);
    add(['escalate', 'next'], asRecord(raw.escalate).next);
  } else if (raw.type === 'waitFor') {
    add(['onTimeout'], raw.onTimeout);
  }
  return refs;
}

function checkReferences(lists: StepList[]): Issue[] {
  const home = new Map<string, string>();
  for (const list of lists) for (const id of list.byId.keys()) if (!home.has(id)) home.set(id, list.label);
  const issues: Issue[] = [];
  for (const list of lists) {
    for (const node of list.nodes) {
      for (const { path, target } of references(node.raw)) {
        if (list.byId.has(target)) continue;
        const elsewhere = home.get(target);
        // Branches join only at their parallel step, so a jump across lists would bypass the join.
        const message = elsewhere
          ? `step "${target}" is in ${elsewhere}; a step can only go to steps of its own list (${list.label})`
          : `no step "${target}" exists`;
        issues.push({ path: [...node.path, ...path], message });
      }
    }
  }
  return issues;
}

/** Whether a step can continue to its `next` (or the following step) rather than only to named exits. */
function continues(raw: Record<string, unknown>): boolean {
  if (raw.type === 'switch' || raw.type === 'end') return false;
  if (raw.type !== 'task') return true;
  // A task continues by default only for outcomes without a route.
  const outcomes = Array.isArray(raw.outcomes) ? (raw.outcomes as unknown[]) : ['done'];
  const routes = asRecord(raw.routes);
  return outcomes.some((outcome) => typeof outcome !== 'string' || !Object.hasOwn(routes, outcome));
}

/** Where a step can go next (unknown targets are left out: they are reported as references). */
function successors(node: StepNode, list: StepList, index: number): StepNode[] {
  if (!STEP_TYPES.has(node.raw.type)) return [];
  const refs = references(node.raw);
  const out = refs.filter((ref) => !ref.isNext).map((ref) => list.byId.get(ref.target));
  if (continues(node.raw)) {
    const next = refs.find((ref) => ref.isNext);
    // The last step of a branch goes nowhere: the branch ends and the parallel step joins.
    out.push(next ? list.byId.get(next.target) : list.nodes[index + 1]);
  }
  out.push(...node.branches.map((branch) => branch.steps[0]));
  return out.filter((n): n is StepNode => n !== undefined);
}

const MAX_LOOPS_REPORTED = 20;
/** Bounds the search on pathological graphs; real definitions are far below it. */
const SEARCH_BUDGET = 100_000;

/**
 * A loop of steps that never wait would spin inside one transaction forever. Each elementary loop
 * among non-waiting steps is reported once, at its step that comes first in the document.
 */
function checkLoops(lists: StepList[]): Issue[] {
  const next = new Map<StepNode, StepNode[]>();
  for (const list of lists) list.nodes.forEach((node, i) => next.set(node, successors(node, list, i)));
  const order = new Map<StepNode, number>();
  for (const list of lists) for (const node of list.nodes) order.set(node, order.size);
  const waits = (node: StepNode): boolean => (WAITING_STEP_TYPES as ReadonlySet<unknown>).has(node.raw.type);
  const rank = (node: StepNode): number => order.get(node) ?? -1;

  const issues: Issue[] = [];
  const reported = new Set<string>();
  let budget = SEARCH_BUDGET;
  for (const start of order.keys()) {
    if (waits(start)) continue;
    // Only steps after `start` in the document: a loop through an earlier step was found from that one.
    const path: StepNode[] = [start];
    const search = (node: StepNode): void => {
      for (const target of next.get(node) ?? []) {
        if (--budget < 0 || issues.length >= MAX_LOOPS_REPORTED) return;
        if (target === start) {
          const loop = [...path, start];
          const key = loop.map(rank).join(',');
          if (reported.has(key)) continue;
          reported.add(key);
          const names = loop.map((n) => n.id ?? '?').join(' → ');
          const message = `loops without waiting: ${names}; a loop must pass through a wait, waitFor, task or call step`;
          issues.push({ path: start.path, message });
        } else if (!waits(target) && rank(target) > rank(start) && !path.includes(target)) {
          path.push(target);
          search(target);
          path.pop();
        }
      }
    };
    search(start);
  }
  return issues;
}

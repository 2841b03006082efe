// The difference between two JDM documents as a person reads it: one row per changed value, named
// by node and rule (not by array index), ignoring what does not change a decision (positions on the
// canvas, empty defaults the editor fills in).

export interface Change {
  path: string;
  before: unknown;
  after: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Empty values the editor adds or drops without meaning anything. */
const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  v === false ||
  (Array.isArray(v) && v.length === 0) ||
  (isObject(v) && Object.keys(v).length === 0);

/** Arrays of objects with ids become records by id, so a moved row is not a change of every row. */
function keyed(list: unknown[]): Record<string, unknown> | null {
  if (!list.every((item) => isObject(item) && (typeof item._id === 'string' || typeof item.id === 'string'))) {
    return null;
  }
  const out: Record<string, unknown> = {};
  for (const item of list as Array<Record<string, unknown>>) out[String(item._id ?? item.id)] = item;
  return out;
}

function normalize(doc: unknown): Record<string, unknown> {
  const d = (isObject(doc) ? doc : {}) as { nodes?: unknown[]; edges?: unknown[] };
  const nodes: Record<string, unknown> = {};
  for (const node of d.nodes ?? []) {
    if (!isObject(node)) continue;
    const { position: _position, id, ...rest } = node;
    void _position;
    nodes[`${String(rest.name ?? id)}`] = rest;
  }
  const edges: Record<string, unknown> = {};
  const names = new Map<string, string>();
  for (const node of d.nodes ?? []) if (isObject(node)) names.set(String(node.id), String(node.name ?? node.id));
  for (const edge of d.edges ?? []) {
    if (!isObject(edge)) continue;
    const from = names.get(String(edge.sourceId)) ?? String(edge.sourceId);
    const to = names.get(String(edge.targetId)) ?? String(edge.targetId);
    edges[`${from} → ${to}${typeof edge.sourceHandle === 'string' ? ` (${edge.sourceHandle})` : ''}`] = true;
  }
  return { nodes, edges };
}

function walk(before: unknown, after: unknown, path: string, out: Change[]): void {
  if (Array.isArray(before) && Array.isArray(after)) {
    const kb = keyed(before);
    const ka = keyed(after);
    if (kb && ka) return walk(kb, ka, path, out);
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((b, i) => walk(b, after[i], `${path}[${i}]`, out));
    return;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      walk(before[key], after[key], path ? `${path} › ${key}` : key, out);
    }
    return;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (isEmpty(before) && isEmpty(after)) return;
  out.push({ path, before, after });
}

/** Every value that differs between the active document and the edited one. */
export function diffDecisions(active: unknown, edited: unknown): Change[] {
  const out: Change[] = [];
  walk(normalize(active), normalize(edited), '', out);
  return out;
}

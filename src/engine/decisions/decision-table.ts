/** A JDM (GoRules JSON Decision Model) graph: what a decision version stores. */
export type JdmDocument = { nodes: Record<string, unknown>[]; edges: Record<string, unknown>[] };

/**
 * A one-table JDM decision (request → decision table → response), the shape of most shipped policy:
 * credit's knock-outs, anomaly triggers, terms by grade and routing, collections' segments and strategies. Written as rows here so the
 * shipped policy reads like the table a risk analyst sees in the GoRules editor.
 *
 * Cells are zen unary tests (`< 18`, `'A', 'B'`, `true`, empty = any) for inputs and zen
 * expressions for outputs. Input `field`s may be expressions over the request (`amount <= limit`).
 */
export interface TableColumn {
  /** Column id in the rows below. */
  id: string;
  name: string;
  /** The request field (or expression) an input reads; the response field an output writes. */
  field: string;
}

export interface TableSpec {
  name: string;
  /** `first`: the first matching row answers; `collect`: every matching row, as a list. */
  hitPolicy: 'first' | 'collect';
  inputs: TableColumn[];
  outputs: TableColumn[];
  rules: Array<{ id: string; description?: string; cells: Record<string, string> }>;
}

export function decisionTable(spec: TableSpec): JdmDocument {
  const columns = [...spec.inputs, ...spec.outputs].map((c) => c.id);
  const rules = spec.rules.map((rule) => {
    const unknown = Object.keys(rule.cells).filter((id) => !columns.includes(id));
    if (unknown.length) throw new Error(`${spec.name} row ${rule.id}: no column ${unknown.join(', ')}`);
    return {
      _id: rule.id,
      ...(rule.description ? { _description: rule.description } : {}),
      ...Object.fromEntries(columns.map((id) => [id, rule.cells[id] ?? ''])),
    };
  });
  return {
    nodes: [
      { id: 'request', type: 'inputNode', name: 'Request', position: { x: 0, y: 0 } },
      {
        id: 'table',
        type: 'decisionTableNode',
        name: spec.name,
        position: { x: 320, y: 0 },
        content: { hitPolicy: spec.hitPolicy, inputs: spec.inputs, outputs: spec.outputs, rules },
      },
      { id: 'response', type: 'outputNode', name: 'Response', position: { x: 640, y: 0 } },
    ],
    edges: [
      { id: 'request-table', sourceId: 'request', targetId: 'table', type: 'edge' },
      { id: 'table-response', sourceId: 'table', targetId: 'response', type: 'edge' },
    ],
  };
}

/** A zen string literal for a cell. */
export const text = (value: string): string => `'${value.replace(/'/g, '’')}'`;

/**
 * JDM (GoRules decision model) documents for tests: one node between the request and the response.
 * The real format, evaluated by the real zen-engine; only the wiring is shared here.
 */
export const inputNode = { id: 'in', type: 'inputNode', name: 'Request', position: { x: 0, y: 0 } };
export const outputNode = { id: 'out', type: 'outputNode', name: 'Response', position: { x: 400, y: 0 } };

export function singleNodeDecision(node: { id: string; type: string; name: string; content: unknown }) {
  return {
    nodes: [inputNode, { ...node, position: { x: 200, y: 0 } }, outputNode],
    edges: [
      { id: 'e1', sourceId: 'in', targetId: node.id, type: 'edge' },
      { id: 'e2', sourceId: node.id, targetId: 'out', type: 'edge' },
    ],
  };
}

/** A function node that throws for negative amounts: the decision that fails at evaluation. */
export const guardDecision = singleNodeDecision({
  id: 'guard',
  type: 'functionNode',
  name: 'Guard',
  content: {
    source:
      'export const handler = async (input) => { if (input.amount < 0) throw new Error("negative amount"); return { ok: true }; };',
  },
});

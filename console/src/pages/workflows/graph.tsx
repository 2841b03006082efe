// A workflow definition drawn as a graph: one node per step (branch steps included), an edge for
// every way out of a step (next, outcome routes, switch cases, timeouts, escalations), laid out by
// elkjs (layered, top to bottom) and drawn by @xyflow/react. An instance overlays it: where its
// tokens stand now, the steps it finished, and the step that failed.
import '@xyflow/react/dist/style.css';
import { Background, Controls, Handle, MarkerType, Position, ReactFlow, type Edge, type Node } from '@xyflow/react';
import { Spin } from 'antd';
import ELK from 'elkjs/lib/elk.bundled.js';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';

export type StepState = 'current' | 'done' | 'failed' | 'pending';

interface RawStep {
  id: string;
  type: string;
  next?: string;
  action?: string;
  decision?: string;
  queue?: string;
  workflow?: string;
  event?: string;
  outcome?: string;
  routes?: Record<string, string>;
  outcomes?: string[];
  cases?: Array<{ when: string; next: string }>;
  default?: string;
  onTimeout?: string;
  timeout?: string;
  until?: string;
  escalate?: { next?: string; queue?: string };
  branches?: Array<{ id: string; steps: RawStep[] }>;
  join?: string;
}

interface StepData extends Record<string, unknown> {
  step: RawStep;
  state: StepState | undefined;
  label: string;
}

const END = '__end';
const W = 200;
const H = 58;

/** Nodes and edges of a definition, before layout. */
export function definitionGraph(definition: unknown): { nodes: Array<{ id: string; step: RawStep }>; edges: Edge[] } {
  const steps = (definition as { steps?: RawStep[] } | null)?.steps ?? [];
  const nodes: Array<{ id: string; step: RawStep }> = [];
  const edges: Edge[] = [];
  let needsEnd = false;
  const edge = (from: string, to: string | undefined, label?: string) => {
    if (!to) return;
    edges.push({
      id: `${from}->${to}:${label ?? ''}:${edges.length}`,
      source: from,
      target: to,
      label,
      markerEnd: { type: MarkerType.ArrowClosed },
    });
  };
  /** `after`: where the list continues when its last step falls off the end (the join, or the end). */
  const visit = (list: RawStep[], after: string | undefined) => {
    list.forEach((step, index) => {
      nodes.push({ id: step.id, step });
      const following = list[index + 1]?.id ?? after;
      const fallOff = () => {
        if (following) return following;
        needsEnd = true;
        return END;
      };
      const next = step.next ?? undefined;
      switch (step.type) {
        case 'end':
          break;
        case 'switch':
          for (const c of step.cases ?? []) edge(step.id, c.next, c.when);
          edge(step.id, step.default, 'default');
          break;
        case 'task': {
          const routed = new Set(Object.keys(step.routes ?? {}));
          for (const [outcome, to] of Object.entries(step.routes ?? {})) edge(step.id, to, outcome);
          const rest = (step.outcomes ?? ['done']).filter((o) => !routed.has(o));
          if (rest.length) edge(step.id, next ?? fallOff(), routed.size ? rest.join(', ') : undefined);
          if (step.escalate?.next) edge(step.id, step.escalate.next, 'escalate');
          break;
        }
        case 'waitFor':
          edge(step.id, next ?? fallOff(), step.event);
          if (step.timeout || step.until) edge(step.id, step.onTimeout ?? next ?? fallOff(), 'timeout');
          break;
        case 'parallel': {
          const join = next ?? fallOff();
          for (const branch of step.branches ?? []) {
            if (branch.steps[0]) edge(step.id, branch.steps[0].id, branch.id);
            visit(branch.steps, join);
          }
          break;
        }
        default:
          edge(step.id, next ?? fallOff());
      }
    });
  };
  visit(steps, undefined);
  if (needsEnd) nodes.push({ id: END, step: { id: END, type: 'end' } });
  // Parallel branches reach the join once per branch: keep one edge per (source, target, label).
  const seen = new Set<string>();
  const unique = edges.filter((e) => {
    const k = `${e.source}|${e.target}|${typeof e.label === 'string' ? e.label : ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { nodes, edges: unique };
}

const elk = new ELK();

async function layout(nodes: Array<{ id: string }>, edges: Edge[]) {
  const graph = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.spacing.nodeNode': '40',
      'elk.layered.spacing.nodeNodeBetweenLayers': '50',
      'elk.edgeRouting': 'POLYLINE',
    },
    children: nodes.map((n) => ({ id: n.id, width: W, height: H })),
    edges: edges.map((e) => ({ id: e.id, sources: [e.source], targets: [e.target] })),
  });
  const positions = new Map<string, { x: number; y: number }>();
  for (const child of graph.children ?? []) positions.set(child.id, { x: child.x ?? 0, y: child.y ?? 0 });
  return positions;
}

const STATE_STYLE: Record<StepState, { border: string; background: string }> = {
  current: { border: '3px solid #0b5cad', background: '#e6f0fa' },
  done: { border: '2px solid #2b7a0b', background: '#eef7ea' },
  failed: { border: '3px solid #b42318', background: '#fdecea' },
  pending: { border: '1px solid #8c8c8c', background: '#ffffff' },
};

function subtitle(step: RawStep): string {
  const what = step.action ?? step.decision ?? step.queue ?? step.workflow ?? step.event ?? step.outcome ?? '';
  return what ? `${step.type} · ${what}` : step.type;
}

function StepNode({ data }: { data: StepData }) {
  const { t } = useTranslation('workflows');
  const state = data.state ?? 'pending';
  const style = data.state ? STATE_STYLE[state] : STATE_STYLE.pending;
  const stateText = data.state
    ? t(`instance.state${state[0].toUpperCase()}${state.slice(1)}` as 'instance.stateDone')
    : undefined;
  const isEnd = data.step.id === END;
  return (
    <div
      data-testid={`step-${data.step.id}`}
      data-state={state}
      style={{
        width: W,
        height: H,
        borderRadius: isEnd ? 29 : 6,
        padding: '6px 10px',
        fontSize: 12,
        lineHeight: 1.35,
        color: '#1f1f1f',
        overflow: 'hidden',
        ...style,
      }}
    >
      <Handle type="target" position={Position.Top} style={{ visibility: 'hidden' }} />
      <div style={{ fontWeight: 600, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
        {isEnd ? t('instance.end') : data.step.id}
        {stateText && <span style={{ fontWeight: 400 }}> — {stateText}</span>}
      </div>
      {!isEnd && (
        <div style={{ color: '#595959', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
          {subtitle(data.step)}
        </div>
      )}
      <Handle type="source" position={Position.Bottom} style={{ visibility: 'hidden' }} />
    </div>
  );
}

const nodeTypes = { step: StepNode };

/** The definition's graph; `states` colours the steps an instance reached (current, done, failed). */
export function WorkflowGraph({
  definition,
  states,
  label,
  height = 520,
}: {
  definition: unknown;
  states?: Map<string, StepState>;
  label: string;
  height?: number;
}) {
  const base = useMemo(() => definitionGraph(definition), [definition]);
  const [positions, setPositions] = useState<Map<string, { x: number; y: number }> | null>(null);
  useEffect(() => {
    let live = true;
    setPositions(null);
    void layout(base.nodes, base.edges).then((p) => live && setPositions(p));
    return () => {
      live = false;
    };
  }, [base]);

  const nodes: Array<Node<StepData>> = useMemo(
    () =>
      base.nodes.map((n) => ({
        id: n.id,
        type: 'step',
        position: positions?.get(n.id) ?? { x: 0, y: 0 },
        data: { step: n.step, state: states?.get(n.id), label: n.id },
      })),
    [base, positions, states],
  );
  const edges = useMemo(
    () =>
      base.edges.map((e) => {
        const hot = states?.get(e.source) === 'done' && states.get(e.target) !== undefined;
        return {
          ...e,
          style: hot ? { stroke: '#2b7a0b', strokeWidth: 2 } : { stroke: '#595959' },
          labelStyle: { fontSize: 11, fill: '#1f1f1f' },
          labelBgStyle: { fill: '#ffffff' },
        };
      }),
    [base, states],
  );

  return (
    <div
      role="figure"
      aria-label={label}
      style={{ height, border: '1px solid #d9d9d9', borderRadius: 6, background: '#fafafa' }}
      data-testid="workflow-graph"
    >
      {positions ? (
        <ReactFlow
          nodes={nodes}
          edges={edges}
          nodeTypes={nodeTypes}
          fitView
          fitViewOptions={{ padding: 0.15 }}
          nodesDraggable={false}
          nodesConnectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable={false}
          minZoom={0.2}
          proOptions={{ hideAttribution: true }}
        >
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      ) : (
        <div style={{ padding: 48, textAlign: 'center' }}>
          <Spin />
        </div>
      )}
    </div>
  );
}

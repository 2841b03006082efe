import { ZenEngine, type ZenDecision } from '@gorules/zen-engine';
import { compileDecision, type JdmDocument } from '../../../engine/index.js';
import { invalidInput, type Dataset } from './dataset.js';
import type { BinMatch } from './woe.js';
import type { Grade } from './scorecard.js';

/**
 * The scorecard as a GoRules JDM decision, evaluated by zen-engine like every finflow decision:
 *
 *   request → one decision table per attribute (hit policy first: the value's band → `points.<attr>`)
 *           → expression node `score` = the sum of the points
 *           → decision table score → `grade` (A–E) and `pd`
 *           → response { points: {...}, score, grade, pd }
 *
 * Each attribute table checks a missing value (null) first, then the bands, and ends with a
 * catch-all: the "other" band of a categorical attribute (rare and unseen categories), or the
 * neutral points (WoE 0) for a value that fits no band. The in-process scorer (scoreDataset) follows
 * the same rules, so both give the same points.
 */

/**
 * What a points table needs: a trained Scorecard is one, and so is a card a risk analyst writes by
 * hand (finflow's shipped application scorecard, src/domains/credit/policy/application-scorecard.ts).
 */
export interface PointsAttribute {
  name: string;
  bins: Array<{ label: string; match: BinMatch; points: number }>;
  /** Points for a value in no band. */
  neutralPoints: number;
}

export interface PointsCard {
  scaling: { factor: number; offset: number };
  attributes: PointsAttribute[];
  grades: Grade[];
}

const POINTS_NODE = 'points-';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Words zen's expression language reserves; an attribute named so is read through $root. */
const RESERVED = new Set(['true', 'false', 'null', 'and', 'or', 'not', 'in', 'if', 'then', 'else']);

/** The expression that reads an attribute from the request. */
export function fieldExpression(name: string): string {
  if (IDENTIFIER.test(name) && !RESERVED.has(name) && name !== '$root') return name;
  return `$root[${quote(name)}]`;
}

/** The attribute name a table input field reads (the inverse of fieldExpression). */
export function fieldName(field: string): string {
  const match = /^\$root\[(["'])(.*)\1\]$/.exec(field);
  return match ? match[2]! : field;
}

/** A zen string literal; zen has no escapes, so pick the quote the text does not contain. */
function quote(text: string): string {
  if (!text.includes("'")) return `'${text}'`;
  if (!text.includes('"')) return `"${text}"`;
  throw invalidInput(
    `the category or name ${text} holds both kinds of quote and cannot be written into a JDM decision`,
  );
}

/** A number as zen reads it (no exponent for everyday values, full precision). */
function numberLiteral(n: number): string {
  return String(n);
}

/** The unary test of a band. */
function unaryTest(match: BinMatch): string {
  switch (match.type) {
    case 'missing':
      return 'null';
    case 'other':
      return '';
    case 'categories':
      return match.categories
        .flatMap((c) => {
          const asNumber = Number(c);
          // A numeric-looking code matches the number too, as a workflow may send 1 instead of "1".
          return c.trim() !== '' && Number.isFinite(asNumber) && String(asNumber) === c
            ? [quote(c), numberLiteral(asNumber)]
            : [quote(c)];
        })
        .join(', ');
    case 'range': {
      const { lower, upper } = match;
      if (lower === null && upper === null) return '';
      if (lower === null) return `< ${numberLiteral(upper!)}`;
      if (upper === null) return `>= ${numberLiteral(lower)}`;
      return `[${numberLiteral(lower)}..${numberLiteral(upper)})`;
    }
  }
}

/** Keys of the `points` object: identifier-safe and unique. */
function pointKeys(attributes: readonly PointsAttribute[]): string[] {
  const used = new Set<string>();
  return attributes.map((a) => {
    let key = a.name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(key)) key = `_${key}`;
    while (used.has(key) || RESERVED.has(key)) key = `${key}_`;
    used.add(key);
    return key;
  });
}

function attributeTable(attribute: PointsAttribute, key: string, index: number) {
  const rules: Record<string, string>[] = [];
  const rule = (id: string, description: string, test: string, points: number) =>
    rules.push({ _id: id, _description: description, value: test, points: String(points) });
  const missing = attribute.bins.findIndex((b) => b.match.type === 'missing');
  rule('missing', 'missing', 'null', missing >= 0 ? attribute.bins[missing]!.points : attribute.neutralPoints);
  attribute.bins.forEach((bin, i) => {
    if (bin.match.type !== 'missing' && bin.match.type !== 'other')
      rule(`band-${i + 1}`, bin.label, unaryTest(bin.match), bin.points);
  });
  const other = attribute.bins.find((b) => b.match.type === 'other');
  if (other) rule('other', other.label, '', other.points);
  else rule('no-band', 'a value outside every band (WoE 0)', '', attribute.neutralPoints);
  return {
    id: `${POINTS_NODE}${index + 1}`,
    type: 'decisionTableNode',
    name: `${attribute.name} points`,
    position: { x: 320, y: index * 100 },
    content: {
      hitPolicy: 'first',
      inputs: [{ id: 'value', name: attribute.name, field: fieldExpression(attribute.name) }],
      outputs: [{ id: 'points', name: 'Points', field: `points.${key}` }],
      rules,
    },
  };
}

/** The scorecard as a JDM document (see the module comment). */
export function scorecardToJdm(card: PointsCard): JdmDocument {
  const keys = pointKeys(card.attributes);
  const tables = card.attributes.map((a, i) => attributeTable(a, keys[i]!, i));
  const middle = ((card.attributes.length - 1) * 100) / 2;
  const { offset, factor } = card.scaling;
  // pd = 1 / (1 + e^((score − offset) / factor)); zen has no exp(), but has ^.
  const pd = `1 / (1 + ${Math.E} ^ ((score - (${offset})) / ${factor}))`;
  const nodes: Record<string, unknown>[] = [
    { id: 'request', type: 'inputNode', name: 'Application', position: { x: 0, y: middle } },
    ...tables,
    {
      id: 'score',
      type: 'expressionNode',
      name: 'Score',
      position: { x: 680, y: middle },
      content: {
        passThrough: true,
        expressions: [{ id: 'score', key: 'score', value: keys.map((k) => `points.${k}`).join(' + ') }],
      },
    },
    {
      id: 'grade',
      type: 'decisionTableNode',
      name: 'Grade and PD',
      position: { x: 960, y: middle },
      content: {
        hitPolicy: 'first',
        passThrough: true,
        inputs: [{ id: 'score', name: 'Score', field: 'score' }],
        outputs: [
          { id: 'grade', name: 'Grade', field: 'grade' },
          { id: 'pd', name: 'Probability of default', field: 'pd' },
        ],
        rules: card.grades.map((g) => ({
          _id: `grade-${g.grade}`,
          _description:
            g.maxPd === null ? `PD ${card.grades[card.grades.length - 2]?.maxPd ?? 0} or more` : `PD below ${g.maxPd}`,
          score: g.minScore === null ? '' : `>= ${g.minScore}`,
          grade: `'${g.grade}'`,
          pd,
        })),
      },
    },
    { id: 'response', type: 'outputNode', name: 'Score, grade and PD', position: { x: 1240, y: middle } },
  ];
  const edges = [
    ...tables.flatMap((t) => [
      { id: `request-${t.id}`, sourceId: 'request', targetId: t.id, type: 'edge' },
      { id: `${t.id}-score`, sourceId: t.id, targetId: 'score', type: 'edge' },
    ]),
    { id: 'score-grade', sourceId: 'score', targetId: 'grade', type: 'edge' },
    { id: 'grade-response', sourceId: 'grade', targetId: 'response', type: 'edge' },
  ];
  return { nodes, edges };
}

/** The attributes a scorecard JDM reads: the input fields of its points tables. */
export function jdmAttributes(content: unknown): string[] {
  const nodes = (content as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.flatMap((node: { id?: unknown; type?: unknown; content?: { inputs?: { field?: unknown }[] } }) =>
    node.type === 'decisionTableNode' && typeof node.id === 'string' && node.id.startsWith(POINTS_NODE)
      ? (node.content?.inputs ?? []).flatMap((input) =>
          typeof input.field === 'string' ? [fieldName(input.field)] : [],
        )
      : [],
  );
}

export interface JdmScores {
  score: number[];
  pd: number[];
  grade: string[];
}

let engine: ZenEngine | undefined;

/** Compiles a scorecard JDM (validationError on field `content` when zen refuses it). */
export function compileScorecard(content: unknown): ZenDecision {
  engine ??= new ZenEngine();
  return compileDecision(engine, content).decision;
}

/** Scores every row through zen-engine; the request holds the row's attributes by name. */
export async function scoreWithJdm(content: unknown, data: Dataset): Promise<JdmScores> {
  const needed = jdmAttributes(content);
  const missing = needed.filter((name) => !data.attributes.some((a) => a.name === name));
  if (missing.length) throw invalidInput(`${data.source} lacks the scorecard's attribute(s) ${missing.join(', ')}`);
  const decision = compileScorecard(content);
  const scores: JdmScores = { score: [], pd: [], grade: [] };
  for (const [i, row] of data.rows.entries()) {
    const request = Object.fromEntries(data.attributes.map((a, j) => [a.name, row[j] ?? null]));
    let result: { score?: unknown; pd?: unknown; grade?: unknown };
    try {
      result = (await decision.evaluate(request)).result as typeof result;
    } catch (error) {
      throw invalidInput(
        `${data.source}:${data.lines[i]}: the scorecard failed: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    if (typeof result.score !== 'number' || typeof result.pd !== 'number') {
      throw invalidInput(`the scorecard gave no numeric score and pd for ${data.source}:${data.lines[i]}`);
    }
    scores.score.push(result.score);
    scores.pd.push(result.pd);
    scores.grade.push(typeof result.grade === 'string' ? result.grade : '');
  }
  return scores;
}

import type { Attribute, AttributeKind, Cell, Dataset } from './dataset.js';

/**
 * Weight-of-evidence binning. Each attribute's values are grouped into bins; a bin's WoE is
 * ln(share of all goods in it / share of all bads in it), so a positive WoE means lower risk. Every
 * bin's good and bad counts get +0.5 (Laplace smoothing) before the shares are taken, so an empty
 * cell never gives an infinite WoE. The information value IV = Σ (good share − bad share) · WoE
 * measures how well the attribute separates goods from bads.
 */

/** Which values fall into a bin. Numeric ranges are [lower, upper), null meaning unbounded. */
export type BinMatch =
  | { type: 'range'; lower: number | null; upper: number | null }
  | { type: 'categories'; categories: string[] }
  /** Rare categories merged together; values never seen in training land here too. */
  | { type: 'other'; categories: string[] }
  | { type: 'missing' };

export interface Bin {
  label: string;
  match: BinMatch;
  goods: number;
  bads: number;
  woe: number;
}

export interface AttributeBinning {
  name: string;
  kind: AttributeKind;
  bins: Bin[];
  iv: number;
}

export interface BinningOptions {
  /** Quantile bins a numeric attribute starts with, before merging; default 5. */
  numericBins?: number;
  /** Categories with a smaller share of the rows than this are merged into "other"; default 0.05. */
  rareShare?: number;
  /** Merge adjacent numeric bins until the bad rate (and so WoE) is monotonic; default true. */
  monotonic?: boolean;
  /** Added to every bin's good and bad counts; default 0.5. */
  smoothing?: number;
  /** Descriptions of category codes, for the bin labels. */
  valueLabels?: Record<string, string>;
}

const DEFAULTS = { numericBins: 5, rareShare: 0.05, monotonic: true, smoothing: 0.5 };

interface Tally {
  match: BinMatch;
  goods: number;
  bads: number;
}

/** WoE and IV from bin counts, with additive smoothing. */
export function woeFromCounts(
  tallies: readonly { goods: number; bads: number }[],
  smoothing = DEFAULTS.smoothing,
): { woe: number[]; iv: number } {
  const goods = tallies.reduce((s, t) => s + t.goods + smoothing, 0);
  const bads = tallies.reduce((s, t) => s + t.bads + smoothing, 0);
  let iv = 0;
  const woe = tallies.map((t) => {
    const g = (t.goods + smoothing) / goods;
    const b = (t.bads + smoothing) / bads;
    const w = Math.log(g / b);
    iv += (g - b) * w;
    return w;
  });
  return { woe, iv };
}

const formatNumber = (n: number): string => String(Number(n.toPrecision(10)));

export function binLabel(match: BinMatch, valueLabels?: Record<string, string>): string {
  const category = (c: string) => (valueLabels?.[c] ? `${c} ${valueLabels[c]}` : c);
  switch (match.type) {
    case 'missing':
      return 'missing';
    case 'categories':
      return match.categories.map(category).join('; ');
    case 'other':
      return match.categories.length ? `other (${match.categories.map(category).join('; ')})` : 'other';
    case 'range':
      if (match.lower === null && match.upper === null) return 'all';
      if (match.lower === null) return `< ${formatNumber(match.upper!)}`;
      if (match.upper === null) return `>= ${formatNumber(match.lower)}`;
      return `[${formatNumber(match.lower)}, ${formatNumber(match.upper)})`;
  }
}

/** Bins one attribute from its values and the 0/1 target (1 = bad). */
export function binAttribute(
  attribute: Attribute,
  values: readonly Cell[],
  y: readonly number[],
  options: BinningOptions = {},
): AttributeBinning {
  const settings = { ...DEFAULTS, ...options };
  const tallies =
    attribute.kind === 'numeric'
      ? numericTallies(values, y, settings.numericBins, settings.monotonic)
      : categoricalTallies(values, y, settings.rareShare);
  const missing = missingTally(values, y);
  if (missing) tallies.push(missing);
  const { woe, iv } = woeFromCounts(tallies, settings.smoothing);
  return {
    name: attribute.name,
    kind: attribute.kind,
    bins: tallies.map((t, i) => ({
      label: binLabel(t.match, settings.valueLabels),
      match: t.match,
      goods: t.goods,
      bads: t.bads,
      woe: woe[i]!,
    })),
    iv,
  };
}

/** Bins every attribute of the data set. */
export function binDataset(data: Dataset, options: BinningOptions = {}): AttributeBinning[] {
  const settings = data.valueLabels ? { valueLabels: data.valueLabels, ...options } : options;
  return data.attributes.map((attribute, j) =>
    binAttribute(
      attribute,
      data.rows.map((row) => row[j] ?? null),
      data.target,
      settings,
    ),
  );
}

function missingTally(values: readonly Cell[], y: readonly number[]): Tally | undefined {
  let goods = 0;
  let bads = 0;
  values.forEach((v, i) => {
    if (v !== null) return;
    if (y[i] === 1) bads++;
    else goods++;
  });
  return goods + bads > 0 ? { match: { type: 'missing' }, goods, bads } : undefined;
}

function categoricalTallies(values: readonly Cell[], y: readonly number[], rareShare: number): Tally[] {
  const byCategory = new Map<string, { goods: number; bads: number }>();
  values.forEach((v, i) => {
    if (v === null) return;
    const key = String(v);
    const tally = byCategory.get(key) ?? { goods: 0, bads: 0 };
    if (y[i] === 1) tally.bads++;
    else tally.goods++;
    byCategory.set(key, tally);
  });
  const total = values.length;
  const kept: Tally[] = [];
  const other: Tally & { match: { type: 'other'; categories: string[] } } = {
    match: { type: 'other', categories: [] },
    goods: 0,
    bads: 0,
  };
  const categories = [...byCategory.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  for (const category of categories) {
    const tally = byCategory.get(category)!;
    if ((tally.goods + tally.bads) / total < rareShare) {
      other.match.categories.push(category);
      other.goods += tally.goods;
      other.bads += tally.bads;
    } else {
      kept.push({ match: { type: 'categories', categories: [category] }, ...tally });
    }
  }
  if (other.match.categories.length > 0) kept.push(other);
  return kept;
}

/**
 * Quantile bins, then merging: first any bin without goods or without bads into its closest
 * neighbour, then (when `monotonic`) adjacent bins whose bad rates go against the overall trend.
 */
function numericTallies(values: readonly Cell[], y: readonly number[], bins: number, monotonic: boolean): Tally[] {
  const present: { v: number; bad: boolean }[] = [];
  values.forEach((v, i) => {
    if (typeof v === 'number') present.push({ v, bad: y[i] === 1 });
  });
  if (present.length === 0) return [];
  present.sort((a, b) => a.v - b.v);
  const n = present.length;
  const cuts: number[] = [];
  for (let j = 1; j < bins; j++) {
    const cut = present[Math.floor((j * n) / bins)]!.v;
    if (cut > present[0]!.v && cut !== cuts[cuts.length - 1]) cuts.push(cut);
  }
  const edges = [null, ...cuts, null];
  let groups = edges.slice(0, -1).map((lower, k) => ({ lower, upper: edges[k + 1] ?? null, goods: 0, bads: 0 }));
  let k = 0;
  for (const { v, bad } of present) {
    while (groups[k]!.upper !== null && v >= groups[k]!.upper!) k++;
    if (bad) groups[k]!.bads++;
    else groups[k]!.goods++;
  }
  type Group = (typeof groups)[number];
  const rate = (g: Group) => g.bads / (g.goods + g.bads);
  const merge = (i: number) => {
    // Merges groups i and i + 1.
    const a = groups[i]!;
    const b = groups[i + 1]!;
    groups = [
      ...groups.slice(0, i),
      { lower: a.lower, upper: b.upper, goods: a.goods + b.goods, bads: a.bads + b.bads },
      ...groups.slice(i + 2),
    ];
  };
  for (;;) {
    const pure = groups.findIndex((g) => g.goods === 0 || g.bads === 0);
    if (pure < 0 || groups.length < 2) break;
    if (pure === 0) merge(0);
    else if (pure === groups.length - 1) merge(pure - 1);
    else {
      const left = Math.abs(rate(groups[pure - 1]!) - rate(groups[pure]!));
      const right = Math.abs(rate(groups[pure + 1]!) - rate(groups[pure]!));
      merge(left <= right ? pure - 1 : pure);
    }
  }
  if (monotonic) {
    for (;;) {
      if (groups.length < 2) break;
      const direction = trend(groups.map((g) => ({ rate: rate(g), weight: g.goods + g.bads })));
      const violation = groups.findIndex(
        (g, i) => i + 1 < groups.length && direction * (rate(groups[i + 1]!) - rate(g)) < 0,
      );
      if (violation < 0) break;
      merge(violation);
    }
  }
  return groups.map((g) => ({
    match: { type: 'range', lower: g.lower, upper: g.upper },
    goods: g.goods,
    bads: g.bads,
  }));
}

/** +1 when the bad rate rises with the bin index overall (weighted least-squares slope), else −1. */
function trend(points: { rate: number; weight: number }[]): number {
  const w = points.reduce((s, p) => s + p.weight, 0);
  const meanX = points.reduce((s, p, i) => s + p.weight * i, 0) / w;
  const meanY = points.reduce((s, p) => s + p.weight * p.rate, 0) / w;
  const slope = points.reduce((s, p, i) => s + p.weight * (i - meanX) * (p.rate - meanY), 0);
  return slope >= 0 ? 1 : -1;
}

/** The index of the bin a value falls into, or −1 (an unseen category with no "other" bin, a missing value without a missing bin). */
export function binIndex(binning: AttributeBinning, value: Cell): number {
  if (value === null) return binning.bins.findIndex((b) => b.match.type === 'missing');
  if (binning.kind === 'numeric') {
    const v = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(v)) return -1;
    return binning.bins.findIndex(
      (b) =>
        b.match.type === 'range' &&
        (b.match.lower === null || v >= b.match.lower) &&
        (b.match.upper === null || v < b.match.upper),
    );
  }
  const key = String(value);
  const exact = binning.bins.findIndex(
    (b) => (b.match.type === 'categories' || b.match.type === 'other') && b.match.categories.includes(key),
  );
  return exact >= 0 ? exact : binning.bins.findIndex((b) => b.match.type === 'other');
}

/** A value's WoE; 0 (neutral) for a value that falls into no bin. */
export function woeOf(binning: AttributeBinning, value: Cell): number {
  const i = binIndex(binning, value);
  return i < 0 ? 0 : binning.bins[i]!.woe;
}

/**
 * The WoE-transformed design matrix: one row per data row, one column per selected binning. The
 * binnings are matched to the data's attributes by name.
 */
export function woeMatrix(data: Dataset, binnings: readonly AttributeBinning[]): number[][] {
  const columns = binnings.map((b) => {
    const j = data.attributes.findIndex((a) => a.name === b.name);
    if (j < 0) throw new Error(`the data has no attribute ${b.name}`);
    return j;
  });
  return data.rows.map((row) => binnings.map((b, k) => woeOf(b, row[columns[k]!] ?? null)));
}

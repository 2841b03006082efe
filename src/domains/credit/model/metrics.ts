/**
 * Model quality metrics for a binary credit model. `y` is 1 for a bad (default) and 0 for a good;
 * `risk` is any score where higher means riskier (a PD, or minus the scorecard points). Small,
 * dependency-free functions: there is no well-kept JavaScript library for these.
 */

function counts(y: readonly number[]): { bads: number; goods: number } {
  let bads = 0;
  for (const v of y) bads += v === 1 ? 1 : 0;
  return { bads, goods: y.length - bads };
}

function checkLengths(risk: readonly number[], y: readonly number[]): void {
  if (risk.length !== y.length) throw new Error(`risk has ${risk.length} values but y has ${y.length}`);
}

/**
 * Area under the ROC curve by the Mann–Whitney U statistic: the probability that a random bad is
 * ranked riskier than a random good, ties counting one half. NaN without both classes.
 */
export function auc(risk: readonly number[], y: readonly number[]): number {
  checkLengths(risk, y);
  const { bads, goods } = counts(y);
  if (bads === 0 || goods === 0) return Number.NaN;
  const order = risk.map((_, i) => i).sort((a, b) => risk[a]! - risk[b]!);
  // Sum of the (average, 1-based) ranks of the bads.
  let rankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && risk[order[end + 1]!] === risk[order[start]!]) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) if (y[order[k]!] === 1) rankSum += averageRank;
    start = end + 1;
  }
  return (rankSum - (bads * (bads + 1)) / 2) / (bads * goods);
}

/** Gini coefficient (accuracy ratio) = 2·AUC − 1. */
export const gini = (areaUnderCurve: number): number => 2 * areaUnderCurve - 1;

/** Groups of tied risk values, riskiest first, with how many bads and goods each holds. */
function tiedGroups(risk: readonly number[], y: readonly number[]) {
  const order = risk.map((_, i) => i).sort((a, b) => risk[b]! - risk[a]!);
  const groups: { risk: number; bads: number; goods: number }[] = [];
  for (const i of order) {
    const last = groups[groups.length - 1];
    const group = last && last.risk === risk[i] ? last : { risk: risk[i]!, bads: 0, goods: 0 };
    if (group !== last) groups.push(group);
    if (y[i] === 1) group.bads++;
    else group.goods++;
  }
  return groups;
}

export interface CurvePoint {
  /** The threshold: rows with risk ≥ threshold are flagged. */
  threshold: number;
  /** Share of all rows flagged. */
  population: number;
  /** Share of the bads flagged (true positive rate; cumulative bad distribution). */
  bads: number;
  /** Share of the goods flagged (false positive rate; cumulative good distribution). */
  goods: number;
}

/**
 * The cumulative distributions of bads and goods when flagging from the riskiest down, one point per
 * distinct risk value, starting at (0, 0). The ROC curve is (goods, bads); the KS curve plots both
 * against population.
 */
export function cumulativeCurve(risk: readonly number[], y: readonly number[]): CurvePoint[] {
  checkLengths(risk, y);
  const { bads, goods } = counts(y);
  const points: CurvePoint[] = [{ threshold: Number.POSITIVE_INFINITY, population: 0, bads: 0, goods: 0 }];
  let b = 0;
  let g = 0;
  for (const group of tiedGroups(risk, y)) {
    b += group.bads;
    g += group.goods;
    points.push({
      threshold: group.risk,
      population: (b + g) / y.length,
      bads: bads ? b / bads : 0,
      goods: goods ? g / goods : 0,
    });
  }
  return points;
}

export interface KsResult {
  /** Kolmogorov–Smirnov statistic: the largest distance between the cumulative bad and good distributions. */
  ks: number;
  /** The risk threshold at which it is reached (flag risk ≥ threshold). */
  threshold: number;
  /** The share of the population flagged there. */
  population: number;
}

export function ks(risk: readonly number[], y: readonly number[]): KsResult {
  let best: KsResult = { ks: 0, threshold: Number.NaN, population: 0 };
  for (const point of cumulativeCurve(risk, y)) {
    const distance = Math.abs(point.bads - point.goods);
    // The first (riskiest) threshold wins a tie; 1e-12 absorbs rounding of the shares.
    if (distance > best.ks + 1e-12) best = { ks: distance, threshold: point.threshold, population: point.population };
  }
  return best;
}

export interface ConfusionMatrix {
  /** Predicted bad when PD ≥ cut-off (or, for a score cut-off, score < cut-off). */
  cutoff: { pd: number } | { score: number };
  /** Bads predicted bad. */
  truePositives: number;
  /** Goods predicted bad (rejected goods). */
  falsePositives: number;
  /** Goods predicted good. */
  trueNegatives: number;
  /** Bads predicted good (accepted bads). */
  falseNegatives: number;
  accuracy: number;
  /** Share of bads caught (sensitivity, true positive rate). */
  recall: number;
  /** Share of goods accepted (true negative rate). */
  specificity: number;
  /** Share of the predicted bads that are bad; NaN when nothing is predicted bad. */
  precision: number;
  /** Share of applications accepted (predicted good). */
  acceptanceRate: number;
  /** Bad rate among the accepted; NaN when nothing is accepted. */
  acceptedBadRate: number;
}

/** The confusion matrix of `predictedBad[i]` (true = predicted bad) against the actual target. */
export function confusionMatrix(
  predictedBad: readonly boolean[],
  y: readonly number[],
  cutoff: ConfusionMatrix['cutoff'],
): ConfusionMatrix {
  if (predictedBad.length !== y.length) throw new Error('predictions and target differ in length');
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  y.forEach((actual, i) => {
    if (predictedBad[i]) {
      if (actual === 1) tp++;
      else fp++;
    } else if (actual === 1) fn++;
    else tn++;
  });
  const n = y.length;
  return {
    cutoff,
    truePositives: tp,
    falsePositives: fp,
    trueNegatives: tn,
    falseNegatives: fn,
    accuracy: n ? (tp + tn) / n : Number.NaN,
    recall: tp + fn ? tp / (tp + fn) : Number.NaN,
    specificity: tn + fp ? tn / (tn + fp) : Number.NaN,
    precision: tp + fp ? tp / (tp + fp) : Number.NaN,
    acceptanceRate: n ? (tn + fn) / n : Number.NaN,
    acceptedBadRate: tn + fn ? fn / (tn + fn) : Number.NaN,
  };
}

export interface CalibrationBin {
  /** 1-based, lowest PD first. */
  bin: number;
  count: number;
  minPd: number;
  maxPd: number;
  meanPd: number;
  bads: number;
  observedBadRate: number;
}

/**
 * Calibration table: rows sorted by predicted PD and cut into `bins` groups of (nearly) equal size
 * (deciles by default); per group the mean predicted PD and the observed bad rate.
 */
export function calibrationTable(pd: readonly number[], y: readonly number[], bins = 10): CalibrationBin[] {
  checkLengths(pd, y);
  const order = pd.map((_, i) => i).sort((a, b) => pd[a]! - pd[b]!);
  const n = order.length;
  const table: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const members = order.slice(Math.floor((b * n) / bins), Math.floor(((b + 1) * n) / bins));
    if (members.length === 0) continue;
    const sumPd = members.reduce((sum, i) => sum + pd[i]!, 0);
    const bads = members.reduce((sum, i) => sum + (y[i] === 1 ? 1 : 0), 0);
    table.push({
      bin: table.length + 1,
      count: members.length,
      minPd: pd[members[0]!]!,
      maxPd: pd[members[members.length - 1]!]!,
      meanPd: sumPd / members.length,
      bads,
      observedBadRate: bads / members.length,
    });
  }
  return table;
}

/** Mean squared error of the PD against the 0/1 outcome. */
export function brierScore(pd: readonly number[], y: readonly number[]): number {
  checkLengths(pd, y);
  if (pd.length === 0) return Number.NaN;
  return pd.reduce((sum, p, i) => sum + (p - y[i]!) ** 2, 0) / pd.length;
}

/** Mean and (sample, n − 1) standard deviation. */
export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, sd: Number.NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}

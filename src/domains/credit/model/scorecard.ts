import { invalidInput, type AttributeKind, type Cell, type Dataset } from './dataset.js';
import { fitLogistic } from './logistic.js';
import { binDataset, binIndex, woeMatrix, type AttributeBinning, type Bin, type BinningOptions } from './woe.js';

/**
 * A points scorecard: WoE binning, attribute selection by information value, a logistic regression
 * of bad (1) on the WoE values, then the usual scaling to points.
 *
 * Scaling: score = offset + factor · ln(odds), odds = good : bad, with factor = PDO / ln 2 and
 * offset = base score − factor · ln(base odds) (default 600 points at 50 : 1, 20 points to double
 * the odds). With WoE = ln(good share / bad share) and the model ln(p_bad / p_good) = α + Σ βⱼ·WoEⱼ,
 * attribute j's bin gets points = −(βⱼ · WoE + α / n) · factor + offset / n (n = attributes in the
 * card), rounded to whole points; their sum is the score.
 */

export interface Scaling {
  baseScore: number;
  /** Good : bad odds at the base score. */
  baseOdds: number;
  /** Points to double the odds. */
  pdo: number;
}

export const DEFAULT_SCALING: Scaling = { baseScore: 600, baseOdds: 50, pdo: 20 };

/** Upper PD limits of grades A–D; E is everything above the last. */
export const DEFAULT_GRADE_PDS = [0.05, 0.1, 0.2, 0.35];
const GRADE_NAMES = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'];

export interface ScoredBin extends Bin {
  points: number;
}

export interface ScorecardAttribute {
  name: string;
  kind: AttributeKind;
  iv: number;
  coefficient: number;
  standardError: number;
  bins: ScoredBin[];
  /** Points for a value that falls into no bin (WoE 0): an unseen category, or missing without a missing bin. */
  neutralPoints: number;
}

export interface Grade {
  grade: string;
  /** The lowest score of the grade; null for the last grade (everything below the one before). */
  minScore: number | null;
  /** The PD limit the grade was cut at (PD below it); null for the last grade. */
  maxPd: number | null;
}

export interface ScreenedAttribute {
  name: string;
  kind: AttributeKind;
  iv: number;
  bins: number;
  selected: boolean;
}

export interface Scorecard {
  target: string;
  scaling: Scaling & { factor: number; offset: number };
  intercept: number;
  attributes: ScorecardAttribute[];
  /** Every candidate attribute with its IV, selected or not. */
  screened: ScreenedAttribute[];
  grades: Grade[];
  fit: { rows: number; bads: number; logLikelihood: number; iterations: number; converged: boolean; l2: number };
}

export interface TrainOptions {
  binning?: BinningOptions;
  /** Attributes with a smaller information value are left out; default 0.02. */
  minIv?: number;
  scaling?: Scaling;
  /** Upper PD limits of the grades (ascending); default DEFAULT_GRADE_PDS. */
  gradePds?: number[];
}

export function scalingConstants(scaling: Scaling): { factor: number; offset: number } {
  const factor = scaling.pdo / Math.LN2;
  return { factor, offset: scaling.baseScore - factor * Math.log(scaling.baseOdds) };
}

/** The PD a score stands for under the scaling: 1 / (1 + e^((score − offset) / factor)). */
export function pdFromScore(score: number, scaling: { factor: number; offset: number }): number {
  return 1 / (1 + Math.exp((score - scaling.offset) / scaling.factor));
}

/** The score at which the PD equals `pd`. */
export function scoreFromPd(pd: number, scaling: { factor: number; offset: number }): number {
  return scaling.offset + scaling.factor * Math.log((1 - pd) / pd);
}

export function gradesFor(gradePds: readonly number[], scaling: { factor: number; offset: number }): Grade[] {
  const limits = [...gradePds];
  if (limits.length + 1 > GRADE_NAMES.length) throw invalidInput(`at most ${GRADE_NAMES.length} grades`);
  limits.forEach((pd, i) => {
    if (!(pd > 0 && pd < 1) || (i > 0 && pd <= limits[i - 1]!)) {
      throw invalidInput('grade PD limits must be ascending and between 0 and 1');
    }
  });
  // Scores are whole points: a grade starts at the first whole score whose PD is below its limit.
  const grades: Grade[] = limits.map((pd, i) => ({
    grade: GRADE_NAMES[i]!,
    minScore: Math.floor(scoreFromPd(pd, scaling)) + 1,
    maxPd: pd,
  }));
  grades.push({ grade: GRADE_NAMES[limits.length]!, minScore: null, maxPd: null });
  return grades;
}

export function gradeOf(score: number, grades: readonly Grade[]): string {
  return (grades.find((g) => g.minScore === null || score >= g.minScore) ?? grades[grades.length - 1]!).grade;
}

/** Trains a scorecard on the data (all of it: callers pass the training folds). */
export function trainScorecard(data: Dataset, options: TrainOptions = {}): Scorecard {
  const minIv = options.minIv ?? 0.02;
  const scaling = options.scaling ?? DEFAULT_SCALING;
  const constants = scalingConstants(scaling);
  const binnings = binDataset(data, options.binning);
  const selected = binnings.filter((b) => b.iv >= minIv && b.bins.length > 1);
  if (selected.length === 0) {
    const best = [...binnings].sort((a, b) => b.iv - a.iv)[0];
    throw invalidInput(
      `no attribute has an information value of at least ${minIv}` +
        (best ? ` (the highest is ${best.name}, ${best.iv.toFixed(4)}); lower --min-iv` : ''),
    );
  }
  const fit = fitLogistic(woeMatrix(data, selected), data.target);
  const n = selected.length;
  const pointsFor = (coefficient: number, woe: number) =>
    Math.round(-(coefficient * woe + fit.intercept / n) * constants.factor + constants.offset / n);
  const attributes = selected.map((binning: AttributeBinning, j): ScorecardAttribute => {
    const coefficient = fit.coefficients[j]!;
    return {
      name: binning.name,
      kind: binning.kind,
      iv: binning.iv,
      coefficient,
      standardError: fit.standardErrors[j + 1]!,
      bins: binning.bins.map((bin) => ({ ...bin, points: pointsFor(coefficient, bin.woe) })),
      neutralPoints: pointsFor(coefficient, 0),
    };
  });
  const bads = data.target.reduce((s, v) => s + v, 0);
  return {
    target: data.targetName,
    scaling: { ...scaling, ...constants },
    intercept: fit.intercept,
    attributes,
    screened: binnings.map((b) => ({
      name: b.name,
      kind: b.kind,
      iv: b.iv,
      bins: b.bins.length,
      selected: selected.includes(b),
    })),
    grades: gradesFor(options.gradePds ?? DEFAULT_GRADE_PDS, constants),
    fit: {
      rows: data.rows.length,
      bads,
      logLikelihood: fit.logLikelihood,
      iterations: fit.iterations,
      converged: fit.converged,
      l2: fit.l2,
    },
  };
}

export interface Scores {
  /** Scorecard points (whole numbers), higher = safer. */
  score: number[];
  /** PD from the points under the scaling. */
  pd: number[];
  grade: string[];
  /** PD of the underlying logistic regression, before rounding to points. */
  modelPd: number[];
}

/** Column index of each scorecard attribute in the data; an error naming the missing ones. */
function attributeColumns(card: Scorecard, data: Dataset): number[] {
  const missing: string[] = [];
  const columns = card.attributes.map((a) => {
    const j = data.attributes.findIndex((d) => d.name === a.name);
    if (j < 0) missing.push(a.name);
    return j;
  });
  if (missing.length) {
    throw invalidInput(`${data.source} lacks the scorecard's attribute(s) ${missing.join(', ')}`);
  }
  return columns;
}

/** Points of one attribute's value. */
export function pointsOf(attribute: ScorecardAttribute, value: Cell): number {
  const i = binIndex(attribute, value);
  return i < 0 ? attribute.neutralPoints : attribute.bins[i]!.points;
}

/** Scores every row in process (the same numbers the exported JDM decision gives). */
export function scoreDataset(card: Scorecard, data: Dataset): Scores {
  const columns = attributeColumns(card, data);
  const scores: Scores = { score: [], pd: [], grade: [], modelPd: [] };
  for (const row of data.rows) {
    let points = 0;
    let logit = card.intercept;
    card.attributes.forEach((attribute, k) => {
      const i = binIndex(attribute, row[columns[k]!] ?? null);
      points += i < 0 ? attribute.neutralPoints : attribute.bins[i]!.points;
      logit += attribute.coefficient * (i < 0 ? 0 : attribute.bins[i]!.woe);
    });
    scores.score.push(points);
    scores.pd.push(pdFromScore(points, card.scaling));
    scores.grade.push(gradeOf(points, card.grades));
    scores.modelPd.push(1 / (1 + Math.exp(-logit)));
  }
  return scores;
}

import { mulberry32 } from '../../../core/seeded-random.js';
import { invalidInput, subset, type Dataset } from './dataset.js';
import { auc, gini, ks, meanSd } from './metrics.js';
import { scoreDataset, trainScorecard, type TrainOptions } from './scorecard.js';

/** A seeded PRNG, so that a seed gives the same folds on every machine. */
export const seededRandom = mulberry32;

/**
 * Stratified k-fold assignment: bads and goods are shuffled separately (seeded Fisher–Yates) and
 * dealt round-robin, so every fold has (nearly) the same size and bad rate. Returns the fold
 * (0 … k−1) of each row.
 */
export function stratifiedFolds(y: readonly number[], k: number, seed: number): number[] {
  if (!Number.isInteger(k) || k < 2) throw invalidInput(`--folds must be a whole number ≥ 2, got ${k}`);
  const random = seededRandom(seed);
  const fold = new Array<number>(y.length).fill(-1);
  let next = 0;
  for (const cls of [1, 0]) {
    const members = y.flatMap((v, i) => (v === cls ? [i] : []));
    if (members.length < k) {
      throw invalidInput(
        `${k} folds need at least ${k} ${cls === 1 ? 'bads' : 'goods'}; the data has ${members.length}`,
      );
    }
    for (let i = members.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    // Continue the round-robin where the previous class stopped, so fold sizes differ by at most one.
    for (const index of members) fold[index] = next++ % k;
  }
  return fold;
}

export interface FoldResult {
  fold: number;
  trainRows: number;
  testRows: number;
  testBads: number;
  /** Attributes the fold's scorecard selected (IV on its training folds). */
  attributes: number;
  auc: number;
  gini: number;
  ks: number;
}

export interface CrossValidation {
  folds: number;
  seed: number;
  perFold: FoldResult[];
  auc: { mean: number; sd: number };
  gini: { mean: number; sd: number };
  ks: { mean: number; sd: number };
  /** Each row's prediction from the scorecard that did not see it (out of fold). */
  outOfFold: { score: number[]; pd: number[] };
}

/**
 * k-fold cross-validation of the whole scorecard pipeline: binning, IV selection and regression are
 * fitted on the training folds only and the held-out fold is scored with the resulting points, so no
 * information leaks from the fold that is measured.
 */
export function crossValidate(data: Dataset, options: TrainOptions, k = 5, seed = 42): CrossValidation {
  const assignment = stratifiedFolds(data.target, k, seed);
  const perFold: FoldResult[] = [];
  const outOfFold = { score: new Array<number>(data.rows.length), pd: new Array<number>(data.rows.length) };
  for (let f = 0; f < k; f++) {
    const train = assignment.flatMap((a, i) => (a === f ? [] : [i]));
    const test = assignment.flatMap((a, i) => (a === f ? [i] : []));
    const card = trainScorecard(subset(data, train), options);
    const held = subset(data, test);
    const scored = scoreDataset(card, held);
    test.forEach((row, i) => {
      outOfFold.score[row] = scored.score[i]!;
      outOfFold.pd[row] = scored.pd[i]!;
    });
    const area = auc(scored.pd, held.target);
    perFold.push({
      fold: f + 1,
      trainRows: train.length,
      testRows: test.length,
      testBads: held.target.reduce((s, v) => s + v, 0),
      attributes: card.attributes.length,
      auc: area,
      gini: gini(area),
      ks: ks(scored.pd, held.target).ks,
    });
  }
  return {
    folds: k,
    seed,
    perFold,
    auc: meanSd(perFold.map((r) => r.auc)),
    gini: meanSd(perFold.map((r) => r.gini)),
    ks: meanSd(perFold.map((r) => r.ks)),
    outOfFold,
  };
}

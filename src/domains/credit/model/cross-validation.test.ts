import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crossValidate, seededRandom, stratifiedFolds } from './cross-validation.js';
import type { Dataset } from './dataset.js';
import { auc } from './metrics.js';
import { scoreDataset, trainScorecard } from './scorecard.js';
import { syntheticCredit } from './synthetic.js';

describe('stratified k-fold', () => {
  test('the same seed gives the same folds; another seed other folds', () => {
    const y = Array.from({ length: 103 }, (_, i) => (i % 4 === 0 ? 1 : 0));
    assert.deepEqual(stratifiedFolds(y, 5, 42), stratifiedFolds(y, 5, 42));
    assert.notDeepEqual(stratifiedFolds(y, 5, 42), stratifiedFolds(y, 5, 43));
    assert.deepEqual(Array.from({ length: 3 }, seededRandom(9)), Array.from({ length: 3 }, seededRandom(9)));
  });

  test('folds differ in size by at most one and hold the bads evenly', () => {
    const y = Array.from({ length: 103 }, (_, i) => (i % 4 === 0 ? 1 : 0)); // 26 bads, 77 goods
    const folds = stratifiedFolds(y, 5, 1);
    const sizes = [0, 1, 2, 3, 4].map((f) => folds.filter((v) => v === f).length);
    const bads = [0, 1, 2, 3, 4].map((f) => folds.filter((v, i) => v === f && y[i] === 1).length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `sizes ${sizes.join(',')}`);
    assert.ok(Math.max(...bads) - Math.min(...bads) <= 1, `bads ${bads.join(',')}`);
    assert.equal(
      sizes.reduce((s, v) => s + v, 0),
      103,
    );
  });

  test('too few bads for the folds is a clear error', () => {
    assert.throws(() => stratifiedFolds([1, 0, 0, 0, 0, 0], 5, 1), /5 folds need at least 5 bads; the data has 1/);
    assert.throws(() => stratifiedFolds([1, 0], 1, 1), /--folds must be a whole number ≥ 2/);
  });
});

describe('cross-validation', () => {
  test('is repeatable with the seed and reports per-fold AUC, mean and sd', () => {
    const data = syntheticCredit(500, 5);
    const first = crossValidate(data, {}, 5, 42);
    const again = crossValidate(data, {}, 5, 42);
    assert.deepEqual(first, again);
    assert.equal(first.perFold.length, 5);
    for (const fold of first.perFold) {
      assert.equal(fold.trainRows + fold.testRows, 500);
      assert.ok(fold.auc > 0.6 && fold.auc <= 1, `fold ${fold.fold} AUC ${fold.auc}`);
    }
    const mean = first.perFold.reduce((s, f) => s + f.auc, 0) / 5;
    assert.ok(Math.abs(first.auc.mean - mean) < 1e-12);
    assert.ok(first.auc.sd > 0);
    assert.equal(first.outOfFold.pd.length, 500);
    assert.ok(first.outOfFold.pd.every((p) => p > 0 && p < 1));
    const other = crossValidate(data, {}, 5, 7);
    assert.notDeepEqual(other.perFold, first.perFold);
  });

  test('binning is fitted on the training folds only: an id column cannot leak', () => {
    // A unique id per row, binned one category per id: in sample it separates perfectly, but a
    // held-out row's id was never seen in training, so out of fold it carries no information.
    const base = syntheticCredit(300, 11);
    const data: Dataset = {
      ...base,
      attributes: [{ name: 'id', kind: 'categorical' }],
      rows: base.rows.map((_, i) => [`id-${i}`]),
    };
    const options = { binning: { rareShare: 0 }, minIv: 0 };
    const card = trainScorecard(data, options);
    assert.ok(auc(scoreDataset(card, data).modelPd, data.target) > 0.95);
    const cv = crossValidate(data, options, 5, 42);
    assert.ok(Math.abs(cv.auc.mean - 0.5) < 1e-9, `CV AUC ${cv.auc.mean}: every held-out row scores the same`);
  });
});

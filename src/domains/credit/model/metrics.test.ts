import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auc, brierScore, calibrationTable, confusionMatrix, cumulativeCurve, gini, ks, meanSd } from './metrics.js';

const close = (actual: number, expected: number, eps = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= eps, `${actual} ≉ ${expected}`);

// The six-row example computed by hand (risk: higher = riskier; y: 1 = bad).
//   risk  0.9 0.8 0.7 0.7 0.4 0.2
//   y       1   0   1   0   1   0
// Bad–good pairs: 0.9 beats all 3 goods (3); 0.7 beats 0.2, ties 0.7, loses to 0.8 (1.5);
// 0.4 beats 0.2 only (1): AUC = 5.5 / 9.
const RISK = [0.9, 0.8, 0.7, 0.7, 0.4, 0.2];
const Y = [1, 0, 1, 0, 1, 0];

describe('AUC (Mann–Whitney with ties)', () => {
  test('perfectly separated = 1, reversed = 0, all ties = 0.5', () => {
    assert.equal(auc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]), 1);
    assert.equal(auc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]), 0);
    assert.equal(auc([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]), 0.5);
  });

  test('the hand-computed six-row example: 5.5 / 9; Gini = 2·AUC − 1', () => {
    close(auc(RISK, Y), 5.5 / 9);
    close(gini(auc(RISK, Y)), 2 / 9);
  });

  test('does not depend on row order, and is NaN without both classes', () => {
    const order = [3, 0, 5, 1, 4, 2];
    close(
      auc(
        order.map((i) => RISK[i]!),
        order.map((i) => Y[i]!),
      ),
      5.5 / 9,
    );
    assert.ok(Number.isNaN(auc([0.1, 0.2], [0, 0])));
  });

  test('equals the pairwise count on a larger random case', () => {
    let seed = 7;
    const next = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const risk = Array.from({ length: 200 }, () => Math.round(next() * 20) / 20);
    const y = risk.map((r) => (next() < r ? 1 : 0));
    let wins = 0;
    let pairs = 0;
    risk.forEach((rb, i) => {
      if (y[i] !== 1) return;
      risk.forEach((rg, j) => {
        if (y[j] !== 0) return;
        pairs++;
        wins += rb > rg ? 1 : rb === rg ? 0.5 : 0;
      });
    });
    close(auc(risk, y), wins / pairs, 1e-12);
  });
});

describe('KS', () => {
  test('the six-row example: 1/3, first reached at the riskiest row', () => {
    // Cumulative (bads, goods) from the riskiest: (1/3, 0), (1/3, 1/3), (2/3, 2/3), (1, 2/3), (1, 1).
    const result = ks(RISK, Y);
    close(result.ks, 1 / 3);
    assert.equal(result.threshold, 0.9);
    close(result.population, 1 / 6);
    const curve = cumulativeCurve(RISK, Y);
    assert.deepEqual(
      curve.map((p) => [p.bads, p.goods]),
      [
        [0, 0],
        [1 / 3, 0],
        [1 / 3, 1 / 3],
        [2 / 3, 2 / 3],
        [1, 2 / 3],
        [1, 1],
      ],
    );
  });

  test('perfect separation gives 1, identical distributions 0', () => {
    assert.equal(ks([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]).ks, 1);
    assert.equal(ks([0.5, 0.5, 0.5, 0.5], [1, 0, 1, 0]).ks, 0);
  });
});

describe('confusion matrix, calibration, Brier', () => {
  test('at PD ≥ 0.5 on the six-row example', () => {
    const m = confusionMatrix(
      RISK.map((p) => p >= 0.5),
      Y,
      { pd: 0.5 },
    );
    assert.deepEqual([m.truePositives, m.falsePositives, m.trueNegatives, m.falseNegatives], [2, 2, 1, 1]);
    close(m.accuracy, 0.5);
    close(m.recall, 2 / 3);
    close(m.specificity, 1 / 3);
    close(m.precision, 0.5);
    close(m.acceptanceRate, 2 / 6);
    close(m.acceptedBadRate, 0.5);
    assert.deepEqual(m.cutoff, { pd: 0.5 });
  });

  test('nothing predicted bad: precision is NaN, everyone accepted', () => {
    const m = confusionMatrix([false, false], [1, 0], { score: 0 });
    assert.ok(Number.isNaN(m.precision));
    assert.equal(m.acceptanceRate, 1);
    assert.equal(m.acceptedBadRate, 0.5);
  });

  test('calibration bins by sorted PD: count, mean PD, observed bad rate', () => {
    const table = calibrationTable(RISK, Y, 3);
    assert.deepEqual(
      table.map((b) => [b.bin, b.count, b.bads]),
      [
        [1, 2, 1],
        [2, 2, 1],
        [3, 2, 1],
      ],
    );
    close(table[0]!.meanPd, 0.3);
    close(table[1]!.meanPd, 0.7);
    close(table[2]!.meanPd, 0.85);
    assert.deepEqual(
      table.map((b) => b.observedBadRate),
      [0.5, 0.5, 0.5],
    );
    assert.deepEqual([table[2]!.minPd, table[2]!.maxPd], [0.8, 0.9]);
    // Deciles of 1000 rows: 10 bins of 100.
    const many = Array.from({ length: 1000 }, (_, i) => i / 1000);
    assert.deepEqual(
      calibrationTable(
        many,
        many.map(() => 0),
      ).map((b) => b.count),
      new Array(10).fill(100),
    );
  });

  test('Brier score and mean ± sd', () => {
    close(brierScore(RISK, Y), 1.63 / 6);
    const { mean, sd } = meanSd([1, 2, 3, 4]);
    close(mean, 2.5);
    close(sd, Math.sqrt(5 / 3));
  });
});

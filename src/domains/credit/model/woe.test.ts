import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Cell } from './dataset.js';
import { parseCsv, parseGerman } from './dataset.js';
import { fitLogistic, predictProbability } from './logistic.js';
import { binAttribute, binIndex, woeFromCounts, woeMatrix, woeOf } from './woe.js';
import { syntheticCredit } from './synthetic.js';

const close = (actual: number, expected: number, eps = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= eps, `${actual} ≉ ${expected}`);

const repeat = <T>(value: T, n: number): T[] => new Array<T>(n).fill(value);

describe('WoE and IV', () => {
  test('hand-computed: 4 goods + 1 bad vs 1 good + 4 bads, +0.5 smoothing → WoE ±ln 3, IV ln 3', () => {
    // Smoothed: goods 4.5 and 1.5 of 6, bads 1.5 and 4.5 of 6.
    const values: Cell[] = [...repeat('a', 5), ...repeat('b', 5)];
    const y = [0, 0, 0, 0, 1, 0, 1, 1, 1, 1];
    const binning = binAttribute({ name: 'x', kind: 'categorical' }, values, y, { rareShare: 0 });
    assert.deepEqual(
      binning.bins.map((b) => [b.label, b.goods, b.bads]),
      [
        ['a', 4, 1],
        ['b', 1, 4],
      ],
    );
    close(binning.bins[0]!.woe, Math.log(3));
    close(binning.bins[1]!.woe, -Math.log(3));
    close(binning.iv, Math.log(3));
  });

  test('an empty cell gets a finite WoE thanks to the smoothing', () => {
    const { woe, iv } = woeFromCounts([
      { goods: 10, bads: 0 },
      { goods: 10, bads: 10 },
    ]);
    // goods 10.5/21, 10.5/21; bads 0.5/11, 10.5/11
    close(woe[0]!, Math.log(10.5 / 21 / (0.5 / 11)));
    close(woe[1]!, Math.log(10.5 / 21 / (10.5 / 11)));
    assert.ok(Number.isFinite(iv) && iv > 0);
  });

  test('categories rarer than 5% merge into "other", which also takes unseen categories; missing is its own bin', () => {
    // 40 rows: a 18, b 18, c 1 (2.5%), d 1 (2.5%), missing 2.
    const values: Cell[] = [...repeat('a', 18), ...repeat('b', 18), 'c', 'd', null, null];
    const y = values.map((_, i) => (i % 3 === 0 ? 1 : 0));
    const binning = binAttribute({ name: 'x', kind: 'categorical' }, values, y);
    assert.deepEqual(
      binning.bins.map((b) => b.label),
      ['a', 'b', 'other (c; d)', 'missing'],
    );
    assert.equal(binIndex(binning, 'c'), 2);
    assert.equal(binIndex(binning, 'never seen'), 2);
    assert.equal(binIndex(binning, null), 3);
    assert.equal(
      binning.bins.reduce((s, b) => s + b.goods + b.bads, 0),
      40,
    );
  });

  test('without an "other" or missing bin, unseen and missing values get WoE 0', () => {
    const binning = binAttribute({ name: 'x', kind: 'categorical' }, ['a', 'a', 'b', 'b'], [0, 1, 1, 1]);
    assert.equal(binIndex(binning, 'z'), -1);
    assert.equal(woeOf(binning, 'z'), 0);
    assert.equal(woeOf(binning, null), 0);
  });

  test('numeric: quantile bins; a bin without bads merges into its neighbour', () => {
    // 1..10 in 5 quantile bins (cuts 3, 5, 7, 9); the last bin {9, 10} has no good and joins [7, 9).
    const values = Array.from({ length: 10 }, (_, i) => i + 1);
    const y = [0, 1, 0, 1, 0, 1, 1, 0, 1, 1];
    const binning = binAttribute({ name: 'n', kind: 'numeric' }, values, y, { monotonic: false });
    assert.deepEqual(
      binning.bins.map((b) => [b.label, b.goods, b.bads]),
      [
        ['< 3', 1, 1],
        ['[3, 5)', 1, 1],
        ['[5, 7)', 1, 1],
        ['>= 7', 1, 3],
      ],
    );
    assert.equal(binIndex(binning, -100), 0);
    assert.equal(binIndex(binning, 6.99), 2);
    assert.equal(binIndex(binning, 7), 3);
    assert.equal(binIndex(binning, 1e9), 3);
  });

  test('numeric: adjacent bins against the trend merge until the WoE is monotonic', () => {
    // 20 values, 4 bins of 5 with 1, 3, 2, 4 bads: rates .2 .6 .4 .8; the dip merges bins 2 and 3.
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    const y = [1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 0];
    const loose = binAttribute({ name: 'n', kind: 'numeric' }, values, y, { numericBins: 4, monotonic: false });
    assert.deepEqual(
      loose.bins.map((b) => b.bads),
      [1, 3, 2, 4],
    );
    const monotonic = binAttribute({ name: 'n', kind: 'numeric' }, values, y, { numericBins: 4 });
    assert.deepEqual(
      monotonic.bins.map((b) => [b.label, b.goods, b.bads]),
      [
        ['< 6', 4, 1],
        ['[6, 16)', 5, 5],
        ['>= 16', 1, 4],
      ],
    );
    const woe = monotonic.bins.map((b) => b.woe);
    assert.ok(woe[0]! > woe[1]! && woe[1]! > woe[2]!, `decreasing WoE: ${woe.join(', ')}`);
  });

  test('on the synthetic set: every numeric bin has goods and bads, WoE is monotonic, income beats noise', () => {
    const data = syntheticCredit(600, 3);
    const [income, region, age, noise] = data.attributes.map((a, j) =>
      binAttribute(
        a,
        data.rows.map((r) => r[j] ?? null),
        data.target,
      ),
    );
    for (const binning of [income!, noise!]) {
      assert.ok(binning.bins.every((b) => b.goods > 0 && b.bads > 0));
      const woe = binning.bins.map((b) => b.woe);
      const up = woe.every((w, i) => i === 0 || w >= woe[i - 1]!);
      const down = woe.every((w, i) => i === 0 || w <= woe[i - 1]!);
      assert.ok(up || down, `${binning.name} WoE monotonic: ${woe.join(', ')}`);
    }
    // Low income is risky: the first income band has the lowest WoE.
    assert.ok(income!.bins[0]!.woe < income!.bins[income!.bins.length - 1]!.woe);
    assert.ok(income!.iv > 0.1, `income IV ${income!.iv}`);
    assert.ok(noise!.iv < 0.05, `noise IV ${noise!.iv}`);
    assert.ok(region!.bins.some((b) => b.match.type === 'other'));
    assert.ok(age!.bins.some((b) => b.match.type === 'missing'));
    const matrix = woeMatrix(data, [income!, age!]);
    assert.equal(matrix.length, 600);
    assert.equal(matrix[0]!.length, 2);
  });
});

describe('logistic regression (IRLS on ml-matrix)', () => {
  test('one binary feature: the closed-form maximum likelihood and its standard error', () => {
    // x = 0: 10 rows, 2 bad → α = logit(0.2); x = 1: 10 rows, 6 bad → α + β = logit(0.6).
    const x = [...repeat([0], 10), ...repeat([1], 10)];
    const y = [1, 1, ...repeat(0, 8), ...repeat(1, 6), ...repeat(0, 4)];
    const fit = fitLogistic(x, y);
    assert.ok(fit.converged);
    close(fit.intercept, Math.log(0.2 / 0.8), 1e-8);
    close(fit.coefficients[0]!, Math.log(0.6 / 0.4) - Math.log(0.2 / 0.8), 1e-8);
    close(fit.standardErrors[0]!, Math.sqrt(1 / (10 * 0.2 * 0.8)), 1e-6);
    const [p0, p1] = predictProbability(fit, [[0], [1]]);
    close(p0!, 0.2, 1e-8);
    close(p1!, 0.6, 1e-8);
  });

  test('perfectly separated data gives finite estimates (a small ridge steps in)', () => {
    const fit = fitLogistic([[0], [0], [1], [1]], [0, 0, 1, 1]);
    assert.ok(fit.converged);
    assert.equal(fit.l2, 0.01);
    assert.ok(Number.isFinite(fit.intercept) && Number.isFinite(fit.coefficients[0]!));
    assert.ok(fit.coefficients[0]! > 0);
    // Duplicated columns: still finite, and the effect is shared between them.
    const twin = fitLogistic(
      [
        [0, 0],
        [0, 0],
        [1, 1],
        [1, 1],
        [1, 1],
        [0, 0],
      ],
      [0, 1, 1, 0, 1, 0],
    );
    assert.ok(Math.abs(twin.coefficients[0]! - twin.coefficients[1]!) < 1e-6);
  });
});

describe('loading data', () => {
  test('german.data: 21 fields, class 2 = bad; a wrong field count names the line', () => {
    const line = 'A11 6 A34 A43 1169 A65 A75 4 A93 A101 4 A121 67 A143 A152 2 A173 1 A192 A201';
    const data = parseGerman(`${line} 1\n${line} 2\n`, 'g.data');
    assert.deepEqual(data.target, [0, 1]);
    assert.equal(data.attributes.length, 20);
    assert.equal(data.rows[0]![1], 6);
    assert.equal(data.rows[0]![0], 'A11');
    assert.throws(() => parseGerman(`${line} 1\n${line}\n`, 'g.data'), /g\.data:2: expected 21 space-separated fields/);
    assert.throws(
      () => parseGerman(`${line} 3\n`, 'g.data'),
      /g\.data:1, column 21 \(class\): must be 1 \(good\) or 2 \(bad\)/,
    );
    assert.throws(() => parseGerman('\n\n', 'g.data'), /g\.data is empty/);
  });

  test('CSV: numeric columns detected, missing cells null, errors name line and column', () => {
    const data = parseCsv('id,income,region,bad\n1,1200,north,0\n2,NA,south,1\n3,900,,0\n', 'a.csv', {
      target: 'bad',
      exclude: ['id'],
    });
    assert.deepEqual(data.attributes, [
      { name: 'income', kind: 'numeric' },
      { name: 'region', kind: 'categorical' },
    ]);
    assert.deepEqual(data.rows, [
      [1200, 'north'],
      [null, 'south'],
      [900, null],
    ]);
    assert.deepEqual(data.target, [0, 1, 0]);
    assert.deepEqual(data.lines, [2, 3, 4]);
    assert.throws(() => parseCsv('a,b\n1,0\n', 'a.csv', { target: 'bad' }), /a\.csv:1: no target column "bad"/);
    assert.throws(
      () => parseCsv('a,bad\n1,0\n2,maybe\n', 'a.csv', { target: 'bad' }),
      /a\.csv:3, column bad: the target must be binary/,
    );
    assert.throws(() => parseCsv('', 'a.csv', { target: 'bad' }), /a\.csv is empty/);
    assert.throws(() => parseCsv('a,bad\n', 'a.csv', { target: 'bad' }), /a\.csv has a header but no data rows/);
    assert.throws(() => parseCsv('a,bad\n1,0\n1,0,3\n', 'a.csv', { target: 'bad' }), /a\.csv:3/);
  });
});

import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { evaluateContent } from '../../../engine/index.js';
import { loadDataset, type Dataset } from './dataset.js';
import { auc } from './metrics.js';
import { fieldExpression, jdmAttributes, scoreWithJdm, scorecardToJdm } from './scorecard-jdm.js';
import {
  DEFAULT_SCALING,
  gradeOf,
  pdFromScore,
  scalingConstants,
  scoreDataset,
  scoreFromPd,
  trainScorecard,
} from './scorecard.js';
import { syntheticCredit } from './synthetic.js';

const GERMAN_DATA = path.resolve(import.meta.dirname, '../../../../examples/credit/german.data');

describe('scaling', () => {
  test('600 points at odds 50:1, 20 points to double the odds', () => {
    const s = scalingConstants(DEFAULT_SCALING);
    assert.ok(Math.abs(s.factor - 20 / Math.LN2) < 1e-12);
    assert.ok(Math.abs(pdFromScore(600, s) - 1 / 51) < 1e-12);
    assert.ok(Math.abs(pdFromScore(620, s) - 1 / 101) < 1e-12);
    assert.ok(Math.abs(scoreFromPd(1 / 51, s) - 600) < 1e-9);
  });

  test('points per band = −(β·WoE + α/n)·factor + offset/n, rounded; they sum to the score', () => {
    const data = syntheticCredit(600, 2);
    const card = trainScorecard(data);
    const n = card.attributes.length;
    const { factor, offset } = card.scaling;
    for (const a of card.attributes) {
      for (const bin of a.bins) {
        assert.equal(bin.points, Math.round(-(a.coefficient * bin.woe + card.intercept / n) * factor + offset / n));
      }
    }
    const scores = scoreDataset(card, data);
    // Summed unrounded points are the model's log-odds on the score scale; rounding moves each
    // attribute by at most half a point.
    scores.score.forEach((score, i) => {
      const modelScore = offset + factor * Math.log((1 - scores.modelPd[i]!) / scores.modelPd[i]!);
      assert.ok(Math.abs(score - modelScore) <= n / 2 + 1e-9);
      assert.equal(scores.grade[i], gradeOf(score, card.grades));
    });
    assert.deepEqual(
      card.grades.map((g) => g.grade),
      ['A', 'B', 'C', 'D', 'E'],
    );
    // A grade's lowest score has a PD below its limit; one point less does not.
    for (const g of card.grades.filter((g) => g.minScore !== null)) {
      assert.ok(pdFromScore(g.minScore!, card.scaling) < g.maxPd!);
      assert.ok(pdFromScore(g.minScore! - 1, card.scaling) >= g.maxPd!);
    }
  });
});

/** Scores the data in process and through the exported JDM, and compares them row by row. */
async function compareWithJdm(data: Dataset) {
  const card = trainScorecard(data);
  const jdm = scorecardToJdm(card);
  const inProcess = scoreDataset(card, data);
  const viaZen = await scoreWithJdm(jdm, data);
  assert.deepEqual(viaZen.score, inProcess.score);
  assert.deepEqual(viaZen.grade, inProcess.grade);
  // zen computes e^x through its own decimal arithmetic: equal to about 1e-9.
  const worst = Math.max(...viaZen.pd.map((pd, i) => Math.abs(pd - inProcess.pd[i]!)));
  assert.ok(worst < 1e-7, `PD differs by ${worst}`);
  return { card, jdm, inProcess, viaZen };
}

describe('the scorecard as a JDM decision', () => {
  test('zen-engine gives the in-process points on synthetic data with missing values, a rare region and a spaced name', async () => {
    const data = syntheticCredit(600, 4);
    const { card, jdm } = await compareWithJdm(data);
    assert.ok(card.attributes.some((a) => a.name === 'region name'));
    assert.equal(fieldExpression('region name'), `$root['region name']`);
    assert.deepEqual(jdmAttributes(jdm).sort(), card.attributes.map((a) => a.name).sort());
    // Unseen and missing values take the "other" band, the missing band or the neutral points, in both.
    const odd: Dataset = {
      ...data,
      rows: [
        [null, 'atlantis', null, null],
        [1e9, null, 200, 5],
        [-5, 'islands', 0, 50],
      ],
      target: [1, 0, 0],
      lines: [1, 2, 3],
    };
    const inProcess = scoreDataset(card, odd);
    const viaZen = await scoreWithJdm(jdm, odd);
    assert.deepEqual(viaZen.score, inProcess.score);
  });

  test('the decision evaluates through the engine facade with the shape a workflow will use', async () => {
    const data = syntheticCredit(400, 6);
    const card = trainScorecard(data);
    const { result } = await evaluateContent(scorecardToJdm(card), {
      income: 3000,
      'region name': 'north',
      age: 45,
      noise: 10,
    });
    const out = result as { points: Record<string, number>; score: number; grade: string; pd: number };
    assert.equal(
      out.score,
      Object.values(out.points).reduce((s, p) => s + p, 0),
    );
    assert.match(out.grade, /^[A-E]$/);
    assert.ok(Math.abs(out.pd - pdFromScore(out.score, card.scaling)) < 1e-7);
  });

  test('German Credit: the JDM ranks like the in-process model (AUC within 0.005)', async () => {
    const data = loadDataset(GERMAN_DATA, { format: 'german' });
    const { inProcess, viaZen } = await compareWithJdm(data);
    const modelAuc = auc(inProcess.modelPd, data.target);
    const jdmAuc = auc(viaZen.pd, data.target);
    assert.ok(Math.abs(jdmAuc - modelAuc) <= 0.005, `JDM AUC ${jdmAuc} vs model AUC ${modelAuc}`);
    assert.ok(modelAuc > 0.8, `in-sample AUC ${modelAuc}`);
  });
});

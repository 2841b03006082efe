import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { cliTestEnv, runFinflow } from '../../../testing/run-cli.js';
import { testTmpDir } from '../../../testing/test-database.js';

/** `finflow credit evaluate` end to end, as a user runs it (no database involved). */

const GERMAN_DATA = path.resolve(import.meta.dirname, '../../../../examples/credit/german.data');

describe('finflow credit evaluate', () => {
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dir = testTmpDir();
    env = await cliTestEnv(dir);
  });

  test('German Credit: cross-validated AUC, JSON report, HTML with charts, JDM scorecard that scores again', async () => {
    const html = path.join(dir, 'german.html');
    const card = path.join(dir, 'out', 'german-scorecard.json');
    const run = await runFinflow(
      [
        'credit',
        'evaluate',
        '--format',
        'german',
        '--data',
        GERMAN_DATA,
        '--json',
        '--html',
        html,
        '--scorecard-out',
        card,
      ],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout) as {
      mode: string;
      data: { rows: number; bads: number; target: string };
      crossValidation: { folds: number; seed: number; perFold: { auc: number }[]; auc: { mean: number; sd: number } };
      metrics: {
        auc: number;
        gini: number;
        ks: { ks: number };
        confusion: { truePositives: number; falsePositives: number; trueNegatives: number; falseNegatives: number };
        calibration: { count: number; meanPd: number; observedBadRate: number }[];
      };
      scorecard: { attributes: { name: string; bins: { points: number }[] }[]; grades: unknown[] };
      jdm: { rows: number; identicalScores: number; file: string };
      html: string;
    };
    assert.equal(report.mode, 'cv');
    assert.deepEqual(report.data, { ...report.data, rows: 1000, bads: 300, target: 'default' });
    const cv = report.crossValidation;
    assert.equal(cv.folds, 5);
    assert.equal(cv.seed, 42);
    assert.equal(cv.perFold.length, 5);
    assert.ok(cv.auc.mean >= 0.74 && cv.auc.mean <= 0.82, `CV AUC ${cv.auc.mean}`);
    assert.ok(cv.auc.sd > 0 && cv.auc.sd < 0.1);
    const m = report.metrics;
    assert.ok(Math.abs(m.gini - (2 * m.auc - 1)) < 1e-12);
    assert.ok(m.ks.ks > 0.3 && m.ks.ks < 0.7);
    const c = m.confusion;
    assert.equal(c.truePositives + c.falsePositives + c.trueNegatives + c.falseNegatives, 1000);
    assert.equal(m.calibration.length, 10);
    assert.ok(m.calibration.every((b) => b.count === 100));
    assert.ok(report.scorecard.attributes.length >= 10);
    assert.equal(report.scorecard.grades.length, 5);
    assert.deepEqual(report.jdm, { ...report.jdm, rows: 1000, identicalScores: 1000, file: card });

    const page = readFileSync(html, 'utf8');
    assert.match(page, /^<!doctype html>/);
    assert.equal(page.match(/<svg/g)?.length, 4, 'ROC, KS, calibration and score distribution');
    assert.doesNotMatch(page, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);

    // The exported scorecard scores the file again through zen-engine, with text output.
    const scored = await runFinflow(
      [
        'credit',
        'evaluate',
        '--format',
        'german',
        '--data',
        GERMAN_DATA,
        '--mode',
        'score',
        '--model',
        card,
        '--cutoff-score',
        '520',
      ],
      env,
    );
    assert.equal(scored.code, 0, scored.stderr);
    assert.match(scored.stdout, /Metrics of the scored file \(1000 rows, 300 bads\)/);
    assert.match(scored.stdout, /AUC 0\.8\d\d/);
    assert.match(scored.stdout, /predicted bad when score < 520/);
  });

  test('a CSV file: cross-validation as text; bad input names the line and column and exits 2', async () => {
    const rows = ['id,income,region,bad'];
    for (let i = 0; i < 200; i++) {
      const income = 1000 + ((i * 37) % 400) * 10;
      const region = ['north', 'south', 'east'][i % 3]!;
      const bad = (income < 2200 ? i % 2 : i % 5 === 0 ? 1 : 0) || (region === 'east' && i % 4 === 0) ? 1 : 0;
      rows.push(`${i},${income},${region},${bad}`);
    }
    const good = path.join(dir, 'loans.csv');
    writeFileSync(good, `${rows.join('\n')}\n`);
    const ok = await runFinflow(
      ['credit', 'evaluate', '--data', good, '--target', 'bad', '--exclude', 'id', '--folds', '3', '--seed', '7'],
      env,
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /200 rows, \d+ bads .*2 attributes, target bad/);
    assert.match(ok.stdout, /Cross-validation: 3 stratified folds, seed 7/);
    assert.match(ok.stdout, /CV AUC 0\.\d{3} ± 0\.\d{3}/);
    assert.match(ok.stdout, /Calibration \(deciles of predicted PD\)/);

    const noTarget = await runFinflow(['credit', 'evaluate', '--data', good, '--target', 'default'], env);
    assert.equal(noTarget.code, 2);
    assert.match(
      noTarget.stderr,
      /loans\.csv:1: no target column "default" in the header \(columns: id, income, region, bad\)/,
    );

    const broken = path.join(dir, 'broken.csv');
    writeFileSync(broken, 'income,bad\n1000,0\n2000,yes please\n');
    const nonBinary = await runFinflow(['credit', 'evaluate', '--data', broken, '--target', 'bad'], env);
    assert.equal(nonBinary.code, 2);
    assert.match(
      nonBinary.stderr,
      /broken\.csv:3, column bad: the target must be binary \(1 = bad, 0 = good\), got "yes please"/,
    );

    const empty = path.join(dir, 'empty.csv');
    writeFileSync(empty, '');
    const emptyRun = await runFinflow(['credit', 'evaluate', '--data', empty, '--target', 'bad'], env);
    assert.equal(emptyRun.code, 2);
    assert.match(emptyRun.stderr, /empty\.csv is empty/);
  });
});

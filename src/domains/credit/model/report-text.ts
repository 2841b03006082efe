import type { EvaluationReport, Metrics } from './evaluate.js';
import type { Scorecard } from './scorecard.js';

/** The evaluation as human-readable text: tables with aligned columns. */

const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '-');
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : '-');

function table(rows: string[][], rightAligned: number[] = []): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (rightAligned.includes(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `  ${line}\n`)
    .join('');
}

function metricsText(m: Metrics): string {
  const c = m.confusion;
  const cut = 'pd' in c.cutoff ? `PD ≥ ${c.cutoff.pd}` : `score < ${c.cutoff.score}`;
  let out = `  AUC ${f3(m.auc)}   Gini ${f3(m.gini)}   KS ${f3(m.ks.ks)} (at PD ≥ ${f3(m.ks.threshold)}, ${pct(m.ks.population)} of rows flagged)   Brier ${f3(m.brier)}\n\n`;
  out += `Confusion matrix at the cut-off (predicted bad when ${cut}):\n`;
  out += table(
    [
      ['', 'PREDICTED BAD', 'PREDICTED GOOD'],
      ['actual bad', String(c.truePositives), String(c.falseNegatives)],
      ['actual good', String(c.falsePositives), String(c.trueNegatives)],
    ],
    [1, 2],
  );
  out +=
    `  accuracy ${pct(c.accuracy)}, bads caught (recall) ${pct(c.recall)}, goods accepted (specificity) ${pct(c.specificity)}, ` +
    `precision ${pct(c.precision)}\n  acceptance rate ${pct(c.acceptanceRate)}, bad rate among the accepted ${pct(c.acceptedBadRate)}\n\n`;
  out += 'Calibration (deciles of predicted PD):\n';
  out += table(
    [
      ['BIN', 'ROWS', 'PD FROM', 'PD TO', 'MEAN PD', 'BADS', 'OBSERVED'],
      ...m.calibration.map((b) => [
        String(b.bin),
        String(b.count),
        f3(b.minPd),
        f3(b.maxPd),
        f3(b.meanPd),
        String(b.bads),
        f3(b.observedBadRate),
      ]),
    ],
    [0, 1, 2, 3, 4, 5, 6],
  );
  return out;
}

export function scorecardText(card: Scorecard): string {
  const s = card.scaling;
  let out =
    `Scorecard (trained on all ${card.fit.rows} rows): ${card.attributes.length} of ${card.screened.length} attributes, ` +
    `${s.baseScore} points at odds ${s.baseOdds}:1, ${s.pdo} points to double the odds\n`;
  out += table(
    [
      ['ATTRIBUTE', 'BAND', 'GOODS', 'BADS', 'WOE', 'POINTS'],
      ...card.attributes.flatMap((a) =>
        a.bins.map((b, i) => [
          i === 0 ? `${a.name} (IV ${f3(a.iv)}, β ${a.coefficient.toFixed(3)})` : '',
          b.label.length > 48 ? `${b.label.slice(0, 47)}…` : b.label,
          String(b.goods),
          String(b.bads),
          b.woe.toFixed(3),
          String(b.points),
        ]),
      ),
    ],
    [2, 3, 4, 5],
  );
  const left = card.screened.filter((a) => !a.selected);
  if (left.length) out += `  left out (IV too low): ${left.map((a) => `${a.name} ${f3(a.iv)}`).join(', ')}\n`;
  out +=
    '  grades: ' +
    card.grades
      .map((g) => (g.minScore === null ? `${g.grade} below` : `${g.grade} ≥ ${g.minScore} (PD < ${g.maxPd})`))
      .join(', ') +
    '\n';
  if (card.fit.l2 > 0)
    out += `  note: the regression needed a ridge penalty (λ ${card.fit.l2}): collinear or separated data\n`;
  if (!card.fit.converged) out += `  warning: the regression did not converge in ${card.fit.iterations} iterations\n`;
  return out;
}

export function reportText(report: EvaluationReport): string {
  const d = report.data;
  let out = `${d.source}: ${d.rows} rows, ${d.bads} bads (${pct(d.badRate)}), ${d.attributes} attributes, target ${d.target}\n\n`;
  const cv = report.crossValidation;
  if (cv) {
    out += `Cross-validation: ${cv.folds} stratified folds, seed ${cv.seed}; binning, selection and regression fitted on the training folds only\n`;
    out += table(
      [
        ['FOLD', 'TRAIN', 'TEST', 'BADS', 'ATTRS', 'AUC', 'GINI', 'KS'],
        ...cv.perFold.map((r) => [
          String(r.fold),
          String(r.trainRows),
          String(r.testRows),
          String(r.testBads),
          String(r.attributes),
          f3(r.auc),
          f3(r.gini),
          f3(r.ks),
        ]),
        ['mean', '', '', '', '', f3(cv.auc.mean), f3(cv.gini.mean), f3(cv.ks.mean)],
        ['sd', '', '', '', '', f3(cv.auc.sd), f3(cv.gini.sd), f3(cv.ks.sd)],
      ],
      [1, 2, 3, 4, 5, 6, 7],
    );
    out += `  CV AUC ${f3(cv.auc.mean)} ± ${f3(cv.auc.sd)}\n\n`;
  }
  out += `Metrics of ${report.metricsOf} (${report.metrics.rows} rows, ${report.metrics.bads} bads):\n`;
  out += metricsText(report.metrics);
  if (report.scorecard) out += `\n${scorecardText(report.scorecard)}`;
  if (report.inSample) {
    out += `  in-sample (optimistic): AUC ${f3(report.inSample.auc)}, KS ${f3(report.inSample.ks)}; before rounding to points AUC ${f3(report.inSample.modelAuc)}\n`;
  }
  if (report.jdm) {
    const j = report.jdm;
    out +=
      `  JDM decision through zen-engine: ${j.identicalScores}/${j.rows} scores identical to the in-process points, ` +
      `AUC ${f3(j.auc)}${j.file ? `; written to ${j.file}` : ''}\n`;
  }
  return out;
}

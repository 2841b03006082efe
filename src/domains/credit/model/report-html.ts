import type { EvaluationReport, Predictions } from './evaluate.js';
import { cumulativeCurve } from './metrics.js';
import { scoreFromPd } from './scorecard.js';

/**
 * The evaluation as one self-contained HTML file: tables and four charts (ROC curve, KS curve,
 * calibration plot, score distribution) drawn as inline SVG by the small helpers below. No scripts,
 * no fonts or styles from elsewhere: it opens offline and can be mailed or archived as it is.
 */

const esc = (text: string | number): string =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '–');
const pct = (n: number) => (Number.isFinite(n) ? `${(n * 100).toFixed(1)}%` : '–');

const W = 440;
const H = 330;
const M = { left: 52, right: 16, top: 34, bottom: 46 };
const BLUE = '#1f6fb2';
const RED = '#c0392b';
const GREY = '#999';

interface Series {
  name: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  markers?: boolean;
  line?: boolean;
}

interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  x: [number, number];
  y: [number, number];
  series: Series[];
  /** Vertical marker lines. */
  marks?: { at: number; label: string }[];
  /** Where the legend goes: a corner the curves leave free. */
  legend?: 'top-right' | 'bottom-right' | 'top-left';
  /** Raw SVG drawn in plot coordinates by the caller (bars). */
  extra?: (sx: (v: number) => number, sy: (v: number) => number) => string;
}

/** Round ticks across a range (1, 2 or 5 × 10^k steps). */
function ticks([lo, hi]: [number, number], count = 5): number[] {
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** At most `max` points, evenly picked, keeping the last. */
function thin<T>(points: T[], max = 400): T[] {
  if (points.length <= max) return points;
  const stride = points.length / max;
  const out = Array.from({ length: max }, (_, i) => points[Math.floor(i * stride)]!);
  out.push(points[points.length - 1]!);
  return out;
}

function svgChart(chart: Chart): string {
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (v: number) => M.left + ((v - chart.x[0]) / (chart.x[1] - chart.x[0] || 1)) * pw;
  const sy = (v: number) => M.top + ph - ((v - chart.y[0]) / (chart.y[1] - chart.y[0] || 1)) * ph;
  const r = (n: number) => n.toFixed(1);
  const parts: string[] = [`<rect width="${W}" height="${H}" fill="#fff"/>`];
  parts.push(
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="13" font-weight="600">${esc(chart.title)}</text>`,
  );
  for (const t of ticks(chart.x)) {
    parts.push(`<line x1="${r(sx(t))}" y1="${M.top}" x2="${r(sx(t))}" y2="${M.top + ph}" stroke="#eee"/>`);
    parts.push(`<text x="${r(sx(t))}" y="${M.top + ph + 16}" text-anchor="middle">${esc(t)}</text>`);
  }
  for (const t of ticks(chart.y)) {
    parts.push(`<line x1="${M.left}" y1="${r(sy(t))}" x2="${M.left + pw}" y2="${r(sy(t))}" stroke="#eee"/>`);
    parts.push(`<text x="${M.left - 6}" y="${r(sy(t) + 4)}" text-anchor="end">${esc(t)}</text>`);
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle">${esc(chart.xLabel)}</text>`);
  parts.push(
    `<text x="14" y="${M.top + ph / 2}" text-anchor="middle" transform="rotate(-90 14 ${M.top + ph / 2})">${esc(chart.yLabel)}</text>`,
  );
  if (chart.extra) parts.push(chart.extra(sx, sy));
  for (const s of chart.series) {
    if (s.line !== false && s.points.length > 1) {
      const d = thin(s.points)
        .map(([x, y], i) => `${i ? 'L' : 'M'}${r(sx(x))},${r(sy(y))}`)
        .join('');
      parts.push(
        `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 4"' : ''}/>`,
      );
    }
    if (s.markers) {
      for (const [x, y] of s.points)
        parts.push(`<circle cx="${r(sx(x))}" cy="${r(sy(y))}" r="3.5" fill="${s.color}"/>`);
    }
  }
  for (const mark of chart.marks ?? []) {
    const x = r(sx(mark.at));
    parts.push(`<line x1="${x}" y1="${M.top}" x2="${x}" y2="${M.top + ph}" stroke="#333" stroke-dasharray="2 3"/>`);
    parts.push(`<text x="${x}" y="${M.top + 12}" dx="4">${esc(mark.label)}</text>`);
  }
  chart.series
    .filter((s) => s.name)
    .forEach((s, i) => {
      const named = chart.series.filter((t) => t.name).length;
      const legend = chart.legend ?? 'top-right';
      const y = legend === 'bottom-right' ? M.top + ph - 10 - (named - 1 - i) * 16 : M.top + 14 + i * 16;
      const x = legend === 'top-left' ? M.left + 12 : M.left + pw - 100;
      parts.push(`<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${s.color}"/>`);
      parts.push(`<text x="${x + 15}" y="${y}">${esc(s.name)}</text>`);
    });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(chart.title)}" font-family="sans-serif" font-size="11" fill="#333">${parts.join('')}</svg>`;
}

function rocChart(p: Predictions, auc: number): string {
  const curve = cumulativeCurve(p.pd, p.y);
  return svgChart({
    title: `ROC curve (AUC ${f3(auc)})`,
    legend: 'bottom-right',
    xLabel: 'false positive rate (goods flagged)',
    yLabel: 'true positive rate (bads flagged)',
    x: [0, 1],
    y: [0, 1],
    series: [
      { name: 'model', color: BLUE, points: curve.map((c) => [c.goods, c.bads]) },
      {
        name: 'random',
        color: GREY,
        dashed: true,
        points: [
          [0, 0],
          [1, 1],
        ],
      },
    ],
  });
}

function ksChart(p: Predictions, ks: { ks: number; population: number }): string {
  const curve = cumulativeCurve(p.pd, p.y);
  return svgChart({
    title: `KS curve (KS ${f3(ks.ks)})`,
    legend: 'bottom-right',
    xLabel: 'share of applications, riskiest first',
    yLabel: 'cumulative share',
    x: [0, 1],
    y: [0, 1],
    series: [
      { name: 'bads', color: RED, points: curve.map((c) => [c.population, c.bads]) },
      { name: 'goods', color: BLUE, points: curve.map((c) => [c.population, c.goods]) },
    ],
    marks: [{ at: ks.population, label: `KS ${f3(ks.ks)}` }],
  });
}

function calibrationChart(report: EvaluationReport): string {
  const bins = report.metrics.calibration;
  const top = Math.min(
    1,
    Math.ceil(Math.max(0.1, ...bins.map((b) => Math.max(b.meanPd, b.observedBadRate))) * 10) / 10,
  );
  return svgChart({
    title: 'Calibration (deciles of predicted PD)',
    legend: 'top-left',
    xLabel: 'mean predicted PD',
    yLabel: 'observed bad rate',
    x: [0, top],
    y: [0, top],
    series: [
      { name: 'deciles', color: BLUE, markers: true, points: bins.map((b) => [b.meanPd, b.observedBadRate]) },
      {
        name: 'perfect',
        color: GREY,
        dashed: true,
        points: [
          [0, 0],
          [top, top],
        ],
      },
    ],
  });
}

function distributionChart(p: Predictions, report: EvaluationReport): string {
  const lo = Math.min(...p.score);
  const hi = Math.max(...p.score);
  const binCount = 20;
  const width = Math.max(1, Math.ceil((hi - lo + 1) / binCount));
  const counts = Array.from({ length: binCount }, () => ({ goods: 0, bads: 0 }));
  const bads = p.y.reduce((s, v) => s + v, 0);
  const goods = p.y.length - bads;
  p.score.forEach((s, i) => {
    const bin = counts[Math.min(binCount - 1, Math.floor((s - lo) / width))]!;
    if (p.y[i] === 1) bin.bads++;
    else bin.goods++;
  });
  const shares = counts.map((c) => ({ goods: goods ? c.goods / goods : 0, bads: bads ? c.bads / bads : 0 }));
  const top = Math.max(0.05, ...shares.flatMap((s) => [s.goods, s.bads])) * 1.1;
  const cut = report.metrics.confusion.cutoff;
  const scaling = report.scorecard?.scaling;
  const cutScore = 'score' in cut ? cut.score : scaling ? scoreFromPd(cut.pd, scaling) : undefined;
  return svgChart({
    title: 'Score distribution',
    xLabel: 'score (points)',
    yLabel: 'share of the class',
    x: [lo, lo + width * binCount],
    y: [0, top],
    series: [
      { name: 'goods', color: BLUE, points: [], line: false },
      { name: 'bads', color: RED, points: [], line: false },
    ],
    ...(cutScore !== undefined && cutScore >= lo && cutScore <= lo + width * binCount
      ? { marks: [{ at: cutScore, label: 'cut-off' }] }
      : {}),
    extra: (sx, sy) =>
      shares
        .map((s, i) => {
          const x0 = sx(lo + i * width);
          const bw = (sx(lo + (i + 1) * width) - x0) / 2;
          const bar = (x: number, v: number, color: string) =>
            `<rect x="${x.toFixed(1)}" y="${sy(v).toFixed(1)}" width="${Math.max(bw - 1, 0.5).toFixed(1)}" height="${(sy(0) - sy(v)).toFixed(1)}" fill="${color}" opacity="0.8"/>`;
          return bar(x0, s.goods, BLUE) + bar(x0 + bw, s.bads, RED);
        })
        .join(''),
  });
}

function htmlTable(header: string[], rows: (string | number)[][], numeric = true): string {
  return (
    `<table><thead><tr>${header.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>` +
    rows
      .map(
        (r) =>
          `<tr>${r.map((c, i) => `<td${numeric && i > 0 && /^-?\d+(\.\d+)?$/.test(String(c)) ? ' class="n"' : ''}>${esc(c)}</td>`).join('')}</tr>`,
      )
      .join('') +
    '</tbody></table>'
  );
}

export function reportHtml(report: EvaluationReport, predictions: Predictions): string {
  const d = report.data;
  const m = report.metrics;
  const c = m.confusion;
  const sections: string[] = [];
  sections.push(
    `<p>${esc(d.source)}: ${d.rows} rows, ${d.bads} bads (${pct(d.badRate)}), ${d.attributes} attributes, target <code>${esc(d.target)}</code>.</p>`,
  );
  const cv = report.crossValidation;
  if (cv) {
    sections.push(
      `<h2>Cross-validation</h2><p>${cv.folds} stratified folds, seed ${cv.seed}. Binning, attribute selection and the regression are fitted on the training folds only. <strong>AUC ${f3(cv.auc.mean)} ± ${f3(cv.auc.sd)}</strong>, Gini ${f3(cv.gini.mean)} ± ${f3(cv.gini.sd)}, KS ${f3(cv.ks.mean)} ± ${f3(cv.ks.sd)}.</p>`,
      htmlTable(
        ['fold', 'train rows', 'test rows', 'test bads', 'attributes', 'AUC', 'Gini', 'KS'],
        cv.perFold.map((r) => [
          r.fold,
          r.trainRows,
          r.testRows,
          r.testBads,
          r.attributes,
          f3(r.auc),
          f3(r.gini),
          f3(r.ks),
        ]),
      ),
    );
  }
  sections.push(
    `<h2>Metrics of ${esc(report.metricsOf)}</h2>`,
    htmlTable(
      ['rows', 'bads', 'AUC', 'Gini', 'KS', 'Brier'],
      [[m.rows, m.bads, f3(m.auc), f3(m.gini), `${f3(m.ks.ks)} at PD ≥ ${f3(m.ks.threshold)}`, f3(m.brier)]],
      false,
    ),
    `<div class="charts">${rocChart(predictions, m.auc)}${ksChart(predictions, m.ks)}${calibrationChart(report)}${distributionChart(predictions, report)}</div>`,
    `<h3>Confusion matrix (predicted bad when ${'pd' in c.cutoff ? `PD ≥ ${c.cutoff.pd}` : `score &lt; ${c.cutoff.score}`})</h3>`,
    htmlTable(
      ['', 'predicted bad', 'predicted good'],
      [
        ['actual bad', c.truePositives, c.falseNegatives],
        ['actual good', c.falsePositives, c.trueNegatives],
      ],
    ),
    `<p>Accuracy ${pct(c.accuracy)}, bads caught ${pct(c.recall)}, goods accepted ${pct(c.specificity)}, precision ${pct(c.precision)}, acceptance rate ${pct(c.acceptanceRate)}, bad rate among the accepted ${pct(c.acceptedBadRate)}.</p>`,
    '<h3>Calibration</h3>',
    htmlTable(
      ['decile', 'rows', 'PD from', 'PD to', 'mean PD', 'bads', 'observed bad rate'],
      m.calibration.map((b) => [b.bin, b.count, f3(b.minPd), f3(b.maxPd), f3(b.meanPd), b.bads, f3(b.observedBadRate)]),
    ),
  );
  const card = report.scorecard;
  if (card) {
    const s = card.scaling;
    sections.push(
      `<h2>Scorecard</h2><p>Trained on all ${card.fit.rows} rows. ${s.baseScore} points at odds ${s.baseOdds}:1, ${s.pdo} points to double the odds (factor ${s.factor.toFixed(3)}, offset ${s.offset.toFixed(3)}). Grades: ${card.grades
        .map((g) => (g.minScore === null ? `${g.grade} below` : `${g.grade} ≥ ${g.minScore} (PD &lt; ${g.maxPd})`))
        .join(', ')}.</p>`,
      htmlTable(
        ['attribute', 'IV', 'β', 'band', 'goods', 'bads', 'WoE', 'points'],
        card.attributes.flatMap((a) =>
          a.bins.map((b, i) => [
            i === 0 ? a.name : '',
            i === 0 ? f3(a.iv) : '',
            i === 0 ? a.coefficient.toFixed(3) : '',
            b.label,
            b.goods,
            b.bads,
            b.woe.toFixed(3),
            b.points,
          ]),
        ),
      ),
      `<p>Screened out (IV too low): ${
        card.screened
          .filter((a) => !a.selected)
          .map((a) => `${esc(a.name)} ${f3(a.iv)}`)
          .join(', ') || 'none'
      }.</p>`,
    );
  }
  if (report.jdm) {
    sections.push(
      `<p>The JDM decision, scored through zen-engine: ${report.jdm.identicalScores}/${report.jdm.rows} scores identical to the in-process points, AUC ${f3(report.jdm.auc)}.</p>`,
    );
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Credit model report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1000px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}
td.n{text-align:right}th{background:#f3f3f3}.charts{display:flex;flex-wrap:wrap;gap:12px}
svg{border:1px solid #e3e3e3;background:#fff}
</style></head><body>
<h1>Credit model report (${report.mode === 'cv' ? 'cross-validation' : 'scoring'})</h1>
${sections.join('\n')}
</body></html>
`;
}

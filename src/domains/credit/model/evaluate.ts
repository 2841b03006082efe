import { requireBothClasses, type Dataset } from './dataset.js';
import { crossValidate, type CrossValidation } from './cross-validation.js';
import {
  auc,
  brierScore,
  calibrationTable,
  confusionMatrix,
  gini,
  ks,
  type CalibrationBin,
  type ConfusionMatrix,
  type KsResult,
} from './metrics.js';
import type { JdmDocument } from '../../../engine/index.js';
import { scoreWithJdm, scorecardToJdm } from './scorecard-jdm.js';
import { scoreDataset, trainScorecard, type Scorecard, type TrainOptions } from './scorecard.js';

export type Cutoff = { pd: number } | { score: number };

export interface Metrics {
  rows: number;
  bads: number;
  auc: number;
  gini: number;
  ks: KsResult;
  brier: number;
  confusion: ConfusionMatrix;
  calibration: CalibrationBin[];
}

/** Per-row predictions behind the metrics, for the charts (not part of the JSON report). */
export interface Predictions {
  score: number[];
  pd: number[];
  y: number[];
}

export interface EvaluationReport {
  mode: 'cv' | 'score';
  data: { source: string; rows: number; bads: number; badRate: number; attributes: number; target: string };
  /** cv: stratified k-fold results; the metrics below are of the out-of-fold predictions. */
  crossValidation?: Omit<CrossValidation, 'outOfFold'>;
  /** What the metrics were computed on. */
  metricsOf: 'out-of-fold predictions' | 'the scored file';
  metrics: Metrics;
  /** cv: the final scorecard, trained on all rows. */
  scorecard?: Scorecard;
  /** cv: the final scorecard measured on the rows it was trained on (optimistic). */
  inSample?: { auc: number; gini: number; ks: number; modelAuc: number };
  /** The JDM decision: cv: exported and scored through zen-engine on all rows, compared with the in-process points. */
  jdm?: {
    rows: number;
    identicalScores: number;
    maxPdDifference: number;
    auc: number;
    file?: string;
  };
}

export interface CvOptions {
  folds: number;
  seed: number;
  train: TrainOptions;
  cutoff: Cutoff;
}

export function computeMetrics(predictions: Predictions, cutoff: Cutoff): Metrics {
  const { pd, score, y } = predictions;
  const area = auc(pd, y);
  const predictedBad = 'pd' in cutoff ? pd.map((p) => p >= cutoff.pd) : score.map((s) => s < cutoff.score);
  return {
    rows: y.length,
    bads: y.reduce((s, v) => s + v, 0),
    auc: area,
    gini: gini(area),
    ks: ks(pd, y),
    brier: brierScore(pd, y),
    confusion: confusionMatrix(predictedBad, y, cutoff),
    calibration: calibrationTable(pd, y, 10),
  };
}

function describe(data: Dataset): EvaluationReport['data'] {
  const bads = data.target.reduce((s, v) => s + v, 0);
  return {
    source: data.source,
    rows: data.rows.length,
    bads,
    badRate: bads / data.rows.length,
    attributes: data.attributes.length,
    target: data.targetName,
  };
}

/**
 * `--mode cv`: cross-validates the scorecard pipeline, then trains the final scorecard on all rows,
 * exports it as a JDM decision and checks, through zen-engine, that the decision gives the same
 * points as the in-process scorecard.
 */
export async function evaluateCv(
  data: Dataset,
  options: CvOptions,
): Promise<{ report: EvaluationReport; predictions: Predictions; jdm: JdmDocument }> {
  requireBothClasses(data);
  const cv = crossValidate(data, options.train, options.folds, options.seed);
  const predictions: Predictions = { score: cv.outOfFold.score, pd: cv.outOfFold.pd, y: data.target };
  const scorecard = trainScorecard(data, options.train);
  const inSample = scoreDataset(scorecard, data);
  const jdm = scorecardToJdm(scorecard);
  const viaZen = await scoreWithJdm(jdm, data);
  const crossValidation = {
    folds: cv.folds,
    seed: cv.seed,
    perFold: cv.perFold,
    auc: cv.auc,
    gini: cv.gini,
    ks: cv.ks,
  };
  const inSampleAuc = auc(inSample.pd, data.target);
  return {
    report: {
      mode: 'cv',
      data: describe(data),
      crossValidation,
      metricsOf: 'out-of-fold predictions',
      metrics: computeMetrics(predictions, options.cutoff),
      scorecard,
      inSample: {
        auc: inSampleAuc,
        gini: gini(inSampleAuc),
        ks: ks(inSample.pd, data.target).ks,
        modelAuc: auc(inSample.modelPd, data.target),
      },
      jdm: {
        rows: data.rows.length,
        identicalScores: viaZen.score.filter((s, i) => s === inSample.score[i]).length,
        maxPdDifference: Math.max(0, ...viaZen.pd.map((p, i) => Math.abs(p - inSample.pd[i]!))),
        auc: auc(viaZen.pd, data.target),
      },
    },
    predictions,
    jdm,
  };
}

/** `--mode score`: scores the file with an existing scorecard JDM through zen-engine and measures it. */
export async function evaluateScore(
  data: Dataset,
  model: unknown,
  cutoff: Cutoff,
): Promise<{ report: EvaluationReport; predictions: Predictions }> {
  requireBothClasses(data);
  const scored = await scoreWithJdm(model, data);
  const predictions: Predictions = { score: scored.score, pd: scored.pd, y: data.target };
  return {
    report: {
      mode: 'score',
      data: describe(data),
      metricsOf: 'the scored file',
      metrics: computeMetrics(predictions, cutoff),
    },
    predictions,
  };
}

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { loadDataset, type DataFormat } from '../../domains/credit/model/dataset.js';
import {
  evaluateCv,
  evaluateScore,
  type Cutoff,
  type EvaluationReport,
  type Predictions,
} from '../../domains/credit/model/evaluate.js';
import { reportHtml } from '../../domains/credit/model/report-html.js';
import { compileScorecard } from '../../domains/credit/model/scorecard-jdm.js';
import { reportText } from '../../domains/credit/model/report-text.js';
import { DEFAULT_GRADE_PDS, DEFAULT_SCALING } from '../../domains/credit/model/scorecard.js';

interface EvaluateOptions {
  data: string;
  format: DataFormat;
  target?: string;
  delimiter?: string;
  categorical?: string[];
  exclude?: string[];
  mode: 'cv' | 'score';
  model?: string;
  folds: number;
  seed: number;
  bins: number;
  minIv: number;
  rare: number;
  monotonic: boolean;
  baseScore: number;
  baseOdds: number;
  pdo: number;
  gradePds: number[];
  cutoff?: number;
  cutoffScore?: number;
  json?: boolean;
  html?: string;
  scorecardOut?: string;
}

const usage = (message: string) => new AppError('invalid_option', 400, message);

function numberOption(flag: string, check: (n: number) => boolean, rule: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw usage(`${flag} must be ${rule}, got "${value}"`);
    return n;
  };
}
const wholeAtLeast = (flag: string, min: number) =>
  numberOption(flag, (n) => Number.isInteger(n) && n >= min, `a whole number ≥ ${min}`);
const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const pdList = (value: string): number[] =>
  list(value).map(numberOption('--grade-pds', (n) => n > 0 && n < 1, 'PDs between 0 and 1, comma-separated'));

function writeFile(file: string, text: string): void {
  try {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    writeFileSync(file, text);
  } catch (cause) {
    throw new AppError('file_unwritable', 400, `cannot write ${file}: ${(cause as Error).message}`, { cause });
  }
}

function readModel(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AppError('file_unreadable', 400, `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  let model: unknown;
  try {
    model = JSON.parse(text) as unknown;
  } catch (cause) {
    throw new AppError('invalid_input', 400, `${file} is not a JSON JDM decision: ${(cause as Error).message}`, {
      cause,
    });
  }
  try {
    compileScorecard(model);
  } catch (cause) {
    throw new AppError('invalid_input', 400, `${file}: ${(cause as Error).message}`, { cause });
  }
  return model;
}

export function registerCreditCommands(program: Command): void {
  const credit = program.command('credit').description('credit models');
  credit
    .command('evaluate')
    .description(
      'cross-validate a WoE + logistic-regression scorecard on a data set (and export it as a JDM decision), ' +
        'or score a data set with an existing scorecard; prints AUC, KS, Gini, a confusion matrix and a calibration table',
    )
    .requiredOption('--data <file>', 'the data set: a CSV file with a header, or german.data with --format german')
    .addOption(
      new Option('--format <format>', 'csv: header line, one column per attribute; german: the UCI german.data file')
        .choices(['csv', 'german'])
        .default('csv'),
    )
    .option('--target <column>', 'the CSV column holding the outcome: 1 = bad (defaulted), 0 = good')
    .option('--delimiter <char>', 'CSV field delimiter', ',')
    .option('--categorical <columns>', 'CSV columns to treat as categorical although numeric (comma-separated)', list)
    .option('--exclude <columns>', 'columns (or german attributes) to leave out, e.g. ids (comma-separated)', list)
    .addOption(
      new Option('--mode <mode>', 'cv: cross-validate and train the final scorecard; score: score with --model')
        .choices(['cv', 'score'])
        .default('cv'),
    )
    .option('--model <file>', 'the scorecard JDM decision to score with (--mode score)')
    .option('--folds <n>', 'cross-validation folds (stratified)', wholeAtLeast('--folds', 2), 5)
    .option('--seed <n>', 'seed of the fold assignment', wholeAtLeast('--seed', 0), 42)
    .option('--bins <n>', 'quantile bins per numeric attribute before merging', wholeAtLeast('--bins', 2), 5)
    .option(
      '--min-iv <iv>',
      'leave out attributes with a lower information value',
      numberOption('--min-iv', (n) => n >= 0, 'a number ≥ 0'),
      0.02,
    )
    .option(
      '--rare <share>',
      'merge categories rarer than this share into "other"',
      numberOption('--rare', (n) => n >= 0 && n < 1, 'a share from 0 to below 1'),
      0.05,
    )
    .option('--no-monotonic', 'do not merge numeric bins to make the WoE monotonic')
    .option(
      '--base-score <points>',
      'score at the base odds',
      numberOption('--base-score', () => true, 'a number'),
      DEFAULT_SCALING.baseScore,
    )
    .option(
      '--base-odds <odds>',
      'good:bad odds at the base score',
      numberOption('--base-odds', (n) => n > 0, 'a number > 0'),
      DEFAULT_SCALING.baseOdds,
    )
    .option(
      '--pdo <points>',
      'points to double the odds',
      numberOption('--pdo', (n) => n > 0, 'a number > 0'),
      DEFAULT_SCALING.pdo,
    )
    .addOption(
      new Option('--grade-pds <pds>', 'upper PD limits of grades A, B, … (ascending, comma-separated)')
        .argParser(pdList)
        .default(DEFAULT_GRADE_PDS, DEFAULT_GRADE_PDS.join(',')),
    )
    .option(
      '--cutoff <pd>',
      'policy cut-off for the confusion matrix: predicted bad when PD ≥ this (default 0.5)',
      numberOption('--cutoff', (n) => n > 0 && n < 1, 'a PD between 0 and 1'),
    )
    .option(
      '--cutoff-score <points>',
      'policy cut-off as a score instead: predicted bad when score < this',
      numberOption('--cutoff-score', () => true, 'a number'),
    )
    .option('--json', 'print the report as one JSON object')
    .option('--html <file>', 'also write an HTML report with charts (self-contained)')
    .option('--scorecard-out <file>', 'write the final scorecard as a JDM decision (--mode cv)')
    .action(async (options: EvaluateOptions) => {
      if (options.cutoff !== undefined && options.cutoffScore !== undefined) {
        throw usage('give --cutoff or --cutoff-score, not both');
      }
      if (options.mode === 'score' && !options.model) throw usage('--mode score needs --model <scorecard.json>');
      if (options.mode === 'cv' && options.model) throw usage('--model is for --mode score');
      if (options.mode === 'score' && options.scorecardOut) throw usage('--scorecard-out is for --mode cv');
      if (options.format === 'csv' && !options.target) throw usage('--target <column> is required for a CSV file');
      const cutoff: Cutoff =
        options.cutoffScore !== undefined ? { score: options.cutoffScore } : { pd: options.cutoff ?? 0.5 };
      const model = options.model ? readModel(options.model) : undefined;
      const data = loadDataset(options.data, {
        format: options.format,
        ...(options.target ? { target: options.target } : {}),
        ...(options.delimiter ? { delimiter: options.delimiter } : {}),
        ...(options.categorical ? { categorical: options.categorical } : {}),
        ...(options.exclude ? { exclude: options.exclude } : {}),
      });

      let report: EvaluationReport;
      let predictions: Predictions;
      if (options.mode === 'score') {
        ({ report, predictions } = await evaluateScore(data, model, cutoff));
      } else {
        const result = await evaluateCv(data, {
          folds: options.folds,
          seed: options.seed,
          cutoff,
          train: {
            binning: { numericBins: options.bins, rareShare: options.rare, monotonic: options.monotonic },
            minIv: options.minIv,
            scaling: { baseScore: options.baseScore, baseOdds: options.baseOdds, pdo: options.pdo },
            gradePds: options.gradePds,
          },
        });
        ({ report, predictions } = result);
        if (options.scorecardOut) {
          writeFile(options.scorecardOut, `${JSON.stringify(result.jdm, null, 2)}\n`);
          report.jdm = { ...report.jdm!, file: options.scorecardOut };
        }
      }
      if (options.html) writeFile(options.html, reportHtml(report, predictions));
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ ...report, ...(options.html ? { html: options.html } : {}) })}\n`);
      } else {
        process.stdout.write(reportText(report));
        if (options.html) process.stdout.write(`  HTML report written to ${options.html}\n`);
      }
    });
}

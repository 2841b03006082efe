import { DEFAULT_GRADE_PDS, DEFAULT_SCALING, gradesFor, scalingConstants } from '../model/scorecard.js';
import type { JdmDocument } from '../../../engine/index.js';
import { scorecardToJdm, type PointsCard } from '../model/scorecard-jdm.js';
import type { BinMatch } from '../model/woe.js';

/**
 * finflow's shipped application scorecard: points per band of what an application, the bureau and
 * the applicant's history with us tell, summed and mapped to a grade (A–E) and a probability of
 * default under the usual scaling (600 points at 50:1 good:bad odds, 20 points to double the odds).
 *
 * It is a starting point, not a validated model: a risk team replaces it with its own card — edited
 * in the GoRules editor, or trained on its own outcomes with `finflow credit evaluate --jdm` — by
 * deploying a new version of the decision `credit.scorecard`. Age, sex, nationality and marital
 * status are deliberately absent (fair-lending rules forbid or restrict them).
 */

const range = (lower: number | null, upper: number | null): BinMatch => ({ type: 'range', lower, upper });
const categories = (...values: string[]): BinMatch => ({ type: 'categories', categories: values });
const missing: BinMatch = { type: 'missing' };

export const SCORECARD_FEATURES = {
  bureau_score: 'credit bureau score',
  dti: 'debt payments, with this loan, relative to income',
  employment_status: 'employment status',
  months_in_job: 'time in current employment',
  internal_max_dpd: 'payment history on accounts with us',
} as const;

const scaling = scalingConstants(DEFAULT_SCALING);

export const APPLICATION_SCORECARD: PointsCard = {
  scaling,
  grades: gradesFor(DEFAULT_GRADE_PDS, scaling),
  attributes: [
    {
      name: 'bureau_score',
      neutralPoints: 100,
      bins: [
        { label: 'no bureau file', match: missing, points: 100 },
        { label: 'below 550', match: range(null, 550), points: 50 },
        { label: '550-649', match: range(550, 650), points: 90 },
        { label: '650-719', match: range(650, 720), points: 115 },
        { label: '720-779', match: range(720, 780), points: 135 },
        { label: '780 and above', match: range(780, null), points: 150 },
      ],
    },
    {
      name: 'dti',
      neutralPoints: 95,
      bins: [
        { label: 'unknown', match: missing, points: 95 },
        { label: 'below 20%', match: range(null, 0.2), points: 140 },
        { label: '20-35%', match: range(0.2, 0.35), points: 120 },
        { label: '35-45%', match: range(0.35, 0.45), points: 95 },
        { label: '45% and above', match: range(0.45, null), points: 65 },
      ],
    },
    {
      name: 'employment_status',
      neutralPoints: 96,
      bins: [
        { label: 'employed', match: categories('employed'), points: 120 },
        { label: 'retired', match: categories('retired'), points: 114 },
        { label: 'self-employed', match: categories('self_employed'), points: 108 },
        { label: 'student', match: categories('student'), points: 96 },
        { label: 'unemployed', match: categories('unemployed'), points: 70 },
      ],
    },
    {
      name: 'months_in_job',
      neutralPoints: 100,
      bins: [
        { label: 'not given', match: missing, points: 100 },
        { label: 'under a year', match: range(null, 12), points: 95 },
        { label: '1-3 years', match: range(12, 36), points: 108 },
        { label: '3 years and more', match: range(36, null), points: 120 },
      ],
    },
    {
      name: 'internal_max_dpd',
      neutralPoints: 108,
      bins: [
        { label: 'no accounts with us', match: missing, points: 108 },
        { label: 'always on time', match: range(null, 1), points: 125 },
        { label: 'up to 29 days late', match: range(1, 30), points: 100 },
        { label: '30-89 days late', match: range(30, 90), points: 72 },
        { label: '90 days late or worse', match: range(90, null), points: 35 },
      ],
    },
  ],
};

export function applicationScorecardJdm(): JdmDocument {
  return scorecardToJdm(APPLICATION_SCORECARD);
}

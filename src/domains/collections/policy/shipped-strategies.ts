import { decisionTable, text, type JdmDocument } from '../../../engine/index.js';

/**
 * The collections policy finflow ships, as two decision tables a collections team edits in the
 * GoRules editor and deploys with PUT /decisions/{key} (a new version applies to cases opened
 * afterwards; a running case keeps the versions it opened with).
 *
 * - `collections.segment` (first hit): which segment an overdue account belongs to, from its kind,
 *   the customer's segment and risk rating, the overdue amount and its history with us, and which
 *   collector queue works it.
 * - `collections.strategy` (collect): the stages of each segment's strategy and variant, by days
 *   past due: email, SMS, call task, final notice (an email), fee, letter (a PDF for the print
 *   provider), placement with a collection agency, write-off proposal. Ready strategies: low, medium and
 *   high risk consumer loans, and B2B invoices dunned from polite to firm in levels, as Odoo's
 *   follow-up levels and Kill Bill's overdue states configure it. `consumer-low` has a challenger
 *   that texts before it emails.
 */

export const SEGMENT_DECISION = 'collections.segment';
export const STRATEGY_DECISION = 'collections.strategy';

export const SEGMENTS = ['consumer-low', 'consumer-medium', 'consumer-high', 'b2b'] as const;
export const STAGE_KINDS = ['email', 'sms', 'letter', 'call', 'final_notice', 'fee', 'placement', 'write_off'] as const;
export type StageKind = (typeof STAGE_KINDS)[number];

export function segmentPolicy(): JdmDocument {
  const out = (segment: string, queue: string) => ({ segment: text(segment), queue: text(queue) });
  return decisionTable({
    name: 'Collections segment',
    hitPolicy: 'first',
    inputs: [
      { id: 'kind', name: 'Receivable kind', field: 'kind' },
      { id: 'customerSegment', name: 'Customer segment', field: 'customerSegment' },
      { id: 'rating', name: 'Risk rating', field: 'riskRating' },
      { id: 'overdue', name: 'Overdue amount (minor units)', field: 'overdueAmount' },
      { id: 'broken', name: 'Broken promises (180 days)', field: 'brokenPromises' },
      { id: 'prior', name: 'Earlier cases (365 days)', field: 'priorCases' },
    ],
    outputs: [
      { id: 'segment', name: 'Segment', field: 'segment' },
      { id: 'queue', name: 'Collector queue', field: 'queue' },
    ],
    rules: [
      {
        id: 'b2b-invoice',
        description: 'Invoices are B2B dunning',
        cells: { kind: "'invoice'", ...out('b2b', 'collectors-b2b') },
      },
      {
        id: 'b2b-customer',
        description: 'Business customers',
        cells: { customerSegment: "'business', 'sme', 'corporate'", ...out('b2b', 'collectors-b2b') },
      },
      {
        id: 'high-broken',
        description: 'Breaks promises',
        cells: { broken: '>= 2', ...out('consumer-high', 'collectors') },
      },
      {
        id: 'high-rating',
        description: 'Poor risk rating',
        cells: { rating: "'D', 'E'", ...out('consumer-high', 'collectors') },
      },
      {
        id: 'high-repeat',
        description: 'Repeatedly delinquent',
        cells: { prior: '>= 2', ...out('consumer-high', 'collectors') },
      },
      {
        id: 'high-amount',
        description: 'Large arrears',
        cells: { overdue: '>= 500000', ...out('consumer-high', 'collectors') },
      },
      { id: 'medium-rating', cells: { rating: "'C'", ...out('consumer-medium', 'collectors') } },
      { id: 'medium-repeat', cells: { prior: '>= 1', ...out('consumer-medium', 'collectors') } },
      { id: 'medium-amount', cells: { overdue: '>= 100000', ...out('consumer-medium', 'collectors') } },
      { id: 'low', description: 'Everyone else', cells: out('consumer-low', 'collectors') },
    ],
  });
}

interface StageRow {
  stage: string;
  dpd: number;
  kind: StageKind;
  template?: string;
  fee?: number;
}

/** Consumer low risk from day 20 on: the champion and its challenger differ only in the first reminders. */
const LOW_RISK_FROM_DAY_20: StageRow[] = [
  { stage: 'low_email_d20', dpd: 20, kind: 'email', template: 'collections_firm_reminder' },
  { stage: 'low_call_d30', dpd: 30, kind: 'call' },
  { stage: 'low_final_d45', dpd: 45, kind: 'final_notice', template: 'collections_final_notice' },
  { stage: 'low_fee_d46', dpd: 46, kind: 'fee', fee: 1500 },
  { stage: 'low_letter_d60', dpd: 60, kind: 'letter', template: 'collections_letter' },
  { stage: 'low_placement_d90', dpd: 90, kind: 'placement' },
  { stage: 'low_write_off_d180', dpd: 180, kind: 'write_off' },
];

const STRATEGIES: Record<string, Record<string, StageRow[]>> = {
  'consumer-low': {
    champion: [
      { stage: 'low_email_d3', dpd: 3, kind: 'email', template: 'payment_overdue' },
      { stage: 'low_sms_d10', dpd: 10, kind: 'sms', template: 'payment_overdue' },
      ...LOW_RISK_FROM_DAY_20,
    ],
    challenger: [
      { stage: 'low_sms_d3', dpd: 3, kind: 'sms', template: 'payment_overdue' },
      { stage: 'low_email_d7', dpd: 7, kind: 'email', template: 'payment_overdue' },
      ...LOW_RISK_FROM_DAY_20,
    ],
  },
  'consumer-medium': {
    champion: [
      { stage: 'med_email_d1', dpd: 1, kind: 'email', template: 'payment_overdue' },
      { stage: 'med_sms_d5', dpd: 5, kind: 'sms', template: 'payment_overdue' },
      { stage: 'med_call_d10', dpd: 10, kind: 'call' },
      { stage: 'med_email_d20', dpd: 20, kind: 'email', template: 'collections_firm_reminder' },
      { stage: 'med_call_d30', dpd: 30, kind: 'call' },
      { stage: 'med_final_d40', dpd: 40, kind: 'final_notice', template: 'collections_final_notice' },
      { stage: 'med_fee_d41', dpd: 41, kind: 'fee', fee: 2500 },
      { stage: 'med_letter_d50', dpd: 50, kind: 'letter', template: 'collections_letter' },
      { stage: 'med_placement_d75', dpd: 75, kind: 'placement' },
      { stage: 'med_write_off_d150', dpd: 150, kind: 'write_off' },
    ],
  },
  'consumer-high': {
    champion: [
      { stage: 'high_sms_d1', dpd: 1, kind: 'sms', template: 'payment_overdue' },
      { stage: 'high_call_d3', dpd: 3, kind: 'call' },
      { stage: 'high_email_d7', dpd: 7, kind: 'email', template: 'collections_firm_reminder' },
      { stage: 'high_call_d14', dpd: 14, kind: 'call' },
      { stage: 'high_final_d21', dpd: 21, kind: 'final_notice', template: 'collections_final_notice' },
      { stage: 'high_fee_d30', dpd: 30, kind: 'fee', fee: 3500 },
      { stage: 'high_letter_d40', dpd: 40, kind: 'letter', template: 'collections_letter' },
      { stage: 'high_placement_d60', dpd: 60, kind: 'placement' },
      { stage: 'high_write_off_d120', dpd: 120, kind: 'write_off' },
    ],
  },
  b2b: {
    // Dunning levels: a courteous reminder, a firmer one, a call to accounts payable, the final notice.
    champion: [
      { stage: 'b2b_level1_d1', dpd: 1, kind: 'email', template: 'payment_overdue' },
      { stage: 'b2b_level2_d15', dpd: 15, kind: 'email', template: 'collections_firm_reminder' },
      { stage: 'b2b_call_d20', dpd: 20, kind: 'call' },
      { stage: 'b2b_level3_d30', dpd: 30, kind: 'final_notice', template: 'collections_final_notice' },
      { stage: 'b2b_fee_d31', dpd: 31, kind: 'fee', fee: 4000 },
      { stage: 'b2b_letter_d45', dpd: 45, kind: 'letter', template: 'collections_letter' },
      { stage: 'b2b_placement_d60', dpd: 60, kind: 'placement' },
    ],
  },
};

export function strategyPolicy(): JdmDocument {
  const rules = Object.entries(STRATEGIES).flatMap(([segment, variants]) =>
    Object.entries(variants).flatMap(([variant, stages]) =>
      stages.map((row) => ({
        id: `${segment}-${variant}-${row.stage}`,
        cells: {
          segment: text(segment),
          variant: text(variant),
          stage: text(row.stage),
          dpd: String(row.dpd),
          kind: text(row.kind),
          template: row.template ? text(row.template) : 'null',
          fee: row.fee === undefined ? 'null' : String(row.fee),
        },
      })),
    ),
  );
  return decisionTable({
    name: 'Collections strategy stages',
    hitPolicy: 'collect',
    inputs: [
      { id: 'segment', name: 'Segment', field: 'segment' },
      { id: 'variant', name: 'Variant', field: 'variant' },
    ],
    outputs: [
      { id: 'stage', name: 'Stage', field: 'stage' },
      { id: 'dpd', name: 'Days past due', field: 'dpd' },
      { id: 'kind', name: 'Kind', field: 'kind' },
      { id: 'template', name: 'Template', field: 'template' },
      { id: 'fee', name: 'Fee (minor units)', field: 'fee' },
    ],
    rules,
  });
}

export function shippedCollectionsPolicy(): Array<{ key: string; content: JdmDocument }> {
  return [
    { key: SEGMENT_DECISION, content: segmentPolicy() },
    { key: STRATEGY_DECISION, content: strategyPolicy() },
  ];
}

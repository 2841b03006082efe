import { AppError } from '../../../core/errors.js';
import { decisionTable, text, type JdmDocument } from '../../../engine/index.js';
import type { DomainWork } from '../../unit-of-work.js';

/**
 * The reconciliation rules: a versioned decision (`treasury.reconciliation-rules`, a first-hit
 * decision table deployed by the treasury install when absent, edited like any decision — the
 * console's decision editor, four eyes). Code finds the candidates of each rule; the decision says,
 * for each candidate, how confident a match it is and from what confidence a unique candidate is
 * confirmed without a person (`autoConfirmAt`). A rule a treasury turns off answers confidence 0: its
 * candidates are then neither confirmed nor suggested.
 *
 * Inputs: `rule` (end_to_end, return, creditor_reference, reference_text, name_amount), `direction`
 * (credit, debit), `amountFit` (exact: the entry pays the target's open amount; partial: less; over:
 * more; different: an outgoing payment of another amount), `nameSimilarity` (0–1, the counterparty
 * against the customer, see names.ts) and `daysFromDue` (days between the booking date and the
 * receivable's oldest unpaid due date). Outputs: `confidence` (0–100), `autoConfirmAt`, `code`, `reason`.
 */

export const RECONCILIATION_RULES_KEY = 'treasury.reconciliation-rules';

/** The candidate rules, in the order they are tried: the first that yields a confirmable candidate decides. */
export const RULE_ORDER = ['end_to_end', 'return', 'creditor_reference', 'reference_text', 'name_amount'] as const;
export type RuleName = (typeof RULE_ORDER)[number];
export type AmountFit = 'exact' | 'partial' | 'over' | 'different';

export interface RuleInput {
  rule: RuleName;
  direction: 'credit' | 'debit';
  amountFit: AmountFit;
  nameSimilarity: number;
  daysFromDue: number;
}

export interface RuleAnswer {
  confidence: number;
  autoConfirmAt: number;
  code: string;
  reason: string;
  version: number;
}

const AUTO = 80;

interface Row {
  id: string;
  cells: Record<string, string>;
  confidence: number;
  reason: string;
}

const ROWS: Row[] = [
  {
    id: 'OUT_E2E',
    cells: { rule: "'end_to_end'", amountFit: "'exact'" },
    confidence: 100,
    reason: 'end-to-end id and amount of a sent payment',
  },
  {
    id: 'OUT_E2E_AMOUNT',
    cells: { rule: "'end_to_end'" },
    confidence: 60,
    reason: 'end-to-end id of a sent payment, another amount',
  },
  {
    id: 'OUT_RETURN',
    cells: { rule: "'return'", amountFit: "'exact', 'partial'" },
    confidence: 95,
    reason: 'a return naming a settled payment by its end-to-end id',
  },
  { id: 'OUT_RETURN_AMOUNT', cells: { rule: "'return'" }, confidence: 50, reason: 'a return of more than was paid' },
  {
    id: 'IN_RF',
    cells: { rule: "'creditor_reference'" },
    confidence: 98,
    reason: 'structured creditor reference (ISO 11649) of the receivable',
  },
  {
    id: 'IN_TEXT_EXACT',
    cells: { rule: "'reference_text'", amountFit: "'exact'" },
    confidence: 95,
    reason: 'the receivable named in the remittance text, paid in full',
  },
  {
    id: 'IN_TEXT',
    cells: { rule: "'reference_text'" },
    confidence: 88,
    reason: 'the receivable named in the remittance text',
  },
  {
    id: 'IN_NAME_AMOUNT',
    cells: { rule: "'name_amount'", amountFit: "'exact'", nameSimilarity: '>= 0.8', daysFromDue: '<= 45' },
    confidence: 85,
    reason: 'the open amount, from a payer named like the customer, near the due date',
  },
  {
    id: 'IN_NAME_AMOUNT_WEAK',
    cells: { rule: "'name_amount'", amountFit: "'exact'", nameSimilarity: '>= 0.5' },
    confidence: 50,
    reason: 'the open amount from a payer named somewhat like the customer',
  },
  { id: 'NO_MATCH', cells: {}, confidence: 0, reason: 'not a match' },
];

export function reconciliationRulesJdm(): JdmDocument {
  return decisionTable({
    name: 'Reconciliation rules',
    hitPolicy: 'first',
    inputs: [
      { id: 'rule', name: 'Rule', field: 'rule' },
      { id: 'direction', name: 'Direction (credit, debit)', field: 'direction' },
      { id: 'amountFit', name: 'Amount fit (exact, partial, over, different)', field: 'amountFit' },
      { id: 'nameSimilarity', name: 'Name similarity (0-1)', field: 'nameSimilarity' },
      { id: 'daysFromDue', name: 'Days from the due date', field: 'daysFromDue' },
    ],
    outputs: [
      { id: 'confidence', name: 'Confidence (0-100)', field: 'confidence' },
      { id: 'autoConfirmAt', name: 'Auto-confirm at or above', field: 'autoConfirmAt' },
      { id: 'code', name: 'Code', field: 'code' },
      { id: 'reason', name: 'Reason', field: 'reason' },
    ],
    rules: ROWS.map((row) => ({
      id: row.id,
      cells: {
        ...row.cells,
        confidence: String(row.confidence),
        autoConfirmAt: String(AUTO),
        code: text(row.id),
        reason: text(row.reason),
      },
    })),
  });
}

const score = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 100 ? Math.round(value) : null;

/**
 * Asks the decision about one candidate. Answers are remembered per input for the run (a statement
 * of many entries asks few distinct questions). An answer that is not a confidence 0–100 fails the
 * run (409 naming the decision version): an edited table can say anything.
 */
export type Rules = (input: RuleInput) => Promise<RuleAnswer>;

export function rulesOf(unit: DomainWork): Rules {
  const evaluator = unit.context.engine.services.decisions;
  const memo = new Map<string, Promise<RuleAnswer>>();
  return (input) => {
    const key = JSON.stringify(input);
    let answer = memo.get(key);
    if (!answer) {
      answer = evaluator.evaluate(unit.tx, RECONCILIATION_RULES_KEY, input).then((outcome) => {
        const r = (outcome.result ?? {}) as Record<string, unknown>;
        const confidence = score(r.confidence ?? 0);
        const autoConfirmAt = score(r.autoConfirmAt ?? 101);
        if (confidence === null || (autoConfirmAt === null && r.autoConfirmAt !== undefined)) {
          throw new AppError(
            'reconciliation_rules_invalid',
            409,
            `${RECONCILIATION_RULES_KEY}@${outcome.version} answered ${JSON.stringify(r)}: confidence and autoConfirmAt must be numbers 0-100`,
          );
        }
        return {
          confidence,
          autoConfirmAt: autoConfirmAt ?? 101,
          code: typeof r.code === 'string' ? r.code : input.rule,
          reason: typeof r.reason === 'string' ? r.reason : '',
          version: outcome.version,
        };
      });
      memo.set(key, answer);
    }
    return answer;
  };
}

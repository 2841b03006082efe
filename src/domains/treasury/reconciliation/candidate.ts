import type { Selectable } from 'kysely';
import type { BankEntriesTable, MatchTargetKind } from '../tables.js';
import type { AmountFit, RuleName } from './rules.js';

/** What the candidate searches (candidates.ts, incoming-candidates.ts) hand to the rules decision. */

export type EntryRow = Selectable<BankEntriesTable>;

export interface Candidate {
  rule: RuleName;
  targetKind: MatchTargetKind;
  targetId: string;
  /** What a person recognises: the receivable's external id, the payment's end-to-end id. */
  label: string;
  /** What the target still expects: the receivable's outstanding, the payment's amount. */
  openAmount: bigint;
  amountFit: AmountFit;
  nameSimilarity: number;
  daysFromDue: number;
  counterpartyName: string | null;
  targetName: string | null;
}

const DAY = 86_400_000;
export const daysBetween = (a: string, b: string) => Math.abs(Math.round((Date.parse(a) - Date.parse(b)) / DAY));
export const fit = (paid: bigint, open: bigint): AmountFit =>
  paid === open ? 'exact' : paid < open ? 'partial' : 'over';

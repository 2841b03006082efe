import type { PlanRow } from '../plans.js';
import type { PromiseRow } from '../promises.js';
import type { Stage } from './strategy-stages.js';

/**
 * The vocabulary of the dunning strategy: what `nextMove` can decide (a `Move`), and the `Plan` the
 * collections-case workflow receives for it (its step output, so its shape is part of the workflow's
 * contract: `due`, `channel`, `stage`, `approval`…).
 */

export type Channel = 'email' | 'sms' | 'letter' | 'call' | 'agency' | 'approval' | 'internal';

/** The outbound channel each kind of stage goes by ('internal': finflow does it itself). */
export const CHANNEL: Record<Stage['kind'], Channel> = {
  email: 'email',
  final_notice: 'email',
  sms: 'sms',
  letter: 'letter',
  call: 'call',
  fee: 'internal',
  placement: 'internal',
  write_off: 'internal',
};

/** Days a final notice gives the customer before the next step. */
export const FINAL_NOTICE_DAYS = 10;

/** Which outbound channels this installation can use. */
export interface ChannelsReady {
  email: boolean;
  sms: boolean;
  letter: boolean;
}

export interface StageInfo {
  stage: string;
  kind: Stage['kind'];
  seq: number;
  dpd: number;
}

/** A plan or write-off waiting for someone with the authority to approve it. */
export interface ApprovalRequest {
  kind: 'plan' | 'write_off';
  id: string;
  queue: string;
  proposedBy: string;
  title: string;
  details: Record<string, unknown>;
}

/** A plan or promise whose checkpoint has passed, to record as kept or broken on the way. */
export type Settlement =
  | { kind: 'plan'; plan: PlanRow; status: 'kept' | 'broken'; paid: bigint }
  | { kind: 'promise'; promise: PromiseRow; status: 'kept' | 'broken'; paid: bigint };

/** What a stage's message or task is told about the account. */
export interface StageData {
  caseId: string;
  amount: string;
  outstanding: string;
  currency: string;
  reference: string;
  dpd: number;
  dueDate: string;
  deadline: string;
  [field: string]: unknown;
}

/** How a due stage goes out (decided by `routeStage` once the channel's facts are read). */
export interface StageRoute {
  channel: Channel;
  /** Why the stage is recorded without doing it (no address, channel or agency configured). */
  skip?: string;
  assignee?: string | null;
  task?: { title: string; context: Record<string, unknown> };
  agency?: { name: string; url: string; json: Record<string, unknown> };
}

/**
 * The strategy's decision for a case. `state` is the case state it leaves the case in (null: leave
 * it); `settle` lists the plans and promises to record as kept or broken first.
 */
export type Move =
  | {
      kind: 'wait';
      state: string | null;
      until: string | null;
      reason: string;
      next: string | null;
      settle: Settlement[];
    }
  | {
      kind: 'approval';
      state: 'awaiting_approval';
      /** Now: the moment the move was decided. */
      until: string;
      reason: string;
      approval: ApprovalRequest;
      settle: Settlement[];
    }
  | {
      kind: 'stage';
      state: 'active' | 'partly_disputed';
      until: string;
      reason: string;
      stage: Stage;
      data: StageData;
      settle: Settlement[];
      /** Filled by `routeStage`. */
      route?: StageRoute;
    };

export type StageMove = Extract<Move, { kind: 'stage' }>;

export type Plan =
  | { due: false; until: string | null; reason: string; next: string | null }
  | {
      due: true;
      /** Now: the wait after the stage ends at once and the strategy is asked again. */
      until: string;
      reason: string;
      stage: StageInfo | null;
      channel: Channel;
      /** Why a stage is recorded without doing it (no address, channel or agency configured). */
      skip: string | null;
      customerId: string;
      template: string | null;
      data: Record<string, unknown>;
      queue: string;
      assignee: string | null;
      task: { title: string; context: Record<string, unknown> } | null;
      approval: ApprovalRequest | null;
      /** For an agency placement by API: where and what to POST. */
      agency: { name: string; url: string; json: Record<string, unknown> } | null;
    };

import { z } from 'zod';
import type { MessagePurpose, PurposeChecks, StillWanted } from '../channels/messages/message-purpose.js';
import { NonRetryableError } from '../../engine/index.js';
import { installmentTotals } from '../receivables/delinquency/delinquency.js';
import { addDays, daysBetween } from '../receivables/schedule/due-dates.js';
import type { Tx } from '../../storage/schema.js';
import { findReceivableColumns, receivableColumns, unpaidDueOn } from '../receivables/receivable-queries.js';
import { caseSituation, type CaseSituation } from './dunning/case-situation.js';
import { lockCase } from './cases/case-row.js';
import { openDisputeOf } from './disputes.js';
import { StageInfoSchema } from './dunning/stage-runs.js';
import { FINAL_NOTICE_DAYS } from './dunning/moves.js';

/**
 * Is a collections message still wanted when it may finally go out? A stage's email, SMS or letter
 * can wait out quiet hours, a no-contact day or a frequency cap for hours or days, and a pre-due
 * reminder likewise; meanwhile the customer may pay, promise, dispute or ask for hardship. The
 * channels ask these checks on every attempt to send, in the send's own transaction (see
 * channels/messages/message-purpose.ts), so the message goes out only if its reason still holds.
 *
 * The decisions are pure functions of the facts one probe gathers. Every reason they drop a stage
 * message for is one the planner also waits for, so a dropped stage is not recorded as run and the
 * planner, asked again at once, pauses the case or plans the stage afresh (new amount, new day).
 */

export const STAGE_PURPOSE = 'collections.stage';
export const PRE_DUE_PURPOSE = 'collections.pre_due';

/** What a stage message's check looks at. */
export interface StageMessageFacts {
  stage: string;
  caseOpen: boolean;
  receivableStatus: string;
  /** The oldest unpaid installment's due date: days past due count from it. */
  oldestUnpaid: string | null;
  /** Today's business date (UTC), as the planner counts it. */
  today: string;
  /** The days past due the stage is for. */
  stageDpd: number;
  situation: Omit<CaseSituation, 'stagesRun'> & { stageRun: boolean };
  promise: { amount: bigint; date: string } | null;
  /** Overdue now, and what an open dispute takes out of it. */
  overdue: bigint;
  disputed: bigint | null;
  /** The amount the message asks for (its template data), when it names one. */
  asked: bigint | null;
}

/**
 * The planner's pauses, in its order, as reasons not to send a stage message now; when it is still
 * wanted, the template data that depends on the day (days past due, a final notice's deadline).
 */
export function stageMessageWanted(f: StageMessageFacts): StillWanted {
  const drop = (reason: string): StillWanted => ({ send: false, reason });
  if (!f.caseOpen) return drop('the case is closed');
  if (f.receivableStatus !== 'open') return drop(`the account is ${f.receivableStatus.replace(/_/g, ' ')}`);
  if (f.oldestUnpaid === null || f.oldestUnpaid >= f.today) return drop('the account is no longer overdue');
  if (f.situation.stageRun) return drop(`stage ${f.stage} has already run`);
  if (f.situation.hardshipOpen) return drop('hardship under review');
  if (f.situation.forbearUntil) return drop(`forbearance until ${f.situation.forbearUntil.toISOString()}`);
  if (f.situation.plan) return drop('a payment plan is pending approval or running');
  if (f.situation.writeOffPending) return drop('a write-off awaits approval');
  if (f.situation.placed) return drop('placed with an agency');
  if (f.promise) return drop(`promise to pay ${f.promise.amount} by ${f.promise.date}`);
  const chased = f.overdue - (f.disputed ?? 0n);
  if (f.disputed !== null && chased <= 0n) return drop('a dispute covers what is overdue');
  const dueOn = addDays(f.oldestUnpaid, f.stageDpd);
  if (dueOn > f.today) return drop(`the account is fewer days past due now: the stage is due on ${dueOn}`);
  if (f.asked !== null && f.asked !== chased) {
    return drop(`the amount chased is now ${chased}, not ${f.asked}${f.disputed !== null ? ' (a dispute)' : ''}`);
  }
  // Still wanted, perhaps days later than planned: the days past due and a final notice's deadline
  // as they are today.
  return {
    send: true,
    data: { dpd: daysBetween(f.oldestUnpaid, f.today), deadline: addDays(f.today, FINAL_NOTICE_DAYS) },
  };
}

/** What a pre-due reminder's check looks at. */
export interface PreDueFacts {
  receivableStatus: string | null;
  dueDate: string;
  today: string;
  /** Still unpaid of the installments due that day (null: none found). */
  unpaid: bigint | null;
  asked: bigint | null;
}

/** A reminder before the due date: only while the installment is unpaid and the date is ahead. */
export function preDueReminderWanted(f: PreDueFacts): StillWanted {
  const drop = (reason: string): StillWanted => ({ send: false, reason });
  if (f.receivableStatus !== 'open') {
    return drop(`the account is ${(f.receivableStatus ?? 'gone').replace(/_/g, ' ')}`);
  }
  if (f.unpaid === null || f.unpaid <= 0n) return drop(`the installment due ${f.dueDate} is paid`);
  if (f.today > f.dueDate) return drop(`the due date ${f.dueDate} has passed`);
  // Partly paid: remind of what is left, not of the amount when it was planned.
  if (f.asked !== null && f.asked !== f.unpaid) return { send: true, data: { amount: f.unpaid.toString() } };
  return { send: true };
}

const StagePurpose = z.object({ kind: z.literal(STAGE_PURPOSE), case: z.string().min(1), stage: StageInfoSchema });
const PreDuePurpose = z.object({
  kind: z.literal(PRE_DUE_PURPOSE),
  receivable: z.string().min(1),
  dueDate: z.iso.date(),
});

function amountIn(data: Record<string, unknown>): bigint | null {
  const value = data.amount;
  return typeof value === 'string' && /^-?[0-9]{1,20}$/.test(value) ? BigInt(value) : null;
}

const utcDay = (now: Date) => now.toISOString().slice(0, 10);

/** One probe of the case (locked, so a promise or plan made meanwhile waits for the send or is seen). */
export async function stageMessageFacts(
  tx: Tx,
  purpose: z.infer<typeof StagePurpose>,
  data: Record<string, unknown>,
  now: Date,
): Promise<StageMessageFacts> {
  const theCase = await lockCase(tx, purpose.case);
  const today = utcDay(now);
  const receivable = await receivableColumns(tx, theCase.receivable_id, ['status', 'oldest_unpaid_due_date']);
  const { stagesRun, ...situation } = await caseSituation(tx, theCase.id, now);
  const promise = situation.promiseOpen
    ? await tx
        .selectFrom('collection_promises')
        .select(['amount', 'promised_date'])
        .where('case_id', '=', theCase.id)
        .where('status', '=', 'open')
        .executeTakeFirst()
    : undefined;
  const dispute = situation.disputeOpen ? await openDisputeOf(tx, theCase.id) : undefined;
  return {
    stage: purpose.stage.stage,
    caseOpen: theCase.status === 'open',
    receivableStatus: receivable.status,
    oldestUnpaid: receivable.oldest_unpaid_due_date,
    today,
    stageDpd: purpose.stage.dpd,
    situation: { ...situation, stageRun: stagesRun.includes(purpose.stage.stage) },
    promise: promise ? { amount: promise.amount, date: promise.promised_date } : null,
    overdue: (await installmentTotals(tx, theCase.receivable_id, today)).overdue,
    disputed: dispute ? dispute.amount : null,
    asked: amountIn(data),
  };
}

export async function preDueFacts(
  tx: Tx,
  purpose: z.infer<typeof PreDuePurpose>,
  data: Record<string, unknown>,
  now: Date,
): Promise<PreDueFacts> {
  const receivable = await findReceivableColumns(tx, purpose.receivable, ['status']);
  const unpaid = await unpaidDueOn(tx, purpose.receivable, purpose.dueDate);
  return {
    receivableStatus: receivable?.status ?? null,
    dueDate: purpose.dueDate,
    today: utcDay(now),
    unpaid,
    asked: amountIn(data),
  };
}

/** Registers the two checks beside the collections actions (email.send, sms.send and letter.send ask them). */
export function registerCollectionsPurposes(purposes: PurposeChecks): void {
  purposes.set(STAGE_PURPOSE, async (tx, purpose: MessagePurpose, message) =>
    stageMessageWanted(await stageMessageFacts(tx, parsePurpose(StagePurpose, purpose), message.data, message.now)),
  );
  purposes.set(PRE_DUE_PURPOSE, async (tx, purpose: MessagePurpose, message) =>
    preDueReminderWanted(await preDueFacts(tx, parsePurpose(PreDuePurpose, purpose), message.data, message.now)),
  );
}

function parsePurpose<T>(schema: z.ZodType<T>, purpose: MessagePurpose): T {
  const parsed = schema.safeParse(purpose);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${['with', 'purpose', ...i.path].join('.')}: ${i.message}`);
    throw new NonRetryableError(issues.join('; '));
  }
  return parsed.data;
}

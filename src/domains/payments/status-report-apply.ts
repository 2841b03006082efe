import { createHash } from 'node:crypto';
import { readPain002, type Pain002Report, type StatusReason } from '../../adapters/iso20022/index.js';
import { AppError, conflict } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { DomainWork } from '../unit-of-work.js';
import { setBatch } from './batch-release.js';
import { expectBatchStatus, lockBatch, presentBatchDetail, type BatchStatus } from './batches.js';
import { transition, type BankRejection, type PaymentStatus } from './instructions.js';
import { voidHold } from './ledger-hold.js';
import { bankReason, describeReason, type BankReason } from './status-reasons.js';
import { decodeReport } from './status-report-decode.js';
import { presentReport, type StatusReportChange, type UnmatchedStatus } from './status-reports.js';
import type { PaymentBatchRow, PaymentRow } from './tables.js';

/**
 * Applying a pain.002 customer payment status report to the batch it answers (found by the original
 * message id) and to that batch's payments, in the caller's one transaction:
 *
 * - RJCT at the group level rejects every payment of the batch; at the payment information level,
 *   the payments of that block; at the transaction level (by original end-to-end id, or instruction
 *   id), that payment. A rejection is final: the payment becomes `rejected` (code
 *   `rejected_by_bank`, with the bank's reason), its ledger hold is voided, and `payment.rejected`
 *   tells whoever listens (a workflow notifying the maker, named in the event as `maker`).
 * - An acceptance (ACCP, ACTC, ACSP, ACSC, ACWC… at any level) moves `sent` payments to `accepted`;
 *   nothing ever moves backwards (an accepted payment stays accepted under a later ACTC, a settled
 *   one stays settled, a rejected one stays rejected).
 * - PART, PDNG and RCVD change nothing by themselves: PART says the transactions carry the detail.
 * - A rejection covering a payment wins over an acceptance of it at another level of the same report.
 *
 * The batch then takes its status from its payments: all rejected → `rejected`; some →
 * `partially_accepted`; none, and none still waiting → `accepted`. Each report is stored once per
 * batch under its own message id: the same report again answers `alreadyApplied` and changes nothing.
 */

/** Bank statuses that mean the payment was accepted (at some stage). */
const ACCEPTING = new Set(['ACCP', 'ACTC', 'ACSP', 'ACSC', 'ACWC', 'ACCC', 'ACFC', 'ACPD', 'ACWP']);
/** Statuses recorded without a change: partly accepted (see the transactions), pending, received. */
const INFORMATIVE = new Set(['PART', 'PDNG', 'RCVD']);
const REJECTED = 'RJCT';
/** States in which the bank holds the payment: a report can still accept or reject it. */
const AT_THE_BANK: readonly PaymentStatus[] = ['sent', 'accepted'];
/** States the bank's acceptance covers (later ones included): what an accepted batch is made of. */
const ACCEPTED_OR_LATER: readonly string[] = ['accepted', 'settled', 'returned'];
/** A released batch, and the states status reports move it between. */
const REPORTABLE: readonly BatchStatus[] = ['released', 'accepted', 'partially_accepted', 'rejected'];
/** What banks write when the original had no such id. */
const NOT_PROVIDED = 'NOTPROVIDED';

type Level = BankRejection['level'];

interface Verdict {
  reject?: { level: Level; reason: BankReason | null };
  accept?: { level: Level; status: string };
}

export interface StatusReportResult {
  alreadyApplied: boolean;
  report: ReturnType<typeof presentReport>;
  batch: Awaited<ReturnType<typeof presentBatchDetail>>;
}

export async function applyStatusReport(unit: DomainWork, bytes: Uint8Array, by: string): Promise<StatusReportResult> {
  if (bytes.length === 0) {
    throw new AppError('invalid_pain002', 400, 'the pain.002 file is missing: send it as the body', {
      field: 'body',
    });
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const report = readReport(decodeReport(bytes));
  const originalMessageId = report.original.messageId;
  if (!originalMessageId) {
    throw new AppError(
      'payment_batch_unknown',
      422,
      'body: the report names no original message (OrgnlGrpInfAndSts/OrgnlMsgId), so no payment batch; nothing was applied',
      { field: 'body', details: { reportMessageId: report.messageId } },
    );
  }
  const found = await unit.tx
    .selectFrom('payment_batches')
    .select('id')
    .where('message_id', '=', originalMessageId)
    .executeTakeFirst();
  if (!found) {
    throw new AppError(
      'payment_batch_unknown',
      422,
      `body: the report answers message "${originalMessageId}" (OrgnlMsgId), which is no payment batch's message id; nothing was applied`,
      { field: 'body', details: { originalMessageId, reportMessageId: report.messageId } },
    );
  }

  // The batch lock serialises reports (and a release's last step) for this batch.
  const batch = await lockBatch(unit.tx, found.id);
  const earlier = await unit.tx
    .selectFrom('payment_status_reports')
    .selectAll()
    .where('batch_id', '=', batch.id)
    .where('message_id', '=', report.messageId)
    .executeTakeFirst();
  if (earlier) {
    if (earlier.file_sha256.trim() !== sha256) {
      throw conflict(
        'status_report_conflict',
        `status report ${earlier.id} was already applied to payment batch ${batch.id} under message id ` +
          `"${report.messageId}" with other content; a report is applied once per message id`,
        { reportId: earlier.id, batchId: batch.id },
      );
    }
    return { alreadyApplied: true, report: presentReport(earlier), batch: await presentBatchDetail(unit.tx, batch) };
  }
  expectBatchStatus(batch, REPORTABLE, 'apply a status report to a batch not released');

  const payments = await unit.tx
    .selectFrom('payment_instructions')
    .selectAll()
    .where('batch_id', '=', batch.id)
    .orderBy('id')
    .forUpdate()
    .execute();
  const warnings = [...report.warnings];
  const { verdicts, unmatched } = judge(report, batch, payments, warnings);

  const reportId = newId('psr', unit.clock.now().getTime());
  const changes: StatusReportChange[] = [];
  let unchanged = 0;
  const statuses = new Map(payments.map((p) => [p.id, p.status]));
  for (const payment of payments) {
    const verdict = verdicts.get(payment.id);
    if (!verdict) continue;
    const change = await applyVerdict(unit, payment, verdict, {
      by,
      reportId,
      reportMessageId: report.messageId,
      batch,
    });
    if (change) {
      changes.push(change);
      statuses.set(payment.id, change.to);
    } else {
      unchanged += 1;
      if (verdict.reject && !AT_THE_BANK.includes(payment.status as PaymentStatus) && payment.status !== 'rejected') {
        warnings.push(
          `payment ${payment.id} is ${payment.status}: the bank's rejection (${verdict.reject.level}) is recorded, not applied`,
        );
      }
    }
  }

  const before = batch.status;
  const after = batchStatusOf(batch.status as BatchStatus, [...statuses.values()]);
  let current = batch;
  if (after !== before) {
    current = await setBatch(unit, batch, after, {});
    unit.publish(`payment_batch.${after}`, batch.id, {
      batchId: batch.id,
      status: after,
      previousStatus: before,
      bankAccountId: batch.bank_account_id,
      messageId: batch.message_id,
      reportId,
      reportMessageId: report.messageId,
      rejected: [...statuses.values()].filter((s) => s === 'rejected').length,
      numberOfTransactions: batch.number_of_transactions,
    });
  }

  const row = await unit.tx
    .insertInto('payment_status_reports')
    .values({
      id: reportId,
      batch_id: batch.id,
      message_id: report.messageId,
      original_message_id: originalMessageId,
      version: report.version,
      report_created_at: report.createdAt,
      group_status: report.groupStatus,
      file_sha256: sha256,
      received_by: by,
      received_at: unit.clock.now(),
      accepted_count: changes.filter((c) => c.to === 'accepted').length,
      rejected_count: changes.filter((c) => c.to === 'rejected').length,
      unchanged_count: unchanged,
      unmatched_count: unmatched.length,
      batch_status_before: before,
      batch_status_after: after,
      statuses: JSON.stringify(statusesRead(report)),
      changes: JSON.stringify(changes),
      unmatched: JSON.stringify(unmatched),
      warnings: JSON.stringify(warnings),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const presented = presentReport(row);
  unit.audit({
    action: 'payment_status_report.applied',
    entityType: 'payment_status_report',
    entityId: reportId,
    before: null,
    after: { ...presented, statuses: undefined },
  });
  return { alreadyApplied: false, report: presented, batch: await presentBatchDetail(unit.tx, current) };
}

/** The reader's refusals, answered as a malformed body (the message names the line and element path). */
function readReport(text: string): Pain002Report {
  try {
    return readPain002(text);
  } catch (error) {
    if (error instanceof AppError && error.status === 400) {
      throw new AppError(error.code, 400, error.message, {
        field: 'body',
        ...(error.details ? { details: error.details } : {}),
      });
    }
    throw error;
  }
}

/** What the report says about each payment of the batch, and what it names that the batch does not hold. */
function judge(report: Pain002Report, batch: PaymentBatchRow, payments: PaymentRow[], warnings: string[]) {
  const verdicts = new Map<string, Verdict>();
  const unmatched: UnmatchedStatus[] = [];
  const byEndToEnd = new Map(payments.map((p) => [p.end_to_end_id, p]));
  const rule = (ids: PaymentRow[], level: Level, status: string | null, reasons: StatusReason[], where: string) => {
    if (status === null) return;
    if (status === REJECTED) {
      for (const p of ids) {
        const verdict = verdicts.get(p.id) ?? {};
        // Applied group → block → transaction: the most specific rejection gives the reason.
        verdict.reject = { level, reason: bankReason(reasons[0]) };
        verdicts.set(p.id, verdict);
      }
    } else if (ACCEPTING.has(status)) {
      for (const p of ids) {
        const verdict = verdicts.get(p.id) ?? {};
        verdict.accept = { level, status };
        verdicts.set(p.id, verdict);
      }
    } else if (!INFORMATIVE.has(status)) {
      warnings.push(`${where}: status "${status}" is not one finflow acts on; it is recorded and changes nothing`);
    }
  };

  if (report.original.numberOfTransactions !== null && report.original.numberOfTransactions !== payments.length) {
    warnings.push(
      `OrgnlGrpInfAndSts/OrgnlNbOfTxs is ${report.original.numberOfTransactions}; the batch's file carried ${payments.length}`,
    );
  }
  rule(payments, 'group', report.groupStatus, report.groupReasons, 'OrgnlGrpInfAndSts/GrpSts');

  for (const [b, block] of report.paymentInformation.entries()) {
    const where = `OrgnlPmtInfAndSts[${b + 1}]`;
    const blockId = block.originalPaymentInformationId;
    const inBlock = blockId === null ? [] : payments.filter((p) => p.payment_information_id === blockId);
    if (block.status !== null && inBlock.length === 0) {
      unmatched.push({ level: 'payment_information', id: blockId, status: block.status });
      if (blockId !== null) {
        warnings.push(`${where}: block "${blockId}" is not the batch's (${batch.payment_information_id})`);
      }
    } else {
      rule(inBlock, 'payment_information', block.status, block.reasons, `${where}/PmtInfSts`);
    }
    for (const [t, tx] of block.transactions.entries()) {
      // finflow writes no InstrId: a bank echoing one can only be repeating the end-to-end id.
      const endToEnd = tx.originalEndToEndId !== NOT_PROVIDED ? tx.originalEndToEndId : null;
      const payment =
        (endToEnd !== null ? byEndToEnd.get(endToEnd) : undefined) ??
        (tx.originalInstructionId !== null ? byEndToEnd.get(tx.originalInstructionId) : undefined);
      if (!payment) {
        unmatched.push({
          level: 'transaction',
          id: tx.originalEndToEndId ?? tx.originalInstructionId,
          status: tx.status,
        });
        continue;
      }
      rule([payment], 'transaction', tx.status, tx.reasons, `${where}/TxInfAndSts[${t + 1}]/TxSts`);
    }
  }
  return { verdicts, unmatched };
}

async function applyVerdict(
  unit: DomainWork,
  payment: PaymentRow,
  verdict: Verdict,
  how: { by: string; reportId: string; reportMessageId: string; batch: PaymentBatchRow },
): Promise<StatusReportChange | null> {
  if (!AT_THE_BANK.includes(payment.status as PaymentStatus)) return null; // never backwards
  const common = { batchId: how.batch.id, reportId: how.reportId, reportMessageId: how.reportMessageId };
  if (verdict.reject) {
    const { level, reason } = verdict.reject;
    const text = describeReason(reason);
    await voidHold(unit, payment, `rejected by the bank: ${text}`);
    await transition(unit, payment, 'rejected', {
      by: how.by,
      reason: text,
      change: {
        rejection: {
          code: 'rejected_by_bank',
          reason: text,
          by: how.by,
          at: unit.clock.now().toISOString(),
          bank: { level, reason, reportId: how.reportId, reportMessageId: how.reportMessageId },
        },
      },
      data: {
        ...common,
        level,
        bankStatus: REJECTED,
        reasonCode: reason?.code ?? null,
        reasonName: reason?.name ?? null,
        reasonProprietary: reason?.proprietary ?? null,
        additionalInfo: reason?.additionalInfo ?? [],
        holdVoided: payment.hold_transfer_id,
        // Whom a workflow reacting to payment.rejected tells: the person (or API key) who made it.
        maker: payment.created_by,
      },
    });
    return {
      paymentId: payment.id,
      endToEndId: payment.end_to_end_id,
      from: payment.status as PaymentStatus,
      to: 'rejected',
      level,
      bankStatus: REJECTED,
      reason,
    };
  }
  if (verdict.accept && payment.status === 'sent') {
    const { level, status } = verdict.accept;
    await transition(unit, payment, 'accepted', {
      by: how.by,
      reason: `accepted by the bank (${status})`,
      data: { ...common, level, bankStatus: status },
    });
    return {
      paymentId: payment.id,
      endToEndId: payment.end_to_end_id,
      from: 'sent',
      to: 'accepted',
      level,
      bankStatus: status,
      reason: null,
    };
  }
  return null;
}

/** The batch's status from its payments' (never back to released once a report moved it). */
function batchStatusOf(current: BatchStatus, statuses: string[]): BatchStatus {
  if (statuses.length === 0) return current;
  const rejected = statuses.filter((s) => s === 'rejected').length;
  if (rejected === statuses.length) return 'rejected';
  if (rejected > 0) return 'partially_accepted';
  if (statuses.every((s) => ACCEPTED_OR_LATER.includes(s))) return 'accepted';
  return current;
}

/** The statuses as read, with named reasons: what the report said, kept beside what it did. */
function statusesRead(report: Pain002Report) {
  const reasons = (list: StatusReason[]) => list.map((r) => bankReason(r)!);
  return {
    group: { status: report.groupStatus, reasons: reasons(report.groupReasons) },
    paymentInformation: report.paymentInformation.map((block) => ({
      id: block.originalPaymentInformationId,
      status: block.status,
      reasons: reasons(block.reasons),
      transactions: block.transactions.map((tx) => ({
        endToEndId: tx.originalEndToEndId,
        instructionId: tx.originalInstructionId,
        status: tx.status,
        reasons: reasons(tx.reasons),
      })),
    })),
  };
}

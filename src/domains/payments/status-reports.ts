import { notFound } from '../../core/errors.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import type { BatchStatus } from './batches.js';
import type { PaymentStatus } from './instructions.js';
import type { BankReason } from './status-reasons.js';
import type { PaymentStatusReportRow } from './status-report-tables.js';
import './status-report-tables.js';

/** pain.002 status reports as the API shows them: what each said, and what it changed (status-report-apply.ts). */

export type StatusLevel = 'group' | 'payment_information' | 'transaction';

/** A payment a report moved. */
export interface StatusReportChange {
  paymentId: string;
  endToEndId: string;
  from: PaymentStatus;
  to: 'accepted' | 'rejected';
  level: StatusLevel;
  /** The bank's status that caused it (RJCT, ACTC, ACSC…). */
  bankStatus: string;
  reason: BankReason | null;
}

/** A block or transaction the report names that the batch does not hold. */
export interface UnmatchedStatus {
  level: 'payment_information' | 'transaction';
  id: string | null;
  status: string | null;
}

export interface StatusesRead {
  group: { status: string | null; reasons: BankReason[] };
  paymentInformation: Array<{
    id: string | null;
    status: string | null;
    reasons: BankReason[];
    transactions: Array<{
      endToEndId: string | null;
      instructionId: string | null;
      status: string | null;
      reasons: BankReason[];
    }>;
  }>;
}

export function presentReportSummary(row: PaymentStatusReportRow) {
  return {
    id: row.id,
    batchId: row.batch_id,
    messageId: row.message_id,
    originalMessageId: row.original_message_id,
    version: row.version,
    reportCreatedAt: row.report_created_at,
    groupStatus: row.group_status,
    fileSha256: row.file_sha256.trim(),
    receivedBy: row.received_by,
    receivedAt: row.received_at.toISOString(),
    counts: {
      accepted: row.accepted_count,
      rejected: row.rejected_count,
      unchanged: row.unchanged_count,
      unmatched: row.unmatched_count,
    },
    batchStatusBefore: row.batch_status_before as BatchStatus,
    batchStatusAfter: row.batch_status_after as BatchStatus,
  };
}
export type StatusReportSummary = ReturnType<typeof presentReportSummary>;

export function presentReport(row: PaymentStatusReportRow) {
  return {
    ...presentReportSummary(row),
    statuses: row.statuses as StatusesRead,
    changes: row.changes as StatusReportChange[],
    unmatched: row.unmatched as UnmatchedStatus[],
    warnings: row.warnings as string[],
  };
}
export type StatusReport = ReturnType<typeof presentReport>;

export async function getStatusReport(db: Queryable, id: string): Promise<StatusReport> {
  const row = await db.selectFrom('payment_status_reports').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('payment status report', id);
  return presentReport(row);
}

export interface StatusReportFilter {
  batchId?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Newest first, paged by id (ids sort by arrival). */
export async function listStatusReports(
  db: Queryable | Tx,
  filter: StatusReportFilter,
): Promise<StatusReportSummary[]> {
  let query = db.selectFrom('payment_status_reports').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.batchId) query = query.where('batch_id', '=', filter.batchId);
  if (filter.after) query = query.where('id', '<', filter.after);
  return (await query.execute()).map(presentReportSummary);
}

/** A batch's reports, oldest first (the order the bank's answers came in). */
export async function batchStatusReports(db: Queryable | Tx, batchId: string): Promise<StatusReportSummary[]> {
  const rows = await db
    .selectFrom('payment_status_reports')
    .selectAll()
    .where('batch_id', '=', batchId)
    .orderBy('id')
    .execute();
  return rows.map(presentReportSummary);
}

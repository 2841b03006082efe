import { AppError, notFound } from '../../core/errors.js';
import { connectorOf } from '../payments/bank-connection.js';
import { applyStatusReport } from '../payments/status-report-apply.js';
import type { DomainContext } from '../contract.js';
import { inDomainTransaction } from '../unit-of-work.js';
import { importAndMatch } from './statement-intake.js';

/**
 * Collects what the bank left for finflow on an account's connection (SFTP inbox, HTTP listing):
 * each file, by its content, is a pain.002 status report (applied to its payment batch) or a
 * statement (imported, then its new entries matched — a matching failure is reported with the file,
 * which stays handled: the statement is in). A file is archived by the connector only once
 * it was handled; one that fails stays in the inbox and is reported, and the next collection tries it
 * again — safe, since both paths are idempotent by content.
 */
export interface CollectedFileResult {
  name: string;
  kind: 'status_report' | 'statement';
  /** The status report's or the statements' ids. */
  ids: string[];
  newEntries: number | null;
  /** A statement imported whose matching failed: why (its entries wait for a reconciliation run). */
  reconciliationError?: string | null;
}

export interface CollectResult {
  bankAccountId: string;
  files: CollectedFileResult[];
  failed: Array<{ name: string; error: string }>;
}

const PAIN002 = /urn:iso:std:iso:20022:tech:xsd:pain\.002\.|<(\w+:)?CstmrPmtStsRpt[\s>]/;
/** Enough of a file to see its root element and namespace. */
const HEAD_BYTES = 4096;

export async function collectFromBank(
  context: DomainContext,
  bankAccountId: string,
  who: { actor: string; requestId?: string | null },
): Promise<CollectResult> {
  const row = await context.database.db
    .selectFrom('bank_accounts')
    .select(['id', 'connection'])
    .where('id', '=', bankAccountId)
    .executeTakeFirst();
  if (!row) throw notFound('bank account', bankAccountId);
  const connector = connectorOf(row, context);
  if (!connector) {
    throw new AppError('no_bank_connection', 409, `bank account ${bankAccountId} has no connection to collect from`);
  }
  const files: CollectedFileResult[] = [];
  try {
    const { failed } = await connector.collect(async (file) => {
      const head = new TextDecoder().decode(file.content.subarray(0, HEAD_BYTES));
      if (PAIN002.test(head)) {
        const result = await inDomainTransaction(context, who, (unit) =>
          applyStatusReport(unit, file.content, who.actor),
        );
        files.push({ name: file.name, kind: 'status_report', ids: [result.report.id], newEntries: null });
        return;
      }
      const { result, reconciliationError } = await importAndMatch(
        (work) => inDomainTransaction(context, who, work),
        file.content,
      );
      files.push({
        name: file.name,
        kind: 'statement',
        ids: result.statements.map((s) => s.id),
        newEntries: result.newEntries,
        reconciliationError,
      });
    });
    return { bankAccountId, files, failed };
  } finally {
    await connector.close();
  }
}

import { readFile, stat } from 'node:fs/promises';
import { AppError } from '../../core/errors.js';
import { applyStatusReport } from '../../domains/payments/status-report-apply.js';
import { inDomainTransaction } from '../../domains/unit-of-work.js';
import { configFrom, withEngine } from '../context.js';
import { cliActor } from '../output.js';

/**
 * `finflow import status-report FILE`: a bank's pain.002 applied as POST /payment-status-reports
 * applies it (docs/payments.md, Status reports) — the batch found from the original message id,
 * payments accepted or rejected (holds released, `payment.rejected` published), once per report.
 * For the files a bank hands over outside a connection (a download from its portal).
 */

/** A status report answers one pain.001: a few megabytes at most; more is not one. */
const MAX_BYTES = 20 * 1024 * 1024;

export async function importStatusReportCommand(
  file: string,
  options: { dataDir?: string; databaseUrl?: string; json?: boolean },
): Promise<void> {
  let bytes: Uint8Array;
  try {
    const { size } = await stat(file);
    if (size > MAX_BYTES) {
      throw new AppError('file_too_large', 400, `${file} is ${size} bytes: a pain.002 is at most ${MAX_BYTES}`, {
        field: 'file',
      });
    }
    bytes = await readFile(file);
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('file_unreadable', 400, `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  const actor = cliActor();
  const result = await withEngine(configFrom(options), [], (_engine, _database, context) =>
    inDomainTransaction(context, { actor }, (unit) => applyStatusReport(unit, bytes, actor)),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ file, ...result })}\n`);
    return;
  }
  const { report, batch, alreadyApplied } = result;
  const { accepted, rejected, unchanged, unmatched } = report.counts;
  const how = alreadyApplied ? `applied before as ${report.id}, nothing changed` : `applied as ${report.id}`;
  process.stdout.write(
    `${file}: pain.002 ${report.messageId} for batch ${batch.id} ${how}\n` +
      `  ${accepted} accepted, ${rejected} rejected, ${unchanged} unchanged, ${unmatched} unmatched; ` +
      `batch ${report.batchStatusBefore} → ${batch.status}\n`,
  );
}

import { createReadStream } from 'node:fs';
import { access, constants } from 'node:fs/promises';
import { AppError } from '../../core/errors.js';
import type { StatementImportResult } from '../../domains/treasury/statement-import.js';
import { importAndMatch } from '../../domains/treasury/statement-intake.js';
import { inDomainTransaction } from '../../domains/unit-of-work.js';
import { configFrom, withEngine } from '../context.js';
import { cliActor } from '../output.js';

/**
 * `finflow import statement FILE`: the same import as POST /statements — the format (camt.052/053/054,
 * MT940) and the account from the content, streamed from the file in one transaction, idempotent by
 * content — on the configured database, as the OS user; the new entries are then matched.
 */
export async function importStatementCommand(
  file: string,
  options: { dataDir?: string; databaseUrl?: string; json?: boolean },
): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch (cause) {
    throw new AppError('file_unreadable', 400, `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  const actor = cliActor();
  const { result, reconciliation, reconciliationError } = await withEngine(
    configFrom(options),
    [],
    (_engine, _database, context) =>
      importAndMatch((work) => inDomainTransaction(context, { actor }, work), createReadStream(file)),
  );
  if (options.json) {
    const { fileSha256, statements, entries, newEntries } = result;
    process.stdout.write(
      `${JSON.stringify({ file, fileSha256, statements, entries, newEntries, reconciliation, reconciliationError })}\n`,
    );
    return;
  }
  process.stdout.write(summary(file, result));
  if (reconciliation) {
    const { matched, partlyMatched, exceptions } = reconciliation;
    process.stdout.write(`  matched ${matched}, partly matched ${partlyMatched}, exceptions ${exceptions}\n`);
  }
  if (reconciliationError) process.stdout.write(`  not matched yet (${reconciliationError})\n`);
}

function summary(file: string, result: StatementImportResult): string {
  const lines = result.statements.map((s) => {
    const known = s.alreadyImportedAs ? ` (imported before as ${s.alreadyImportedAs})` : '';
    const balance = s.closingBalance === null ? '' : `, closing balance ${s.closingBalance} on ${s.closingDate}`;
    return `  ${s.id} ${s.format} ${s.statementId ?? s.messageId} for ${s.bankAccountId}: ${s.entries} booked, ${s.newEntries} new${balance}${known}\n`;
  });
  return `imported ${file}: ${result.entries} entries, ${result.newEntries} new\n${lines.join('')}`;
}

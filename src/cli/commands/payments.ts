import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { releaseBatch } from '../../domains/payments/batch-release.js';
import type { PaymentBatch } from '../../domains/payments/batches.js';
import { createBatches } from '../../domains/payments/batching.js';
import { BatchRunInputSchema } from '../../domains/payments/http/batch-schemas.js';
import { importPayables } from '../../domains/payments/payables/payable-file.js';
import { defaultDelivery } from '../../domains/payments/payments-module.js';
import { createPaymentRun } from '../../domains/payments/runs/payment-runs.js';
import type { RunIssue } from '../../domains/payments/runs/run-file.js';
import { inDomainTransaction } from '../../domains/unit-of-work.js';
import { configFrom, withDatabaseOptions, withEngine } from '../context.js';
import { cliActor, printTable } from '../output.js';

/**
 * `finflow payments batch` and `finflow payments release <id>`: the same batching run and release as
 * POST /payment-batches and POST /payment-batches/{id}/release, on the configured database, by the
 * OS user (`cli:<user>` in the audit log). Release delivers to `<data dir>/bank-outbox/`.
 * `finflow payments run FILE` and `finflow payments import-payables FILE`: the CSV uploads of
 * POST /payment-runs and POST /payables/import.
 */

type DbOptions = { dataDir?: string; databaseUrl?: string };
interface BatchOptions extends DbOptions {
  account?: string;
  upTo?: string;
  maxPerFile?: string;
  json?: boolean;
}

const FLAGS: Record<string, string> = {
  bankAccountId: '--account',
  valueDateUpTo: '--up-to',
  maxPerFile: '--max-per-file',
};

/** The options through the API's own schema, so the CLI refuses exactly what the route refuses, naming the flag. */
function batchFilter(options: BatchOptions) {
  const parsed = BatchRunInputSchema.safeParse({
    ...(options.account !== undefined ? { bankAccountId: options.account } : {}),
    ...(options.upTo !== undefined ? { valueDateUpTo: options.upTo } : {}),
    ...(options.maxPerFile !== undefined ? { maxPerFile: Number(options.maxPerFile) } : {}),
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const flag = FLAGS[String(issue.path[0])] ?? String(issue.path[0]);
  throw new AppError('invalid_option', 400, `${flag}: ${issue.message}`, { field: flag });
}

const row = (b: PaymentBatch) => ({
  id: b.id,
  status: b.status,
  account: b.bankAccountId,
  valueDate: b.valueDate,
  method: b.method,
  version: b.pain001Version,
  payments: String(b.numberOfTransactions),
  controlSum: `${b.controlSum} ${b.currency}`,
  file: b.fileName,
});

export function registerPaymentCommands(program: Command): void {
  const payments = program
    .command('payments')
    .description('outgoing payments: CSV payment runs, batch approved ones, release files');

  withDatabaseOptions(payments.command('batch'))
    .description(
      'batch every approved payment not yet in a batch into pain.001 files (one per account, value date and method), ' +
        'each validated against its XSD',
    )
    .option('--account <id>', 'only this bank account’s payments (bac_…)')
    .option('--up-to <date>', 'only payments with a requested execution date on or before YYYY-MM-DD')
    .option('--max-per-file <n>', 'at most this many payments in one file (default 10000)')
    .option('--json', 'print the batches as JSON')
    .action(async (options: BatchOptions) => {
      const filter = batchFilter(options);
      const actor = cliActor();
      const batches = await withEngine(configFrom(options), [], (_engine, _database, context) =>
        inDomainTransaction(context, { actor }, (unit) => createBatches(unit, filter, actor)),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(batches)}\n`);
        return;
      }
      if (batches.length === 0) {
        process.stdout.write('no approved payments to batch\n');
        return;
      }
      printTable(batches.map(row));
    });

  withDatabaseOptions(payments.command('run'))
    .description(
      'create a payment run from a CSV file (payroll, supplier run): the same as POST /payment-runs — every line ' +
        'checked first, then all lines become payments pending approval in one transaction, or none does',
    )
    .argument('<file>', 'the CSV file (header: beneficiaryId, amount, … — see docs/payments.md, Payment runs)')
    .option('--account <id>', 'the debtor account (bac_…) for lines without a bankAccountId')
    .option('--json', 'print the run as JSON')
    .action(async (file: string, options: DbOptions & { account?: string; json?: boolean }) => {
      const bytes = await readCsvFile(file);
      const actor = cliActor();
      const run = await withEngine(configFrom(options), [], (_engine, _database, context) =>
        inDomainTransaction(context, { actor }, (unit) =>
          createPaymentRun(unit, bytes, { bankAccountId: options.account }, actor),
        ),
      ).catch(printFileIssues(file, 'payment_run_invalid'));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(run)}\n`);
        return;
      }
      const totals = run.totals.map((t) => `${t.amount} ${t.currency}`).join(', ');
      process.stdout.write(
        `${run.id}: ${run.paymentCount} payment(s) pending approval, total ${totals} (minor units)\n`,
      );
    });

  withDatabaseOptions(payments.command('import-payables'))
    .description(
      'record the supplier invoices of a CSV file as payables: the same as POST /payables/import — every line ' +
        'checked first, then all lines become payables pending approval in one transaction, or none does',
    )
    .argument(
      '<file>',
      'the CSV file (header: beneficiaryId, invoiceNumber, amount, dueDate, … — see docs/payments.md, Payables)',
    )
    .option('--json', 'print the payables as JSON')
    .action(async (file: string, options: DbOptions & { json?: boolean }) => {
      const bytes = await readCsvFile(file);
      const actor = cliActor();
      const result = await withEngine(configFrom(options), [], (_engine, _database, context) =>
        inDomainTransaction(context, { actor }, (unit) => importPayables(unit, bytes, actor)),
      ).catch(printFileIssues(file, 'payable_file_invalid'));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        return;
      }
      process.stdout.write(`${result.count} payable(s) recorded, pending approval\n`);
      printTable(
        result.payables.map((p) => ({
          id: p.id,
          beneficiary: p.beneficiaryId,
          invoice: p.invoiceNumber,
          amount: `${p.amount} ${p.currency}`,
          due: p.dueDate,
          discount: p.discount ? `${p.discount.payAmount} by ${p.discount.date}` : '-',
        })),
      );
    });

  withDatabaseOptions(payments.command('release'))
    .description(
      'release a batch: validate its file against its XSD again and write it to <data dir>/bank-outbox/<account>/ ' +
        '(once: releasing a released batch shows it as it is)',
    )
    .argument('<id>', 'the batch id (pbt_…)')
    .option('--json', 'print the batch as JSON')
    .action(async (id: string, options: DbOptions & { json?: boolean }) => {
      const actor = cliActor();
      const batch = await withEngine(configFrom(options), [], (_engine, _database, context) =>
        releaseBatch(context, { actor, requestId: null, by: actor }, id, defaultDelivery(context)),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(batch)}\n`);
        return;
      }
      process.stdout.write(
        `${batch.id} ${batch.status} by ${batch.releasedBy ?? '-'} at ${batch.releasedAt ?? '-'}: ` +
          `${batch.numberOfTransactions} payment(s), ${batch.controlSum} ${batch.currency}\n` +
          `file ${batch.deliveryLocation ?? batch.fileName}\n`,
      );
    });
}

async function readCsvFile(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (cause) {
    throw new AppError('file_unreadable', 400, `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
}

/** Every problem of a refused file, one per line, before the summary the CLI prints for any refusal. */
const printFileIssues =
  (file: string, code: string) =>
  (error: unknown): never => {
    if (error instanceof AppError && error.code === code) {
      for (const issue of (error.details?.issues ?? []) as RunIssue[]) {
        const where = [issue.line === null ? null : `line ${issue.line}`, issue.column && `column ${issue.column}`];
        process.stderr.write(`${file}: ${where.filter(Boolean).join(', ') || 'file'}: ${issue.message}\n`);
      }
    }
    throw error;
  };

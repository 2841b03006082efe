import { accessSync, constants } from 'node:fs';
import { Argument, Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { checkFile, type ImportProgress } from '../../domains/sync/import/check-file.js';
import { importFile } from '../../domains/sync/import/import-file.js';
import { formatIssue } from '../../domains/sync/import/import-issue.js';
import { checkReport, type ImportReport } from '../../domains/sync/import/import-report.js';
import { IMPORT_KINDS, type ImportKind, type ImportMapping } from '../../domains/sync/import/mapping/mapping-types.js';
import { loadMapping } from '../../domains/sync/import/mapping/parse-mapping.js';
import { MAX_SYNC_ROWS, syncRows, type SyncMode } from '../../domains/sync/sync-service.js';
import { configFrom, withDatabaseOptions, withEngine } from '../context.js';
import { cliActor, EXIT } from '../output.js';
import { formatIssues } from './workflow.js';
import { importStatementCommand } from './import-statement.js';
import { importStatusReportCommand } from './import-status-report.js';

interface ImportOptions {
  dataDir?: string;
  databaseUrl?: string;
  mapping?: string;
  mode: 'all-or-nothing' | 'per-row';
  dryRun?: boolean;
  maxErrors: number;
  json?: boolean;
}

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new AppError('invalid_option', 400, `--max-errors must be a whole number ≥ 1`);
  return n;
};

/** The mapping, or its problems as `MAP:LINE field: message` on stderr and exit 2. */
function readMapping(file: string, kind: ImportKind): ImportMapping {
  try {
    return loadMapping(file, kind);
  } catch (error) {
    if (error instanceof AppError && error.code === 'validation_failed' && error.issues.length > 0) {
      process.stderr.write(formatIssues(file, error.issues));
      throw new AppError('validation_failed', 400, `the mapping ${file} is invalid; nothing imported`);
    }
    throw error;
  }
}

/** A progress bar on stderr for a terminal: the check (by bytes), then the import (by rows). */
function progressBar(): { update(progress: ImportProgress): void; stop(): void } {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: '{phase} [{bar}] {percentage}% {detail}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let phase: ImportProgress['phase'] | undefined;
  const size = (bytes: number, unit: number) => (bytes / unit).toFixed(unit === 1e3 ? 0 : 1);
  const detail = (p: ImportProgress) => {
    if (p.phase === 'import') return `${p.done}/${p.total} rows`;
    const [unit, name] = p.total >= 1e6 ? [1e6, 'MB'] : [1e3, 'kB'];
    return `${size(p.done, unit)}/${size(p.total, unit)} ${name}`;
  };
  return {
    update(p) {
      const payload = { phase: p.phase === 'check' ? 'checking ' : 'importing', detail: detail(p) };
      if (p.phase !== phase) {
        if (phase) bar.stop();
        phase = p.phase;
        bar.start(Math.max(p.total, 1), p.done, payload);
      } else {
        bar.update(p.done, payload);
      }
    },
    stop() {
      if (phase) bar.stop();
    },
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function printReport(report: ImportReport, maxErrors: number): void {
  for (const issue of report.issues.slice(0, maxErrors)) process.stdout.write(`${formatIssue(issue)}\n`);
  const more = report.issueCount - Math.min(report.issues.length, maxErrors);
  if (more > 0) process.stdout.write(`… and ${plural(more, 'more error')}\n`);
  if (report.uncheckedFromLine !== null) {
    process.stdout.write(`rows from line ${report.uncheckedFromLine} on were not checked\n`);
  }
  const { created, updated, unchanged, failed } = report.counts;
  const speed = `${plural(report.rows, 'row')} in ${report.seconds.toFixed(1)} s, ${Math.round(report.rowsPerSecond)} rows/s`;
  if (report.stage === 'check') {
    process.stderr.write(
      `finflow: ${plural(report.issueCount, 'error')} in ${report.file} (${plural(report.rows, 'row')} read); nothing imported\n`,
    );
  } else if (report.dryRun) {
    process.stdout.write(
      `dry run of ${report.file}: ${created} created, ${updated} updated, ${unchanged} unchanged, ${failed} failed ` +
        `(${speed}); rolled back, nothing was written\n`,
    );
    if (report.issueCount > 0) process.stderr.write(`finflow: ${plural(failed, 'row')} would be refused\n`);
  } else if (!report.committed) {
    process.stderr.write(
      `finflow: ${plural(failed, 'row')} of ${report.file} refused; nothing imported (all or nothing; ` +
        `--mode per-row imports the others)\n`,
    );
  } else {
    process.stdout.write(
      `imported ${report.kind} from ${report.file}: ${created} created, ${updated} updated, ` +
        `${unchanged} unchanged, ${failed} failed (${speed})\n`,
    );
    if (failed > 0) {
      process.stderr.write(
        `finflow: ${plural(failed, 'row')} refused; the other ${report.rows - failed} were imported\n`,
      );
    }
  }
}

export function registerImportCommand(program: Command): void {
  withDatabaseOptions(program.command('import'))
    .description(
      'import customers, receivables or payments from a CSV or fixed-width file through a mapping, ' +
        'a bank statement (camt.052/053/054, MT940; docs/treasury.md) or a payment status report (pain.002)',
    )
    .addArgument(new Argument('<kind>', 'what the file holds').choices([...IMPORT_KINDS, 'statement', 'status-report']))
    .argument('<file>', 'the CSV or fixed-width file, or the statement or status report file')
    .option('--mapping <file>', 'the mapping document (YAML or JSON; see docs/import.md); not for bank files')
    .addOption(
      new Option('--mode <mode>', 'all-or-nothing: one refused row imports nothing; per-row: import the good rows')
        .choices(['all-or-nothing', 'per-row'])
        .default('all-or-nothing'),
    )
    .option('--dry-run', 'check every row, against the database too, then roll everything back')
    .option('--max-errors <n>', 'errors to print (the JSON report holds as many)', positiveInt, 50)
    .option('--json', 'print the report as one JSON object')
    .action(async (kind: ImportKind | 'statement' | 'status-report', file: string, options: ImportOptions) => {
      if (kind === 'statement') return importStatementCommand(file, options);
      if (kind === 'status-report') return importStatusReportCommand(file, options);
      if (!options.mapping) {
        throw new AppError('invalid_option', 400, `--mapping <file> is required to import ${kind}`, {
          field: '--mapping',
        });
      }
      const mapping = readMapping(options.mapping, kind);
      try {
        accessSync(file, constants.R_OK);
      } catch (cause) {
        throw new AppError('file_unreadable', 400, `cannot read ${file}: ${(cause as Error).message}`, { cause });
      }
      const mode: SyncMode = options.mode === 'per-row' ? 'per_row' : 'all_or_nothing';
      const requestId = newId('imp');
      const settings = { mode, dryRun: options.dryRun ?? false, requestId };
      const bar = !options.json && process.stderr.isTTY ? progressBar() : undefined;
      const onProgress = bar ? (p: ImportProgress) => bar.update(p) : undefined;
      let report: ImportReport;
      try {
        // The whole file is checked before the database is opened: a bad row imports nothing.
        const checked = await checkFile(file, mapping, {
          maxIssues: options.maxErrors,
          ...(onProgress ? { onProgress } : {}),
        });
        report =
          checked.issueCount > 0
            ? checkReport(mapping, file, settings, checked)
            : await withEngine(configFrom(options), [], (engine, database) =>
                importFile({ database, clock: engine.services.clock, engine }, file, mapping, {
                  ...settings,
                  actor: cliActor(),
                  batchSize: MAX_SYNC_ROWS,
                  maxIssues: options.maxErrors,
                  checked,
                  sync: syncRows,
                  ...(onProgress ? { onProgress } : {}),
                }),
              );
      } finally {
        bar?.stop();
      }
      if (options.json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else printReport(report, options.maxErrors);
      if (report.issueCount > 0) process.exitCode = EXIT.checkFailed;
    });
}

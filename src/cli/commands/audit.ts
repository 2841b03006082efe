import type { Command } from 'commander';
import { verifyAuditChain } from '../../storage/audit/audit-verify.js';
import { configFrom, withDatabase, withDatabaseOptions } from '../context.js';
import { EXIT, progress } from '../output.js';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('inspect the tamper-evident audit log');

  withDatabaseOptions(audit.command('verify'))
    .description('walk the hash chain; exit 1 and name the first bad row if anything was altered, removed or reordered')
    .option('--json', 'print the result as JSON')
    .action(async (options: { dataDir?: string; databaseUrl?: string; json?: boolean }) => {
      const bar = progress('verifying audit chain');
      const result = await withDatabase(configFrom(options), (database) =>
        verifyAuditChain(database.db, (done, total) => bar.update(done, total)),
      );
      bar.end();
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
        );
      } else if (result.ok) {
        process.stdout.write(`audit chain ok: ${result.rowsChecked} rows, head ${result.headSeq} ${result.headHash}\n`);
      } else {
        process.stdout.write(`audit chain TAMPERED: ${result.problem!.message}\n`);
      }
      process.exitCode = result.ok ? EXIT.ok : EXIT.checkFailed;
    });
}

import type { Command } from 'commander';
import { verifyAuditChain, type AuditVerifyResult } from '../../storage/audit/audit-verify.js';
import { configFrom, withDatabase, withDatabaseOptions } from '../context.js';
import { EXIT, progress } from '../output.js';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('inspect the tamper-evident audit log');

  withDatabaseOptions(audit.command('verify'))
    .description('walk the hash chain; exit 1 and name the first bad row if anything was altered, removed or reordered')
    .option('--json', 'print the result as JSON')
    .option('--seal', 'first seal rows committed but not yet linked into the chain (what a running finflow does)')
    .action(async (options: { dataDir?: string; databaseUrl?: string; json?: boolean; seal?: boolean }) => {
      const bar = progress('verifying audit chain');
      const result = await withDatabase(configFrom(options), async (database) => {
        if (options.seal) await database.auditSealer.sealNow();
        return verifyAuditChain(database.db, (done, total) => bar.update(done, total));
      });
      bar.end();
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
        );
      } else if (result.ok) {
        process.stdout.write(
          `audit chain ok: ${result.rowsChecked} rows, head ${result.headSeq} ${result.headHash}${unsealedNote(result)}\n`,
        );
      } else {
        process.stdout.write(`audit chain TAMPERED: ${result.problem!.message}\n`);
      }
      process.exitCode = result.ok ? EXIT.ok : EXIT.checkFailed;
    });

  withDatabaseOptions(audit.command('seal'))
    .description(
      'link audit rows committed but not yet sealed into the hash chain (a running finflow does this after every commit; this is for rows a killed process left)',
    )
    .action(async (options: { dataDir?: string; databaseUrl?: string }) => {
      const sealed = await withDatabase(configFrom(options), (database) => database.auditSealer.sealNow());
      process.stdout.write(`audit rows sealed: ${sealed}\n`);
    });
}

function unsealedNote(result: AuditVerifyResult): string {
  if (result.unsealedRows === 0) return '';
  return (
    `; ${result.unsealedRows} row(s) committed since ${result.oldestUnsealedAt!.toISOString()} not yet sealed ` +
    '(not covered until sealed: a running finflow seals them, or `finflow audit seal`)'
  );
}

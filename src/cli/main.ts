#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { VERSION } from '../core/version.js';
import { registerApiKeyCommands } from './commands/apikey.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerCreditCommands } from './commands/credit.js';
import { registerEventCommands } from './commands/event.js';
import { registerImportCommand } from './commands/import.js';
import { registerInstanceCommands } from './commands/instance.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerPaymentCommands } from './commands/payments.js';
import { registerServeCommand } from './commands/serve.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerUserCommands } from './commands/user.js';
import { registerWorkflowCommands } from './commands/workflow.js';
import { EXIT, reportError } from './output.js';

const program = new Command()
  .name('finflow')
  .description('Workflow automation for credit, collections and payments')
  .version(VERSION)
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerServeCommand(program);
registerMigrateCommand(program);
registerApiKeyCommands(program);
registerAuditCommands(program);
registerUserCommands(program);
registerWorkflowCommands(program);
registerInstanceCommands(program);
registerEventCommands(program);
registerWorkerCommand(program);
registerImportCommand(program);
registerCreditCommands(program);
registerPaymentCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; usage mistakes with EXIT.usage.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    process.exitCode = reportError(error);
  }
}

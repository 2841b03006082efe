import type { Command } from 'commander';
import { createApiKey, listApiKeys, revokeApiKey } from '../../auth/api-keys.js';
import { ROLES } from '../../auth/roles.js';
import { configFrom, withDatabase, withDatabaseOptions } from '../context.js';
import { cliActor, printTable } from '../output.js';

type DbOptions = { dataDir?: string; databaseUrl?: string };

export function registerApiKeyCommands(program: Command): void {
  const apikey = program.command('apikey').description('manage API keys');

  withDatabaseOptions(apikey.command('create'))
    .description('create an API key and print its token (shown once)')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .requiredOption('--name <name>', 'what the key is for, e.g. "core banking sync"')
    .option('--owner <user>', 'a user (id or email) the key acts for; without it, a system key')
    .option('--json', 'print the key as JSON')
    .action(async (options: DbOptions & { role: string; name: string; owner?: string; json?: boolean }) => {
      const key = await withDatabase(configFrom(options), (database) =>
        createApiKey(database, { name: options.name, role: options.role, owner: options.owner, actor: cliActor() }),
      );
      if (options.json) {
        process.stdout.write(`${JSON.stringify(key)}\n`);
      } else {
        process.stderr.write(`created ${key.id} (${key.role}, "${key.name}"); the token is shown once:\n`);
        process.stdout.write(`${key.token}\n`);
      }
    });

  withDatabaseOptions(apikey.command('list'))
    .description('list API keys (never their tokens)')
    .option('--json', 'print as JSON')
    .action(async (options: DbOptions & { json?: boolean }) => {
      const keys = await withDatabase(configFrom(options), listApiKeys);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(keys)}\n`);
        return;
      }
      printTable(
        keys.map((k) => ({
          id: k.id,
          name: k.name,
          role: k.role,
          owner: k.owner ?? 'system',
          created: k.createdAt.toISOString(),
          lastUsed: k.lastUsedAt?.toISOString() ?? '-',
          status: k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active',
        })),
      );
    });

  withDatabaseOptions(apikey.command('revoke'))
    .description('revoke an API key; requests with it are refused from then on')
    .argument('<id>', 'the key id (key_…)')
    .option('--reason <text>', 'why, recorded in the audit log')
    .action(async (id: string, options: DbOptions & { reason?: string }) => {
      const key = await withDatabase(configFrom(options), (database) =>
        revokeApiKey(database, { id, actor: cliActor(), reason: options.reason }),
      );
      process.stdout.write(`revoked ${key.id} (${key.name})\n`);
    });
}

import type { Command } from 'commander';
import { ROLES } from '../../auth/roles.js';
import {
  createUser,
  disableUser,
  resetMfa,
  listUsers,
  resetPassword,
  setRoles,
  type User,
  type UserWithOneTimePassword,
} from '../../auth/users.js';
import { configFrom, withDatabase, withDatabaseOptions } from '../context.js';
import { cliActor, printTable } from '../output.js';

type DbOptions = { dataDir?: string; databaseUrl?: string };

const roleList = (text: string): string[] =>
  text
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);

/** The one-time password goes to stdout alone (to pipe it on); what it is for goes to stderr. */
function handOver(user: UserWithOneTimePassword, what: string, json: boolean | undefined): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(user)}\n`);
    return;
  }
  process.stderr.write(
    `${what} ${user.id} (${user.email}, roles ${user.roles.join(', ')}); one-time password, shown once — ` +
      'they must choose their own at first sign-in:\n',
  );
  process.stdout.write(`${user.oneTimePassword}\n`);
}

const describeUser = (u: User) => `${u.id} ${u.email} (${u.status}, roles ${u.roles.join(', ')})`;

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('manage the people who sign in');

  withDatabaseOptions(user.command('create'))
    .description('create a user and print a one-time password (shown once)')
    .requiredOption('--email <email>', 'their email: the sign-in name')
    .requiredOption('--name <name>', 'their full name')
    .requiredOption('--roles <roles>', `comma-separated, of ${ROLES.join(', ')}`)
    .option('--locale <locale>', 'en, es or zh-CN (default en)')
    .option('--time-zone <zone>', 'IANA time zone, e.g. Europe/Madrid (default UTC)')
    .option('--json', 'print the user (and the one-time password) as JSON')
    .action(
      async (
        options: DbOptions & {
          email: string;
          name: string;
          roles: string;
          locale?: string;
          timeZone?: string;
          json?: boolean;
        },
      ) => {
        const created = await withDatabase(configFrom(options), (database) =>
          createUser(database, {
            email: options.email,
            name: options.name,
            roles: roleList(options.roles),
            locale: options.locale,
            timeZone: options.timeZone,
            actor: cliActor(),
          }),
        );
        handOver(created, 'created', options.json);
      },
    );

  withDatabaseOptions(user.command('list'))
    .description('list users and their roles (never passwords)')
    .option('--json', 'print as JSON')
    .action(async (options: DbOptions & { json?: boolean }) => {
      const users = await withDatabase(configFrom(options), (database) => listUsers(database.db));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(users)}\n`);
        return;
      }
      printTable(
        users.map((u) => ({
          id: u.id,
          email: u.email,
          name: u.name,
          roles: u.roles.join(','),
          status: u.status,
          locale: u.locale,
          timeZone: u.timeZone,
        })),
      );
    });

  for (const [name, description, act, done] of [
    ['disable', 'disable a user: they can no longer sign in; their sessions and keys stop', disableUser, 'disabled'],
    [
      'reset-mfa',
      "remove a user's second factor (a lost phone): they enroll again at their next sign-in",
      resetMfa,
      'reset the second factor of',
    ],
  ] as const) {
    withDatabaseOptions(user.command(name))
      .description(description)
      .argument('<user>', 'id (usr_…) or email')
      .option('--reason <text>', 'why, recorded in the audit log')
      .action(async (who: string, options: DbOptions & { reason?: string }) => {
        const changed = await withDatabase(configFrom(options), (database) =>
          act(database, { user: who, actor: cliActor(), reason: options.reason }),
        );
        process.stdout.write(`${done} ${describeUser(changed)}\n`);
      });
  }

  withDatabaseOptions(user.command('reset-password'))
    .description('give a user a new one-time password (shown once); the old one stops working')
    .argument('<user>', 'id (usr_…) or email')
    .option('--json', 'print the user (and the one-time password) as JSON')
    .action(async (who: string, options: DbOptions & { json?: boolean }) => {
      const reset = await withDatabase(configFrom(options), (database) =>
        resetPassword(database, { user: who, actor: cliActor() }),
      );
      handOver(reset, 'reset', options.json);
    });

  withDatabaseOptions(user.command('roles'))
    .description("replace a user's roles")
    .argument('<user>', 'id (usr_…) or email')
    .requiredOption('--set <roles>', `comma-separated, of ${ROLES.join(', ')}`)
    .action(async (who: string, options: DbOptions & { set: string }) => {
      const updated = await withDatabase(configFrom(options), (database) =>
        setRoles(database, { user: who, roles: roleList(options.set), actor: cliActor() }),
      );
      process.stdout.write(`${describeUser(updated)}\n`);
    });
}

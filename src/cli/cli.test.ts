import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../storage/database.js';
import { finflowCommand, runFinflow } from '../testing/run-cli.js';
import { createPostgresDatabase, onPostgres, testTmpDir } from '../testing/test-database.js';

const finflow = (args: string[], env: Record<string, string>) => runFinflow(args, env);

describe('finflow CLI', () => {
  let env: Record<string, string>;
  let databaseOptions: { databaseUrl: string } | { dataDir: string };
  before(async () => {
    const adminUrl = process.env.FINFLOW_TEST_PG_URL;
    if (adminUrl) {
      const databaseUrl = await createPostgresDatabase(adminUrl);
      env = { DATABASE_URL: databaseUrl, FINFLOW_LOG_LEVEL: 'info' };
      databaseOptions = { databaseUrl };
    } else {
      const dataDir = path.join(testTmpDir(), 'data');
      env = { FINFLOW_DATA_DIR: dataDir, FINFLOW_LOG_LEVEL: 'info' };
      databaseOptions = { dataDir };
    }
  });

  test('--help lists the commands and exits 0; an unknown command exits 2', async () => {
    const help = await finflow(['--help'], env);
    assert.equal(help.code, 0);
    for (const command of ['serve', 'migrate', 'apikey', 'audit']) assert.match(help.stdout, new RegExp(command));
    const bad = await finflow(['frobnicate'], env);
    assert.equal(bad.code, 2);
  });

  test('migrate applies once, then reports nothing to do', async () => {
    const first = await finflow(['migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied 0001_foundation\.sql/);
    const second = await finflow(['migrate'], env);
    assert.match(second.stdout, /0 migration\(s\) applied/);
  });

  test('apikey create prints a token; list shows it without the secret; revoke revokes; bad role exits 2', async () => {
    const created = await finflow(['apikey', 'create', '--role', 'operator', '--name', 'batch import', '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { id: string; token: string };
    assert.match(key.token, /^ff_key_/);

    const list = await finflow(['apikey', 'list'], env);
    assert.match(list.stdout, new RegExp(`${key.id}\\s+batch import\\s+operator`));
    assert.equal(list.stdout.includes(key.token), false);

    const revoked = await finflow(['apikey', 'revoke', key.id, '--reason', 'test'], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match((await finflow(['apikey', 'list'], env)).stdout, /revoked/);

    const bad = await finflow(['apikey', 'create', '--role', 'root', '--name', 'x'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /role must be one of admin, operator, viewer/);
  });

  test('user create prints a one-time password; list, roles, reset-password and disable; bad input exits 2', async () => {
    const created = await finflow(
      [
        'user',
        'create',
        '--email',
        'Carla@Example.com',
        '--name',
        'Carla Credit',
        '--roles',
        'operator',
        '--locale',
        'es',
      ],
      env,
    );
    assert.equal(created.code, 0, created.stderr);
    const password = created.stdout.trim();
    assert.match(password, /^[a-zA-Z2-9]{5}(-[a-zA-Z2-9]{5}){3}$/);
    assert.match(created.stderr, /created usr_[0-9A-Z]{26} \(carla@example\.com, roles operator\)/);

    const list = await finflow(['user', 'list'], env);
    assert.match(list.stdout, /carla@example\.com\s+Carla Credit\s+operator\s+active\s+es/);
    assert.ok(!list.stdout.includes(password), 'no password in the listing');

    const roles = await finflow(['user', 'roles', 'carla@example.com', '--set', 'operator,viewer'], env);
    assert.match(roles.stdout, /roles operator, viewer/);
    // A key of her own: only a role she holds; the listing names its owner.
    const tooMuch = await finflow(
      ['apikey', 'create', '--role', 'admin', '--name', 'carla-admin', '--owner', 'carla@example.com'],
      env,
    );
    assert.equal(tooMuch.code, 2);
    assert.match(tooMuch.stderr, /does not hold the role admin/);
    const own = await finflow(
      ['apikey', 'create', '--role', 'viewer', '--name', 'carla-reports', '--owner', 'carla@example.com', '--json'],
      env,
    );
    assert.equal(own.code, 0, own.stderr);
    assert.match((JSON.parse(own.stdout) as { owner: string }).owner, /^usr_/);
    assert.match((await finflow(['apikey', 'list'], env)).stdout, /carla-reports\s+viewer\s+usr_/);
    const reset = await finflow(['user', 'reset-password', 'carla@example.com', '--json'], env);
    const again = JSON.parse(reset.stdout) as { oneTimePassword: string; mustChangePassword: boolean };
    assert.notEqual(again.oneTimePassword, password);
    assert.equal(again.mustChangePassword, true);
    const mfa = await finflow(['user', 'reset-mfa', 'carla@example.com', '--reason', 'lost phone'], env);
    assert.match(mfa.stdout, /reset the second factor of usr_\S+ carla@example\.com/);
    const disabled = await finflow(['user', 'disable', 'carla@example.com', '--reason', 'test'], env);
    assert.match(disabled.stdout, /disabled usr_\S+ carla@example\.com \(disabled/);

    const bad = await finflow(['user', 'create', '--email', 'x', '--name', 'X', '--roles', 'root'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /email: must be an email address|2 fields are invalid/);
    const taken = await finflow(
      ['user', 'create', '--email', 'carla@example.com', '--name', 'C', '--roles', 'viewer'],
      env,
    );
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /exists/);
  });

  test('audit verify reports rows a killed process left unsealed; audit seal seals them', async () => {
    const database = await openDatabase(databaseOptions);
    await database.auditSealer.close(); // this process seals no more, as if it were killed after its commit
    await database.db
      .insertInto('audit_log')
      .values({
        id: 'aud_left_unsealed',
        occurred_at: new Date(),
        actor: 'test',
        action: 'probe',
        entity_type: 'probe',
        entity_id: 'p1',
      })
      .execute();
    await database.close();

    const before = await finflow(['audit', 'verify'], env);
    assert.equal(before.code, 0, before.stderr);
    assert.match(before.stdout, /audit chain ok: \d+ rows, .*; 1 row\(s\) committed since .* not yet sealed/);
    const json = JSON.parse((await finflow(['audit', 'verify', '--json'], env)).stdout) as { unsealedRows: number };
    assert.equal(json.unsealedRows, 1);

    const sealed = await finflow(['audit', 'seal'], env);
    assert.equal(sealed.code, 0, sealed.stderr);
    assert.match(sealed.stdout, /audit rows sealed: 1/);
    const after = await finflow(['audit', 'verify'], env);
    assert.match(after.stdout, /audit chain ok: \d+ rows, head \d+ [0-9a-f]{64}\n$/);
  });

  test('audit verify exits 0 on an intact chain and 1 naming the row after tampering', async () => {
    const ok = await finflow(['audit', 'verify'], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /audit chain ok: \d+ rows/);

    const database = await openDatabase(databaseOptions);
    await database.transaction(async (tx) => {
      await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(tx);
      await sql`UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 1`.execute(tx);
      await sql`ALTER TABLE audit_log ENABLE TRIGGER USER`.execute(tx);
    });
    await database.close();

    const tampered = await finflow(['audit', 'verify'], env);
    assert.equal(tampered.code, 1);
    assert.match(tampered.stdout, /TAMPERED: row 1 \(aud_[0-9A-Z]+\) was altered/);
  });

  test('serve prints the URL and a one-time admin key, answers health, and exits 0 on SIGTERM', async () => {
    const serveEnv: Record<string, string> = {
      ...env,
      PORT: '0',
      ...(onPostgres() ? {} : { FINFLOW_DATA_DIR: path.join(testTmpDir(), 'serve-data') }),
    };
    if (onPostgres()) serveEnv.DATABASE_URL = await createPostgresDatabase(process.env.FINFLOW_TEST_PG_URL!);
    const child = spawn(process.execPath, [...finflowCommand(), 'serve'], {
      env: { ...process.env, ...serveEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const match = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    const health = await fetch(`${url}/api/v1/health`);
    assert.equal(health.status, 200);
    const token = /(ff_key_\S+)/.exec(stderr)?.[1];
    assert.ok(token, 'the first start prints an admin key');
    assert.equal(
      (await fetch(`${url}/api/v1/api-keys`, { headers: { authorization: `Bearer ${token}` } })).status,
      200,
    );
    if (!onPostgres()) {
      assert.match(stderr, /fsync off/);
      // The embedded data folder belongs to the server while it runs.
      const busy = await finflow(['apikey', 'list'], serveEnv);
      assert.equal(busy.code, 3);
      assert.match(busy.stderr, /in use by finflow process/);
    }

    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(stdout, /shutdown complete/);
  });
});

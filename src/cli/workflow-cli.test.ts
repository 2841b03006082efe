import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { cliTestEnv, finflowCommand, runFinflow } from '../testing/run-cli.js';
import { onPostgres, testTmpDir } from '../testing/test-database.js';

const finflow = (args: string[], env: Record<string, string>, cwd: string) => runFinflow(args, env, cwd);

const ORDER_FLOW = `key: order-flow
name: Order flow
triggers:
  - { event: order.placed, correlationKey: event.key }
steps:
  - id: note
    type: action
    action: crm.note
    with: { text: "order {{ input.ref }}" }
  - { id: paid, type: waitFor, event: order.paid, correlation: instance.correlationKey }
  - { id: done, type: end, outcome: paid }
`;

const BROKEN = `key: broken
name: Broken
steps:
  - id: first
    type: action
    action: nope.missing
  - id: second
    type: wiat
`;

/**
 * A plugin as a user writes it: a plain ES module outside the project (so it cannot import zod; an
 * action's `input` only needs `safeParse`).
 */
const PLUGIN = `
export function register({ actions }) {
  actions.register({
    name: 'crm.note',
    input: { safeParse: (value) => ({ success: true, data: value }) },
    run: async (input) => ({ noted: input.text }),
  });
}
`;

describe('finflow workflow, instance, event and worker commands', () => {
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    dir = testTmpDir();
    writeFileSync(path.join(dir, 'order-flow.yaml'), ORDER_FLOW);
    writeFileSync(path.join(dir, 'broken.yaml'), BROKEN);
    writeFileSync(path.join(dir, 'crm-plugin.mjs'), PLUGIN);
    writeFileSync(path.join(dir, 'not-a-plugin.mjs'), 'export const hello = 1;\n');
    writeFileSync(
      path.join(dir, 'ping.json'),
      JSON.stringify({ key: 'ping', name: 'Ping', steps: [{ id: 'done', type: 'end', outcome: 'pong' }] }),
    );
    env = await cliTestEnv(dir);
  });
  const run = (...args: string[]) => finflow(args, env, dir);

  test('validate needs no database: OK, or FILE:LINE field: message and exit 1; plugins add actions', async () => {
    const [good, bad, withoutPlugin, missing, invalidPlugin] = await Promise.all([
      run('workflow', 'validate', 'ping.json', '--plugin', 'crm-plugin.mjs', 'order-flow.yaml'),
      run('workflow', 'validate', 'broken.yaml'),
      run('workflow', 'validate', 'order-flow.yaml'),
      run('workflow', 'validate', '--plugin', './missing.mjs', 'ping.json'),
      run('workflow', 'validate', '--plugin', 'not-a-plugin.mjs', 'ping.json'),
    ]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /^ping\.json: OK \(ping, "Ping"\)$/m);
    assert.match(good.stdout, /^order-flow\.yaml: OK \(order-flow, "Order flow"\)$/m);

    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stdout, /^broken\.yaml:6 steps\.first\.action: unknown action "nope\.missing"/m);
    assert.match(bad.stdout, /^broken\.yaml:8 steps\.second\.type: /m);
    assert.match(bad.stderr, /1 of 1 file\(s\) invalid/);

    assert.equal(withoutPlugin.code, 1);
    assert.match(withoutPlugin.stdout, /^order-flow\.yaml:8 steps\.note\.action: unknown action "crm\.note"/m);

    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /plugin \.\/missing\.mjs not found/);
    assert.equal(invalidPlugin.code, 2);
    assert.match(invalidPlugin.stderr, /plugin not-a-plugin\.mjs does not export a register/);
  });

  test('actions lists every action with its description, input schema and the file that defines it', async () => {
    const [listed, json] = await Promise.all([
      run('workflow', 'actions', '--plugin', 'crm-plugin.mjs'),
      run('workflow', 'actions', '--plugin', 'crm-plugin.mjs', '--json'),
    ]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^ledger\.post {2}src\/domains\/ledger\/actions\.ts$/m);
    assert.match(listed.stdout, /^collections\.run_stage {2}src\/domains\/collections\/actions\.ts$/m);
    assert.match(listed.stdout, /^ {2}Runs a stage finflow carries out itself/m);
    assert.match(listed.stdout, /^crm\.note {2}\(plugin\)$/m);

    assert.equal(json.code, 0, json.stderr);
    const actions = JSON.parse(json.stdout) as Array<{
      name: string;
      description: string;
      source: string | null;
      input: { properties?: Record<string, unknown>; required?: string[] } | null;
    }>;
    const byName = new Map(actions.map((a) => [a.name, a]));
    assert.deepEqual(
      actions.map((a) => a.name),
      [...actions.map((a) => a.name)].sort(),
    );
    const expected: Record<string, string> = {
      'context.set': 'src/engine/builtin-actions.ts',
      'ledger.post': 'src/domains/ledger/actions.ts',
      'credit.decide': 'src/domains/credit/actions.ts',
      'receivables.charge_fee': 'src/domains/receivables/actions.ts',
      'collections.open_case': 'src/domains/collections/actions.ts',
      'email.send': 'src/domains/channels/email/email-action.ts',
      'http.request': 'src/domains/http-call/http-request-action.ts',
    };
    for (const [name, source] of Object.entries(expected)) assert.equal(byName.get(name)?.source, source, name);
    const open = byName.get('collections.open_case')!;
    assert.match(open.description, /^Opens the collection case of an overdue receivable/);
    assert.deepEqual(open.input?.required, ['receivable']);
    assert.ok(byName.get('ledger.post')?.input?.properties?.transfers, 'ledger.post takes transfers');
    // A hand-written plugin action: no file recorded, and its input is not a zod schema.
    assert.deepEqual(byName.get('crm.note'), { name: 'crm.note', description: '', input: null, source: null });
  });

  test('deploy, list, publish, run the worker and show the instance with its timeline', async () => {
    const refused = await run('workflow', 'deploy', 'ping.json', 'broken.yaml');
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^broken\.yaml:6 steps\.first\.action: /m);
    assert.match(refused.stderr, /nothing deployed/);

    const deployed = await run('workflow', 'deploy', '--plugin', 'crm-plugin.mjs', 'ping.json', 'order-flow.yaml');
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.match(deployed.stdout, /^deployed ping v1 \("Ping"\) from ping\.json$/m);
    assert.match(deployed.stdout, /^deployed order-flow v1 \("Order flow"\) from order-flow\.yaml$/m);

    // Refused before the database is opened, so it can run alongside.
    const badStatus = run('instance', 'list', '--status', 'sleeping');
    const list = await run('workflow', 'list');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^order-flow\s+1\s+Order flow\s+\S+\s+cli:tester$/m);
    assert.match(list.stdout, /^ping\s+1\s+Ping\s/m);

    const placed = await run('event', 'publish', 'order.placed', '--key', 'o-1', '--data', '{"ref": "A-1"}', '--json');
    assert.equal(placed.code, 0, placed.stderr);
    const published = JSON.parse(placed.stdout) as { started: Array<{ instanceId: string; workflow: string }> };
    assert.equal(published.started.length, 1);
    const id = published.started[0]!.instanceId;

    const ran = await run('worker', '--until-idle', '--plugin', 'crm-plugin.mjs');
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /worker idle: ran 1 instance turn/);

    const paid = await run('event', 'publish', 'order.paid', '--key', 'o-1');
    assert.equal(paid.code, 0, paid.stderr);
    assert.match(paid.stdout, new RegExp(`^resumed: ${id}$`, 'm'));
    assert.equal((await run('worker', '--until-idle', '--plugin', 'crm-plugin.mjs')).code, 0);

    const shown = await run('instance', 'show', id);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^instance\\s+${id}$`, 'm'));
    assert.match(shown.stdout, /^status\s+completed \(outcome paid\)$/m);
    assert.match(shown.stdout, /^started\s+\S+ by cli:tester$/m);
    assert.match(shown.stdout, /^SEQ\s+AT\s+STEP\s+TYPE\s+EVENT\s+ACTOR/m);
    assert.match(shown.stdout, /^1\s+\S+\s+-\s+-\s+instance\.started\s+cli:tester/m);
    assert.match(shown.stdout, /\snote\s+action\s+completed\s.*"noted":"order A-1"/);
    assert.match(shown.stdout, /\sinstance\.completed\s/);

    const listed = await run('instance', 'list', '--status', 'completed', '--workflow', 'order-flow');
    assert.match(listed.stdout, new RegExp(`^${id}\\s+order-flow v1\\s+completed\\s+paid\\s+o-1\\s`, 'm'));
    assert.equal((await badStatus).code, 2);
  });

  test('cancel, and cancelling again or retrying a finished instance exits 2 with the reason', async () => {
    // Bad input is refused before the database is opened, so these run alongside.
    const badType = run('event', 'publish', 'not a type');
    const badData = run('event', 'publish', 'a.b', '--data', '{nope');
    const placed = await run('event', 'publish', 'order.placed', '--key', 'o-2', '--json');
    const id = (JSON.parse(placed.stdout) as { started: Array<{ instanceId: string }> }).started[0]!.instanceId;
    const cancelled = await run('instance', 'cancel', id, '--reason', 'duplicate order');
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.equal(cancelled.stdout, `cancelled ${id}\n`);
    const again = await run('instance', 'cancel', id);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already cancelled/);
    const retry = await run('instance', 'retry', id, '--from-step', 'note');
    assert.equal(retry.code, 2);
    assert.match(retry.stderr, /only failed instances can be retried/);

    assert.equal((await badType).code, 2);
    const badJson = await badData;
    assert.equal(badJson.code, 2);
    assert.match(badJson.stderr, /--data must be JSON/);
  });

  test('worker runs until SIGTERM and stops cleanly; on PGlite other commands find the folder locked', async () => {
    const child = spawn(process.execPath, [...finflowCommand(), 'worker', '--plugin', 'crm-plugin.mjs'], {
      cwd: dir,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const running = new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('finflow worker running')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker exited early (${code}): ${stderr}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await running;
    // The plugin's action joins the built-in and domain ones.
    assert.match(
      stderr,
      /actions: [^;]*\bcontext\.set, [^;]*\bcrm\.note, [^;]*\bevent\.publish, [^;]*\bledger\.post\b/,
    );

    if (!onPostgres()) {
      const locked = await run('workflow', 'list');
      assert.equal(locked.code, 3);
      assert.match(locked.stderr, /is in use by finflow process/);
    }

    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /SIGTERM: stopping/);
    assert.match(stdout, /worker stopped: ran \d+ instance turn/);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { ActionRegistry } from '../../engine/actions.js';
import { Engine } from '../../engine/engine.js';
import { joinTransaction, openDatabase, type Database } from '../../storage/database.js';
import { migrate } from '../../storage/migrate.js';
import { verifyAuditChain } from '../../storage/audit/audit-verify.js';
import { register } from './crash-plugin.js';
import { startEffectReceiver, type EffectReceiver } from './effect-receiver.js';

/**
 * The crash test: real `finflow worker` processes run many instances of a workflow with actions,
 * a timer, parallel branches and an event wait, and are killed with SIGKILL at random moments while
 * they work, N times. At the end every instance must have completed and every action's two side
 * effects — a row written in the step's transaction, and a POST to an HTTP receiver — must exist
 * exactly once per step.
 */
export interface CrashTestOptions {
  crashes: number;
  /** Instances started per batch; more are added whenever the workers run out of work. */
  instances: number;
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  log?: (line: string) => void;
}

export interface CrashTestReport {
  crashes: number;
  instances: number;
  completed: number;
  effectRows: number;
  receiverEffects: number;
  receiverRequests: number;
  /** Requests the receiver saw again for a key it had applied: a worker died after the call, before its commit. */
  duplicatesAbsorbed: number;
  auditRows: number;
  problems: string[];
}

const ROOT = path.resolve(import.meta.dirname, '../../..');
const PLUGIN = path.join(import.meta.dirname, 'crash-plugin.ts');

const WORKFLOW = `
key: crash-test
name: Crash test
input: { type: object, required: [receiver], properties: { receiver: { type: string } } }
steps:
  - { id: first, type: action, action: crash.effect, with: { receiver: "{{ input.receiver }}", label: first } }
  - { id: nap, type: wait, duration: PT1S }
  - id: both
    type: parallel
    join: all
    branches:
      - id: listen
        steps:
          - { id: signal, type: waitFor, event: crash.signal, correlation: instance.id }
      - id: talk
        steps:
          - { id: send, type: action, action: event.publish, with: { type: crash.signal, key: "{{ instance.id }}" } }
  - { id: second, type: action, action: crash.effect, with: { receiver: "{{ input.receiver }}", label: second } }
  - { id: done, type: end, outcome: survived }
`;
const EFFECTS_PER_INSTANCE = 2;

export async function runCrashTest(options: CrashTestOptions): Promise<CrashTestReport> {
  const log = options.log ?? (() => {});
  const receiver = await startEffectReceiver();
  let started = 0;
  try {
    await withDatabase(options, async (database) => {
      await migrate(database);
      await sql`create table if not exists crash_effects (key text primary key, instance_id text not null, label text not null)`.execute(
        database.db,
      );
      const engine = engineFor(database);
      await engine.deploy({ source: WORKFLOW, actor: 'crash-test' });
    });
    started += await startBatch(options, receiver);

    for (let crash = 1; crash <= options.crashes; crash++) {
      // Keep work in flight: top up when the receiver has seen nearly every effect of what was started.
      if (receiver.applied.size >= started * EFFECTS_PER_INSTANCE * 0.8) started += await startBatch(options, receiver);
      const worker = spawnWorker(options);
      const before = receiver.requests;
      const working = await waitFor(() => receiver.requests > before || worker.exitCode !== null, 30_000);
      if (worker.exitCode !== null)
        throw new Error(`worker exited on its own (code ${worker.exitCode}):\n${tail(worker)}`);
      if (!working) log(`crash ${crash}: worker made no request in 30 s; killing anyway`);
      await sleep(Math.random() * 1000);
      worker.kill('SIGKILL');
      await exited(worker);
      if (crash % 10 === 0 || crash === options.crashes) {
        log(
          `crash ${crash}/${options.crashes}: ${receiver.applied.size}/${started * EFFECTS_PER_INSTANCE} effects, ${receiver.duplicates} repeats absorbed`,
        );
      }
    }

    // Let one worker finish everything, stop it gracefully, and check.
    for (let round = 0; round < 5; round++) {
      const worker = spawnWorker(options);
      await waitFor(() => receiver.applied.size >= started * EFFECTS_PER_INSTANCE, 120_000);
      await sleep(2_000);
      worker.kill('SIGTERM');
      await exited(worker);
      const report = await verify(options, receiver, started);
      if (report.problems.length === 0 || round === 4) return report;
      log(`final round ${round + 1}: ${report.problems.length} problems, running the worker again`);
    }
    throw new Error('unreachable');
  } finally {
    await receiver.close();
  }
}

function engineFor(database: Database): Engine {
  const actions = new ActionRegistry();
  register({ actions });
  return new Engine({ database, actions });
}

async function withDatabase<T>(options: CrashTestOptions, work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(
    options.databaseUrl ? { databaseUrl: options.databaseUrl } : { dataDir: options.dataDir! },
  );
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

async function startBatch(options: CrashTestOptions, receiver: EffectReceiver): Promise<number> {
  return withDatabase(options, async (database) => {
    const engine = engineFor(database);
    await database.transaction(async (tx) => {
      for (let i = 0; i < options.instances; i++) {
        await engine.start(
          { workflowKey: 'crash-test', input: { receiver: receiver.url }, actor: 'crash-test' },
          joinTransaction(database, tx),
        );
      }
    });
    return options.instances;
  });
}

function spawnWorker(options: CrashTestOptions): ChildProcess {
  const db = options.databaseUrl ? ['--database-url', options.databaseUrl] : ['--data-dir', options.dataDir!];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--plugin', PLUGIN, ...db], {
    cwd: ROOT,
    env: { ...process.env, FINFLOW_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 50) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  (child as ChildProcess & { output: string[] }).output = output;
  return child;
}

const tail = (child: ChildProcess): string =>
  ((child as ChildProcess & { output?: string[] }).output ?? []).join('').slice(-2000);

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await sleep(20);
  }
  return condition();
}

async function verify(options: CrashTestOptions, receiver: EffectReceiver, started: number): Promise<CrashTestReport> {
  return withDatabase(options, async (database) => {
    const problems: string[] = [];
    const instances = await database.db
      .selectFrom('wf_instances')
      .select(['id', 'status', 'outcome', 'error'])
      .where('workflow_key', '=', 'crash-test')
      .execute();
    const unfinished = instances.filter((i) => i.status !== 'completed' || i.outcome !== 'survived');
    for (const i of unfinished.slice(0, 5))
      problems.push(`instance ${i.id} is ${i.status} (${JSON.stringify(i.error)})`);
    if (unfinished.length > 5) problems.push(`…and ${unfinished.length - 5} more unfinished instances`);

    const rows = await sql<{
      key: string;
      instance_id: string;
      label: string;
    }>`select key, instance_id, label from crash_effects`.execute(database.db);
    const perInstance = new Map<string, string[]>();
    for (const row of rows.rows)
      perInstance.set(row.instance_id, [...(perInstance.get(row.instance_id) ?? []), row.label]);
    for (const i of instances) {
      const labels = (perInstance.get(i.id) ?? []).sort().join(',');
      if (labels !== 'first,second') problems.push(`instance ${i.id} has table effects [${labels}]`);
    }
    const tableKeys = new Set(rows.rows.map((r) => r.key));
    const receiverOnly = [...receiver.applied.keys()].filter((k) => !tableKeys.has(k));
    const tableOnly = [...tableKeys].filter((k) => !receiver.applied.has(k));
    if (receiverOnly.length)
      problems.push(
        `${receiverOnly.length} effects reached the receiver under keys no committed step used (e.g. ${receiverOnly[0]})`,
      );
    if (tableOnly.length)
      problems.push(`${tableOnly.length} committed effects never reached the receiver (e.g. ${tableOnly[0]})`);
    if (instances.length !== started) problems.push(`${instances.length} instances exist, ${started} were started`);

    // Rows a killed process committed but had not sealed yet are sealed now, as the next finflow start would.
    const unsealedAfterCrashes = (await verifyAuditChain(database.db)).unsealedRows;
    await database.auditSealer.sealNow();
    const audit = await verifyAuditChain(database.db);
    if (!audit.ok) problems.push(`audit chain broken: ${audit.problem?.message ?? 'unknown'}`);
    if (audit.unsealedRows > 0) problems.push(`${audit.unsealedRows} audit rows left unsealed after sealing`);
    return {
      crashes: options.crashes,
      instances: instances.length,
      completed: instances.length - unfinished.length,
      effectRows: rows.rows.length,
      receiverEffects: receiver.applied.size,
      receiverRequests: receiver.requests,
      duplicatesAbsorbed: receiver.duplicates,
      auditRows: audit.rowsChecked,
      unsealedAfterCrashes,
      problems: problems.slice(0, 20),
    };
  });
}

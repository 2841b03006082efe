// The HTTP API under load, at fixed offered rates, beside a bare route on the same database.
//
// 1. finflow: the real server, `finflow serve --no-demo` (src/cli/main.ts through tsx) in a child
//    process on 127.0.0.1, a random port, with its in-process engine worker, on a fresh database (a
//    PGlite data folder in a temp dir, or with --pg a fresh database on a throwaway PostgreSQL
//    server with default durability). The load generator (autocannon 9) runs in this process, so it
//    does not share the server's CPU time slice or event loop. The bootstrap admin key the server
//    prints on its first start authenticates every request.
//    Seeded (not timed): API_BENCH_CUSTOMERS customers (default 500) through POST /sync/customers.
//    The mixed load, one third each, in this order on every connection:
//      GET  /api/v1/customers/{externalId}   (a random seeded customer)
//      POST /api/v1/customers                (a new customer; its own Idempotency-Key)
//      POST /api/v1/events                   (type bench.ping, its own key; triggers no workflow)
// 2. bare: bench/api-bare-server.ts in a child process on the same database (after finflow has
//    stopped: a PGlite data folder has one owner), one INSERT per request of a row comparable to an
//    audited write (JSON payload, chained SHA-256, actor, timestamp).
// Each is driven at offered rates stepped up (API_BENCH_RATES, default 50,100,200,400,700,1000,1500
// req/s) for API_BENCH_SECONDS each (default 10) with autocannon's `overallRate` over
// max(10, rate / 20) connections (a connection has one request in flight; latencies corrected for
// coordinated omission). A rate is **held** when the achieved 2xx rate is ≥ 95 % of the offered
// rate, p99 < 50 ms, and there were no errors, timeouts or non-2xx answers. Stepping stops at the
// first rate not held. A 3 s warm-up at the lowest rate runs first.
// Each step also reports the server process's CPU time (user + system from /proc, PostgreSQL's own
// backends not included) per 2xx answer: on a shared machine that figure moves less than the rates.
// ratio = finflow's highest rate held ÷ bare's highest rate held. Afterwards the audit chain of the
// finflow database is verified (verifyAuditChain, as `finflow audit verify`) and the result printed.
//
//   node --import tsx bench/api.ts [--pg] [--rates 100,200,400] [--seconds 10] [--no-bare]
//   (npm run bench:api)
//
// Prints human lines, then as its very last stdout line one JSON object {"bench":"api",…}.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon, { type Result as AutocannonResult } from 'autocannon';
import { openDatabase } from '../src/storage/database.js';
import { verifyAuditChain } from '../src/storage/audit/audit-verify.js';
import { BENCH_PG_DURABILITY, freshPgDatabase, startBenchPgServer, type PgServer } from './pg-databases.js';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const usePg = flag('--pg') || process.env.FINFLOW_BENCH_PG === '1';
const RATES = (option('--rates') ?? process.env.API_BENCH_RATES ?? '50,100,200,400,700,1000,1500')
  .split(',')
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
const SECONDS = Number(option('--seconds') ?? process.env.API_BENCH_SECONDS ?? 10);
const CUSTOMERS = Number(process.env.API_BENCH_CUSTOMERS ?? 500);
const WARMUP_SECONDS = 3;
const HELD_SHARE = 0.95;
const P99_LIMIT_MS = 50;
const ROOT = path.resolve(import.meta.dirname, '..');

const round1 = (x: number): number => Math.round(x * 10) / 10;

interface Step {
  offered: number;
  /** CPU time of the server process (user + system, from /proc) per 2xx answer, in ms. */
  serverCpuMsPerRequest?: number;
  achieved: number;
  p50: number;
  p99: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  held: boolean;
  firstFailure?: string;
}

/** A child process started with node --import tsx; resolves once `ready` matches a stderr line. */
async function startChild(
  script: string,
  childArgs: string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; stderr: () => string; match: RegExpExecArray }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', ...(process.env.API_BENCH_NODE_ARGS?.split(' ') ?? []), script, ...childArgs],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in 120 s:\n${stderr}`)), 120_000);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = ready.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready:\n${stderr}`));
    });
  });
  child.removeAllListeners('exit');
  return { child, stderr: () => stderr, match };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

type RequestSpec = NonNullable<autocannon.Options['requests']>[number];

/** user + system CPU of a process in ms (Linux /proc; undefined elsewhere). */
function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in 1/100 s ticks
  } catch {
    return undefined;
  }
}

async function drive(
  url: string,
  rate: number,
  seconds: number,
  requests: RequestSpec[],
  headers: Record<string, string>,
): Promise<Step> {
  let firstFailure: string | undefined;
  const connections = Math.max(10, Math.min(100, Math.ceil(rate / 20)));
  const withCheck = requests.map((r) => ({
    ...r,
    onResponse: (status: number, body: string) => {
      if ((status < 200 || status > 299) && firstFailure === undefined)
        firstFailure = `${status} ${body.slice(0, 300)}`;
    },
  }));
  const cpuBefore = cpuMsOf(serverPid);
  const result: AutocannonResult = await autocannon({
    url,
    connections,
    overallRate: rate,
    duration: seconds,
    headers,
    requests: withCheck,
  });
  const ok = result['2xx'];
  const achieved = ok / Math.max(0.001, result.duration);
  const step: Step = {
    offered: rate,
    achieved: round1(achieved),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    held:
      achieved >= HELD_SHARE * rate &&
      result.latency.p99 < P99_LIMIT_MS &&
      result.errors === 0 &&
      result.timeouts === 0 &&
      result.non2xx === 0,
  };
  const cpuAfter = cpuMsOf(serverPid);
  if (cpuBefore !== undefined && cpuAfter !== undefined && ok > 0) {
    step.serverCpuMsPerRequest = Math.round(((cpuAfter - cpuBefore) / ok) * 100) / 100;
  }
  if (firstFailure) step.firstFailure = firstFailure;
  return step;
}

async function stepUp(
  label: string,
  url: string,
  requests: RequestSpec[],
  headers: Record<string, string>,
): Promise<Step[]> {
  await drive(url, RATES[0]!, WARMUP_SECONDS, requests, headers);
  const steps: Step[] = [];
  for (const rate of RATES) {
    const step = await drive(url, rate, SECONDS, requests, headers);
    steps.push(step);
    console.log(
      `  ${label.padEnd(8)} offered ${String(rate).padStart(5)} req/s → ${String(step.achieved).padStart(7)} req/s 2xx, ` +
        `p50 ${step.p50} ms, p99 ${step.p99} ms, server CPU ${step.serverCpuMsPerRequest ?? '–'} ms/req, errors ${step.errors}, timeouts ${step.timeouts}, non-2xx ${step.non2xx}` +
        `${step.held ? '  held' : '  NOT held'}${step.firstFailure ? ` (first failure: ${step.firstFailure})` : ''}`,
    );
    if (!step.held) break;
  }
  return steps;
}

/** The server process being measured (its CPU time is read per step). */
let serverPid: number | undefined;

const highestHeld = (steps: Step[]): Step | undefined => steps.filter((s) => s.held).at(-1);

async function main(): Promise<void> {
  let pgServer: PgServer | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  let tmp: string | undefined;
  const dbArgs: string[] = [];
  if (usePg) {
    pgServer = await startBenchPgServer();
    const fresh = await freshPgDatabase(pgServer.url, 'api');
    dropDb = fresh.drop;
    dbArgs.push('--database-url', fresh.url);
  } else {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'finflow-bench-api-'));
    dbArgs.push('--data-dir', path.join(tmp, 'data'));
  }
  const children: ChildProcess[] = [];
  try {
    console.log(
      `bench:api on ${usePg ? `PostgreSQL (${BENCH_PG_DURABILITY})` : 'PGlite (data folder in a temp dir)'}; ` +
        `rates ${RATES.join(', ')} req/s, ${SECONDS} s each; held = ≥ ${HELD_SHARE * 100} % achieved, p99 < ${P99_LIMIT_MS} ms, 0 errors`,
    );

    // --- finflow ---
    const finflow = await startChild(
      'src/cli/main.ts',
      ['serve', '--no-demo', '--port', '0', ...dbArgs],
      /finflow is running at (http:\/\/\S+)[\s\S]*?(ff_key_\S+)/,
      { FINFLOW_CONFIG: '', FINFLOW_LOG_LEVEL: process.env.FINFLOW_LOG_LEVEL ?? 'info' },
    );
    children.push(finflow.child);
    serverPid = finflow.child.pid;
    const base = finflow.match[1]!;
    const token = finflow.match[2]!;
    const auth = { authorization: `Bearer ${token}` };
    console.log(`  finflow server pid ${finflow.child.pid} at ${base}`);

    const seeded: string[] = [];
    for (let i = 0; i < CUSTOMERS; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, CUSTOMERS - i) }, (_, j) => ({
        externalId: `SEED-${String(i + j).padStart(6, '0')}`,
        name: `Seed Customer ${i + j}`,
        email: `seed${i + j}@example.com`,
        language: 'es',
        timeZone: 'Europe/Madrid',
      }));
      const res = await fetch(`${base}/api/v1/sync/customers`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ mode: 'all_or_nothing', rows }),
      });
      if (!res.ok) throw new Error(`seeding customers: ${res.status} ${await res.text()}`);
      seeded.push(...rows.map((r) => r.externalId));
    }
    console.log(`  seeded ${seeded.length} customers`);

    let serial = 0;
    const run = `${process.pid}-${Date.now().toString(36)}`;
    const mixed: RequestSpec[] = [
      {
        method: 'GET',
        setupRequest: (request) => ({
          ...request,
          method: 'GET',
          path: `/api/v1/customers/${seeded[Math.floor(Math.random() * seeded.length)]!}`,
        }),
      },
      {
        method: 'POST',
        setupRequest: (request) => {
          serial += 1;
          const externalId = `API-${run}-${serial}`;
          return {
            ...request,
            method: 'POST',
            path: '/api/v1/customers',
            headers: {
              ...request.headers,
              'content-type': 'application/json',
              'idempotency-key': `bench-${externalId}`,
            },
            body: JSON.stringify({
              externalId,
              name: 'Lucía Fernández',
              email: `${externalId.toLowerCase()}@example.com`,
              language: 'es',
              timeZone: 'Europe/Madrid',
              segment: 'retail',
            }),
          };
        },
      },
      {
        method: 'POST',
        setupRequest: (request) => {
          serial += 1;
          return {
            ...request,
            method: 'POST',
            path: '/api/v1/events',
            headers: { ...request.headers, 'content-type': 'application/json' },
            body: JSON.stringify({
              type: 'bench.ping',
              key: `EV-${run}-${serial}`,
              data: { amount: 125000, currency: 'EUR' },
            }),
          };
        },
      },
    ];
    const finflowSteps = await stepUp('finflow', base, mixed, auth);
    await stopChild(finflow.child);

    // --- bare ---
    let bareSteps: Step[] = [];
    if (!flag('--no-bare')) {
      const bare = await startChild('bench/api-bare-server.ts', dbArgs, /bare listening (http:\/\/\S+)/);
      children.push(bare.child);
      serverPid = bare.child.pid;
      const bareBody = JSON.stringify({
        action: 'customer.created',
        entityType: 'customer',
        entityId: 'cus_01JD5Z4K3W6Y8T1Q2R3S4V5X6Z',
        after: { externalId: 'API-1', name: 'Lucía Fernández', email: 'api-1@example.com', language: 'es' },
      });
      bareSteps = await stepUp(
        'bare',
        bare.match[1]!,
        [{ method: 'POST', path: '/bare', headers: { 'content-type': 'application/json' }, body: bareBody }],
        {},
      );
      await stopChild(bare.child);
    }

    // --- audit verify ---
    const database = await openDatabase(usePg ? { databaseUrl: dbArgs[1]! } : { dataDir: dbArgs[1]! });
    await database.auditSealer.sealNow();
    const verified = await verifyAuditChain(database.db);
    await database.close();
    console.log(
      verified.ok
        ? `  audit verify: ok, ${verified.rowsChecked} rows, head ${verified.headSeq}`
        : `  audit verify: FAILED: ${verified.problem?.message}`,
    );

    const held = highestHeld(finflowSteps);
    const bareHeld = highestHeld(bareSteps);
    const heldRate = held?.offered ?? 0;
    const bareRate = bareHeld?.offered ?? 0;
    console.log(
      `  finflow held ${heldRate} req/s (p99 ${held?.p99 ?? '–'} ms); bare held ${bareRate} req/s` +
        `${bareHeld ? ` (p99 ${bareHeld.p99} ms)` : ''}; ratio ${bareRate ? round1((heldRate / bareRate) * 100) / 100 : '–'}`,
    );
    const errors = finflowSteps.reduce((n, s) => n + s.errors + s.timeouts + s.non2xx, 0);
    console.log(
      JSON.stringify({
        bench: 'api',
        database: usePg ? 'postgres' : 'pglite',
        durability: usePg ? BENCH_PG_DURABILITY : 'pglite (fsync off)',
        secondsPerRate: SECONDS,
        reqPerSecHeld: heldRate,
        achievedAtHeld: held?.achieved ?? 0,
        p99Ms: held?.p99 ?? null,
        errors: held ? held.errors + held.timeouts + held.non2xx : errors,
        errorsAllSteps: errors,
        bareReqPerSecHeld: bareRate,
        bareP99Ms: bareHeld?.p99 ?? null,
        serverCpuMsPerRequest: held?.serverCpuMsPerRequest ?? finflowSteps[0]?.serverCpuMsPerRequest ?? null,
        bareServerCpuMsPerRequest: bareHeld?.serverCpuMsPerRequest ?? bareSteps[0]?.serverCpuMsPerRequest ?? null,
        auditVerify: verified.ok ? 'ok' : 'failed',
        auditRows: verified.rowsChecked,
        steps: finflowSteps,
        bareSteps,
        ratio: bareRate ? Math.round((heldRate / bareRate) * 1000) / 1000 : null,
      }),
    );
    if (!verified.ok) process.exitCode = 1;
  } finally {
    for (const child of children) await stopChild(child);
    await dropDb?.().catch(() => {});
    pgServer?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}

await main();

// `npm run test:crash -- --crashes N [--instances M] [--pg]`: the crash test for long runs.
// Kills real `finflow worker` processes with SIGKILL N times while they run workflows, then checks
// that every instance completed and every side effect happened exactly once. Without --pg it runs on
// embedded PGlite in a temp folder; with --pg on a throwaway PostgreSQL server (or DATABASE_URL).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runCrashTest } from '../src/testing/crash/crash-run.js';
import { startPgServer } from './pg-server.mjs';

const { values } = parseArgs({
  options: {
    crashes: { type: 'string', default: '20' },
    instances: { type: 'string', default: '50' },
    pg: { type: 'boolean', default: false },
  },
});
const crashes = Number(values.crashes);
const instances = Number(values.instances);
if (!Number.isInteger(crashes) || crashes < 1 || !Number.isInteger(instances) || instances < 1) {
  console.error('--crashes and --instances must be positive integers');
  process.exit(2);
}

const server = values.pg && !process.env.DATABASE_URL ? await startPgServer() : undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finflow-crash-'));
const started = Date.now();
try {
  const report = await runCrashTest({
    crashes,
    instances,
    databaseUrl: process.env.DATABASE_URL ?? server?.url,
    dataDir: path.join(dataDir, 'data'),
    log: (line) => console.log(line),
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(
    JSON.stringify({ ...report, database: values.pg || process.env.DATABASE_URL ? 'postgres' : 'pglite', seconds }),
  );
  process.exitCode = report.problems.length ? 1 : 0;
} finally {
  server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

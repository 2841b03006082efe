import { spawn } from 'node:child_process';
import path from 'node:path';
import { createPostgresDatabase } from './test-database.js';

const CLI_MAIN = path.resolve(import.meta.dirname, '../cli/main.ts');
/** tsx by absolute URL: commands may run in a temporary folder, where a bare `tsx` does not resolve. */
const TSX_LOADER = import.meta.resolve('tsx');
/** The CLI as `npm start` runs it: built to dist/ by `npm run build` (and by the test command). */
const BUILT_MAIN = path.resolve(import.meta.dirname, '../../dist/cli/main.js');

/**
 * The node arguments that start `finflow`: the built CLI when the test command has just built it
 * (scripts/test.mjs sets FINFLOW_TEST_CLI_BUILT=1) — what users run, and about twice as fast to
 * start as compiling every source file through tsx in each child — else the sources through tsx
 * (a test file run on its own with `node --test`).
 */
export function finflowCommand(): string[] {
  return process.env.FINFLOW_TEST_CLI_BUILT === '1' ? [BUILT_MAIN] : ['--import', TSX_LOADER, CLI_MAIN];
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real `finflow` CLI in a child process, as a user would (in `cwd`, so relative paths are theirs). */
export function runFinflow(args: string[], env: Record<string, string>, cwd?: string): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...finflowCommand(), ...args], {
      ...(cwd ? { cwd } : {}),
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * The environment a CLI test runs `finflow` with: a fresh database on the test PostgreSQL server
 * when the suite runs there, else an embedded data folder in `dir`.
 */
export async function cliTestEnv(dir: string): Promise<Record<string, string>> {
  const adminUrl = process.env.FINFLOW_TEST_PG_URL;
  return {
    USER: 'tester',
    FINFLOW_LOG_LEVEL: 'warn',
    ...(adminUrl
      ? { DATABASE_URL: await createPostgresDatabase(adminUrl) }
      : { FINFLOW_DATA_DIR: path.join(dir, 'data') }),
  };
}

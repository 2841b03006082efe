// `npm run test:fuzz -- --runs N [--route "POST /customers"] [--seed S] [--shard I/N] [--from K]`: the OpenAPI-driven fuzz
// suite (src/testing/fuzz/api-fuzz-suite.ts, every route unless --shard) with N cases per write route (reads get N/5), on embedded PGlite,
// or on PostgreSQL with FINFLOW_TEST_PG=1. `npm test` runs it with 200 cases per write route (CI: 100 on PostgreSQL).
import { spawn } from 'node:child_process';
import path from 'node:path';

const args = process.argv.slice(2);
const env = { ...process.env };
for (let i = 0; i < args.length; i++) {
  const value = args[i + 1];
  if (args[i] === '--runs' && /^\d+$/.test(value ?? '')) env.FINFLOW_FUZZ_RUNS = value;
  else if (args[i] === '--route' && value) env.FINFLOW_FUZZ_ROUTE = value;
  else if (args[i] === '--seed' && /^-?\d+$/.test(value ?? '')) env.FINFLOW_FUZZ_SEED = value;
  else if (args[i] === '--shard' && /^\d+\/\d+$/.test(value ?? '')) env.FINFLOW_FUZZ_SHARD = value;
  else if (args[i] === '--from' && /^\d+$/.test(value ?? '')) env.FINFLOW_FUZZ_FROM = value;
  else {
    console.error(
      `unknown or incomplete option ${args[i]}; use --runs N, --route TEXT, --seed S, --shard I/N, --from K`,
    );
    process.exit(2);
  }
  i++;
}
env.FINFLOW_FUZZ_SHARD ??= '0/1'; // one run over every route; npm test splits it in four files
const root = path.resolve(import.meta.dirname, '..');
const child = spawn(
  process.execPath,
  [path.join(root, 'scripts/test.mjs'), '--test-timeout=86400000', 'src/api/api-fuzz-1-of-4.test.ts'],
  { stdio: 'inherit', env, cwd: root },
);
// A signal is passed on, so that the test command stops its PostgreSQL server before exiting.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

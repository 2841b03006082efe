// One graphile-worker 0.17 runner process for bench/engine.ts (the job-queue yardstick): runs the
// no-op task `bench_noop` with the given settings until SIGTERM/SIGINT, then stops gracefully (its
// pending batched completions are flushed) and prints how many jobs it ran. Prints "ready" on stdout
// once the runner has started (schema migrated, LISTEN in place). Logs only warnings and errors.
//
//   node --import tsx bench/graphile-worker.ts --database-url URL [--concurrent-jobs 10]
//        [--local-queue-size 500] [--complete-job-batch-delay 0]
import { Logger, run, type Task } from 'graphile-worker';

const TASK = 'bench_noop'; // bench/graphile-bench.ts enqueues jobs for this identifier

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function intOption(name: string, fallback: number, min: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got ${raw}`);
  return n;
}

const quiet = new Logger(() => (level, message) => {
  const name = String(level); // LogLevel is a const enum: compare its string values
  if (name === 'error' || name === 'warning') process.stderr.write(`graphile-worker ${name}: ${message}\n`);
});

async function main(): Promise<void> {
  const connectionString = option('--database-url');
  if (!connectionString) throw new Error('--database-url is required');
  const concurrentJobs = intOption('--concurrent-jobs', 10, 1);
  const localQueueSize = intOption('--local-queue-size', 500, -1);
  const completeJobBatchDelay = intOption('--complete-job-batch-delay', 0, -1);

  let ran = 0;
  const noop: Task = () => {
    ran++;
  };
  const runner = await run({
    logger: quiet,
    noHandleSignals: true,
    taskList: { [TASK]: noop },
    preset: {
      worker: {
        connectionString,
        concurrentJobs,
        localQueue: { size: localQueueSize },
        completeJobBatchDelay,
        failJobBatchDelay: completeJobBatchDelay,
      },
    },
  });
  process.stdout.write('ready\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    runner.stop().then(
      () => {
        process.stdout.write(`stopped on ${signal} after ${ran} job(s)\n`);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`graphile-worker bench runner: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `graphile-worker bench runner failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

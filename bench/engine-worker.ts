// One engine worker process for bench/engine.ts, used only when the `finflow worker` CLI command is
// not available: opens the database, builds an Engine with the built-in actions, and runs
// createWorker().start() until SIGTERM/SIGINT, then stops the worker (in-flight instances commit)
// and closes the database. Prints "ready" on stdout once the worker loop runs.
//
//   node --import tsx bench/engine-worker.ts --database-url URL [--concurrency N] [--poll-interval-ms MS]
import { Engine } from '../src/engine/engine.js';
import { openDatabase } from '../src/storage/database.js';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function intOption(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

async function main(): Promise<void> {
  const databaseUrl = option('--database-url');
  if (!databaseUrl) throw new Error('--database-url is required');
  const concurrency = intOption('--concurrency', 1);
  const pollIntervalMs = intOption('--poll-interval-ms', 200);

  const database = await openDatabase({ databaseUrl, poolSize: concurrency + 2 });
  const engine = new Engine({ database });
  const worker = engine.createWorker({ concurrency, pollIntervalMs });
  worker.start();
  process.stdout.write('ready\n');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    worker
      .stop()
      .then(() => database.close())
      .then(
        () => {
          process.stdout.write(`stopped on ${signal} after ${worker.processed} instance(s)\n`);
          process.exit(0);
        },
        (error: unknown) => {
          process.stderr.write(`engine-worker: shutdown failed: ${String(error)}\n`);
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `engine-worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});

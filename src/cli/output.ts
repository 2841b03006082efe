import { AppError } from '../core/errors.js';

/** Exit codes every finflow command uses (documented in docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** A check found a problem: `audit verify` on a tampered chain. */
  checkFailed: 1,
  /** Bad usage, settings or input: fix the command line or config. */
  usage: 2,
  /** The resource is busy: the embedded data folder is in use by a running server. */
  busy: 3,
  /** Anything unexpected: see the message and report a bug. */
  internal: 70,
} as const;

export function reportError(error: unknown): number {
  if (error instanceof AppError) {
    process.stderr.write(`finflow: ${error.message}\n`);
    if (error.code === 'data_dir_in_use') return EXIT.busy;
    return error.status < 500 ? EXIT.usage : EXIT.internal;
  }
  process.stderr.write(
    `finflow: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : JSON.stringify(error)}\n`,
  );
  return EXIT.internal;
}

/** Fixed-width table for list commands. */
export function printTable(rows: Array<Record<string, string>>): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const columns = Object.keys(rows[0]!);
  const widths = columns.map((col) => Math.max(col.length, ...rows.map((r) => (r[col] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns.map((c) => c.toUpperCase()))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((c) => row[c] ?? ''))}\n`);
}

/** The actor recorded in the audit log for CLI actions: the OS user at the keyboard. */
export function cliActor(): string {
  return `cli:${process.env.USER ?? process.env.LOGNAME ?? 'unknown'}`;
}

/** A one-line progress indicator on stderr, redrawn in place on a terminal. */
export function progress(label: string): { update(done: number, total: number): void; end(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(done, total) {
      const now = Date.now();
      if (!tty && now - last < 1000 && done < total) return;
      last = now;
      const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
      process.stderr.write(`${tty ? '\r' : ''}${label}: ${done}/${total} (${pct}%)${tty ? '' : '\n'}`);
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

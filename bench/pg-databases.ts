// PostgreSQL for the benchmarks: a throwaway server (scripts/pg-server.mjs) and fresh databases on
// a server, dropped afterwards, so a bench never measures on data another run left behind.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type PgServer = { url: string; stop: () => void };

/** Whether the benches' throwaway server commits durably; FINFLOW_BENCH_FSYNC=off asks for the test settings. */
export const BENCH_PG_DURABLE = process.env.FINFLOW_BENCH_FSYNC !== 'off';

/** The same, for the benches' output. */
export const BENCH_PG_DURABILITY = BENCH_PG_DURABLE
  ? 'default durability (fsync and synchronous_commit on)'
  : 'fsync=off, synchronous_commit=off (FINFLOW_BENCH_FSYNC=off: figures are optimistic)';

/**
 * The benches' throwaway PostgreSQL server (scripts/pg-server.mjs): with PostgreSQL's default
 * durability, as a production server commits, so headline figures are not flattered by a server
 * that never flushes; `FINFLOW_BENCH_FSYNC=off` runs it as the tests do.
 */
export async function startBenchPgServer(): Promise<PgServer> {
  // Plain JS, no types: imported by URL, its shape stated here.
  const href = new URL('../scripts/pg-server.mjs', import.meta.url).href;
  const mod = (await import(href)) as { startPgServer: (options: { durable: boolean }) => Promise<PgServer> };
  const server = await mod.startPgServer({ durable: BENCH_PG_DURABLE });
  console.log(`  throwaway PostgreSQL server: ${BENCH_PG_DURABILITY}`);
  return server;
}

/** A fresh database on the server at `adminUrl`; returns its URL and how to drop it. */
export async function freshPgDatabase(
  adminUrl: string,
  label: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `ff_bench_${label}_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

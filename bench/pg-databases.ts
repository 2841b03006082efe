// PostgreSQL for the benchmarks: a throwaway server (scripts/pg-server.mjs) and fresh databases on
// a server, dropped afterwards, so a bench never measures on data another run left behind.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export type PgServer = { url: string; stop: () => void };

/** scripts/pg-server.mjs's startPgServer (plain JS, no types: imported by URL, its shape stated here). */
export async function loadPgServer(): Promise<() => Promise<PgServer>> {
  const href = new URL('../scripts/pg-server.mjs', import.meta.url).href;
  const mod = (await import(href)) as { startPgServer: () => Promise<PgServer> };
  return mod.startPgServer;
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

// What a browser session costs a request, beside an API key in the same run.
//
// One finflow server in this process (startServer, its worker off) on a fresh database: a PGlite
// data folder in a temp dir, or with --pg a fresh database on a throwaway PostgreSQL server with
// default durability. A viewer user signs in over HTTP (one-time password → own password), and a key
// owned by the same user is created. Then, each for SESSION_BENCH_SECONDS (default 10) with
// autocannon over 10 connections (closed loop: as fast as answered), GET /api/v1/customers?limit=20:
//   key:     Authorization: Bearer <key>  (the resolved key is cached for 5 s: the baseline)
//   session: Cookie: finflow_session=…    (two queries per request: session + user, roles)
// Also: SIGN_INS sequential sign-ins (argon2id verification, by design ~tens of ms), p50 and rate.
// ratio = session req/s ÷ key req/s.
//
//   node --import tsx bench/session.ts [--pg] [--seconds 10]   (npm run bench:session)
//
// Prints human lines, then as its very last stdout line one JSON object {"bench":"session",…}.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { createApiKey } from '../src/auth/api-keys.js';
import { createUser } from '../src/auth/users.js';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/observability/logger.js';
import { startServer } from '../src/server.js';
import { freshPgDatabase, startBenchPgServer, type PgServer } from './pg-databases.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const usePg = args.includes('--pg') || process.env.FINFLOW_BENCH_PG === '1';
const SECONDS = Number(option('--seconds') ?? process.env.SESSION_BENCH_SECONDS ?? 10);
const SIGN_INS = 20;
const PASSWORD = 'correct horse battery staple of the bench';

let pgServer: PgServer | undefined;
let drop: (() => Promise<void>) | undefined;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'finflow-bench-session-'));
try {
  let databaseUrl: string | undefined;
  if (usePg) {
    pgServer = await startBenchPgServer();
    const fresh = await freshPgDatabase(pgServer.url, 'session');
    databaseUrl = fresh.url;
    drop = fresh.drop;
  }
  const config = loadConfig({
    env: {},
    overrides: { port: 0, host: '127.0.0.1', worker: false, dataDir, ...(databaseUrl ? { databaseUrl } : {}) },
  });
  const server = await startServer(config, { logger: createLogger('silent') });
  try {
    const created = await createUser(server.database, {
      email: 'vera@bench.test',
      name: 'Vera',
      roles: ['viewer'],
      actor: 'bench',
    });
    const post = async (pathName: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}/api/v1${pathName}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const first = await post('/session', { email: created.email, password: created.oneTimePassword });
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await first.json()) as { csrfToken: string };
    const changed = await post(
      '/session/password',
      { currentPassword: created.oneTimePassword, newPassword: PASSWORD },
      { cookie, 'x-csrf-token': csrfToken },
    );
    if (changed.status !== 200) throw new Error(`password change: ${changed.status} ${await changed.text()}`);
    const key = await createApiKey(server.database, {
      name: 'vera-script',
      role: 'viewer',
      owner: created.id,
      actor: 'bench',
    });

    const drive = async (headers: Record<string, string>) => {
      const result = await autocannon({
        url: `${server.url}/api/v1/customers?limit=20`,
        connections: 10,
        duration: SECONDS,
        headers,
      });
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`non-2xx ${result.non2xx}, errors ${result.errors}`);
      return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99 };
    };
    await autocannon({ url: `${server.url}/api/v1/health`, connections: 5, duration: 2 }); // warm-up
    const viaKey = await drive({ authorization: `Bearer ${key.token}` });
    const viaSession = await drive({ cookie });
    console.log(
      `  GET /customers with an owned API key: ${viaKey.rps} req/s, p50 ${viaKey.p50} ms, p99 ${viaKey.p99} ms`,
    );
    console.log(
      `  GET /customers with a session cookie: ${viaSession.rps} req/s, p50 ${viaSession.p50} ms, p99 ${viaSession.p99} ms`,
    );

    const times: number[] = [];
    for (let i = 0; i < SIGN_INS; i++) {
      const started = performance.now();
      const res = await post('/session', { email: created.email, password: PASSWORD });
      if (res.status !== 201) throw new Error(`sign-in ${res.status}`);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const signInP50 = Math.round(times[Math.floor(times.length / 2)]!);
    const signInsPerSecond = Math.round((1000 * SIGN_INS) / times.reduce((a, b) => a + b, 0));
    console.log(`  sign-in (argon2id verify + session): p50 ${signInP50} ms, ${signInsPerSecond}/s one at a time`);
    console.log(
      JSON.stringify({
        bench: 'session',
        database: usePg ? 'postgres' : 'pglite',
        keyRps: viaKey.rps,
        sessionRps: viaSession.rps,
        keyP50Ms: viaKey.p50,
        sessionP50Ms: viaSession.p50,
        signInP50Ms: signInP50,
        signInsPerSecond,
        ratio: Math.round((viaSession.rps / viaKey.rps) * 100) / 100,
      }),
    );
  } finally {
    await server.close();
  }
} finally {
  await drop?.();
  pgServer?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

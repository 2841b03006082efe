import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Plays an outside system that honours Idempotency-Key: the first request with a key applies the
 * effect, repeats are acknowledged without applying it again. Counts both, so a test can show that
 * repeats happened (a worker died between the call and its commit) and were absorbed.
 */
export interface EffectReceiver {
  url: string;
  /** Effects applied, by idempotency key. */
  applied: Map<string, { instanceId: string; label: string }>;
  requests: number;
  duplicates: number;
  close(): Promise<void>;
}

export async function startEffectReceiver(): Promise<EffectReceiver> {
  const state = { applied: new Map<string, { instanceId: string; label: string }>(), requests: 0, duplicates: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      if (req.method !== 'POST' || typeof key !== 'string') {
        res.writeHead(400).end();
        return;
      }
      state.requests += 1;
      if (state.applied.has(key)) state.duplicates += 1;
      else
        state.applied.set(
          key,
          JSON.parse(Buffer.concat(chunks).toString('utf8')) as { instanceId: string; label: string },
        );
      // A little latency, so that kills also land while a call is in flight.
      setTimeout(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
        Math.random() * 5,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/effects`,
    get applied() {
      return state.applied;
    },
    get requests() {
      return state.requests;
    },
    get duplicates() {
      return state.duplicates;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are read field by field by tests, which assert each read */
import assert from 'node:assert/strict';
import type { TestServer } from './test-server.js';

/** JSON calls to a test server's /api/v1 with the status asserted: the helpers E2E tests share. */

export type Body = Record<string, any>;
export interface Reply {
  status: number;
  body: Body;
  what: string;
}

export interface ApiClient {
  call: (
    method: string,
    path: string,
    init?: { json?: unknown; token?: string | null; key?: string },
  ) => Promise<Reply>;
  /** The body, after asserting the status (the message shows the body). */
  expect: (reply: Reply, status: number) => Body;
  /** A 4xx problem naming `field` among its errors. */
  expectProblem: (reply: Reply, status: number, field: string) => Body;
}

export function apiClient(server: () => TestServer): ApiClient {
  const call: ApiClient['call'] = async (method, path, init = {}) => {
    const headers: Record<string, string> = {};
    if (init.key !== undefined) headers['idempotency-key'] = init.key;
    const res = await server().call(`/api/v1${path}`, {
      method,
      headers,
      ...(init.json !== undefined ? { json: init.json } : {}),
      ...(init.token !== undefined ? { token: init.token } : {}),
    });
    const text = await res.text();
    let body: Body;
    try {
      body = text ? (JSON.parse(text) as Body) : {};
    } catch {
      body = { text };
    }
    return { status: res.status, body, what: `${method} ${path}` };
  };
  const expect: ApiClient['expect'] = (reply, status) => {
    assert.equal(reply.status, status, `${reply.what} → ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  };
  const expectProblem: ApiClient['expectProblem'] = (reply, status, field) => {
    const body = expect(reply, status);
    const fields = ((body.errors ?? []) as Array<{ field: string }>).map((e) => e.field);
    assert.ok(fields.includes(field), `${reply.what}: expected an error on ${field}, got ${JSON.stringify(body)}`);
    return body;
  };
  return { call, expect, expectProblem };
}

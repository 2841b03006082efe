import assert from 'node:assert/strict';
import type { TestServer } from './test-server.js';

/**
 * Paging checks the list routes' tests share: walk a list's pages by its cursor (`next` passed as
 * `after`), and prove a cursor that cannot be one is a 400 naming `query.after`.
 */

interface Page<T> {
  data: T[];
  next: string | null;
}

/**
 * Every row of the list at `path` (an /api/v1 path, with its filters), `limit` a page, with the
 * number of pages read. Fails when a page is over `limit`, a full page is not followed, or a cursor
 * comes back twice (a walk that would never end).
 */
export async function walkPages<T>(
  server: TestServer,
  path: string,
  limit: number,
  token?: string,
): Promise<{ rows: T[]; pages: number }> {
  const rows: T[] = [];
  const seen = new Set<string>();
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const query: string = `limit=${limit}${after === null ? '' : `&after=${encodeURIComponent(after)}`}`;
    const url: string = `/api/v1${path}${path.includes('?') ? '&' : '?'}${query}`;
    const res = await server.call(url, token === undefined ? {} : { token });
    const text = await res.text();
    assert.equal(res.status, 200, `GET ${url}: ${text}`);
    const page = JSON.parse(text) as Page<T>;
    pages++;
    assert.ok(page.data.length <= limit, `GET ${url}: ${page.data.length} rows, over the limit`);
    rows.push(...page.data);
    if (page.next === null) return { rows, pages };
    assert.equal(page.data.length, limit, `GET ${url}: a page with a next is full`);
    assert.ok(!seen.has(page.next), `GET ${url}: the cursor ${page.next} came back`);
    seen.add(page.next);
    after = page.next;
  }
}

/** Each of `cursors` passed as `after` to `path` is a 400 naming `query.after`. */
export async function assertBadCursors(server: TestServer, path: string, cursors: string[]): Promise<void> {
  for (const cursor of cursors) {
    const url = `/api/v1${path}${path.includes('?') ? '&' : '?'}after=${encodeURIComponent(cursor)}`;
    const res = await server.call(url);
    const text = await res.text();
    assert.equal(res.status, 400, `GET ${url}: ${text}`);
    const problem = JSON.parse(text) as { errors?: Array<{ field: string }> };
    assert.deepEqual([...new Set(problem.errors?.map((e) => e.field))], ['query.after'], `GET ${url}: ${text}`);
  }
}

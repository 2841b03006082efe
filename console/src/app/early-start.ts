// Starts a page's network work before the console's code has finished loading. Without it a
// deep link waits in line: the main bundle runs, then asks who is signed in, then fetches the page's
// chunk, runs it, and only then asks for the page's data — each step idle while the one before works.
// This module runs first (main.tsx imports it before React and antd), so the session request, the
// page's chunk and — once the session allows it — the page's first data requests all start at once.
// The API client takes those answers (takeEarlyResponse) instead of asking again; an answer nobody
// takes is dropped after a few seconds. Only GETs a page would make anyway are started early.
import { AREA_LOADERS } from './areas';
import { dashboardRequests } from '../pages/dashboards/requests';
import { myWorkRequests } from '../pages/my-work/requests';

interface SessionShape {
  pending: unknown;
  permissions: string[];
}

/** The first data requests of each page, given the URL's query and the session's permissions. */
const PAGE_REQUESTS = new Map<string, (search: URLSearchParams, can: (p: string) => boolean) => string[]>([
  ['dashboards', dashboardRequests],
  ['my-work', myWorkRequests],
]);

const FRESH_MS = 5_000;
const early = new Map<string, { response: Promise<Response>; at: number }>();

/** Path and query with the query's parameters sorted, so two spellings of one request match. */
function requestKey(url: URL): string {
  const params = [...url.searchParams.entries()].sort(([a], [b]) => a.localeCompare(b));
  return `${url.pathname}?${new URLSearchParams(params).toString()}`;
}

function startEarly(path: string): Promise<Response> {
  const url = new URL(path, location.origin);
  const response = fetch(url, { credentials: 'same-origin' });
  early.set(requestKey(url), { response, at: Date.now() });
  // A failed early request is nobody's error until a page takes it.
  response.catch(() => undefined);
  return response;
}

/** The response of a request started early for this GET, once; undefined when there is none. */
export function takeEarlyResponse(request: Request): Promise<Response> | undefined {
  if (request.method !== 'GET') return undefined;
  const key = requestKey(new URL(request.url));
  const hit = early.get(key);
  if (!hit) return undefined;
  early.delete(key);
  return Date.now() - hit.at <= FRESH_MS ? hit.response : undefined;
}

function start(): void {
  const area = location.pathname.split('/')[1] ?? '';
  const loader = AREA_LOADERS.get(area);
  // The page's code: the same import the router makes later, so the browser fetches it once.
  if (loader) void loader().catch(() => undefined);
  const session = startEarly('/api/v1/session');
  const requests = PAGE_REQUESTS.get(area);
  if (!requests) return;
  void session
    .then(async (response) => {
      if (!response.ok) return;
      const body = (await response.clone().json()) as SessionShape;
      if (body.pending !== null) return;
      const can = (permission: string) => body.permissions.includes(permission);
      for (const path of requests(new URLSearchParams(location.search), can)) void startEarly(path);
    })
    .catch(() => undefined);
}

start();

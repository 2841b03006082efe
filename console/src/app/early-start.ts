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

// The permissions of the last session this browser saw. A page's first requests start at once with
// them, without waiting for the session request and for the main thread (busy running the console's
// code) to read its answer. They only choose which GETs to start early: the server decides what is
// allowed, an early answer no page takes is dropped, and a request the remembered list missed is
// made by the page as usual. Forgotten when the session is gone.
const PERMISSIONS_KEY = 'finflow.permissions';

function rememberedPermissions(): string[] | undefined {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(PERMISSIONS_KEY) ?? 'null');
    return Array.isArray(value) && value.every((p) => typeof p === 'string') ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the session's permissions for the next page load's early start; undefined forgets them. */
export function rememberPermissions(permissions: string[] | undefined): void {
  try {
    if (permissions) localStorage.setItem(PERMISSIONS_KEY, JSON.stringify(permissions));
    else localStorage.removeItem(PERMISSIONS_KEY);
  } catch {
    // Storage may be full or disabled: the requests then wait for the session, as before.
  }
}

function start(): void {
  const area = location.pathname.split('/')[1] ?? '';
  const session = startEarly('/api/v1/session');
  // The page's code: the same import the router makes later, so the browser fetches it once.
  const loader = AREA_LOADERS.get(area);
  if (loader) void loader().catch(() => undefined);
  const requests = PAGE_REQUESTS.get(area);
  let started = false;
  const startPage = (permissions: string[]) => {
    if (started || !requests) return;
    started = true;
    const can = (permission: string) => permissions.includes(permission);
    for (const path of requests(new URLSearchParams(location.search), can)) void startEarly(path);
  };
  const remembered = rememberedPermissions();
  if (remembered) startPage(remembered);
  void session
    .then(async (response) => {
      if (response.status === 401) return rememberPermissions(undefined);
      if (!response.ok) return;
      const body = (await response.clone().json()) as SessionShape;
      if (body.pending !== null) return;
      rememberPermissions(body.permissions);
      startPage(body.permissions);
    })
    .catch(() => undefined);
}

start();

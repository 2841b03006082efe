// The web console's files, served at `/` by the same server as the API (one origin: the session
// cookie and the CSRF token need no CORS). Vite names every asset by its content hash, so assets are
// cached for a year; index.html is revalidated on every load so a new release is picked up at once.
// Any other path is a console page (client-side routing), dots and all (/decisions/credit.terms): it
// gets index.html.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compress } from 'hono/compress';
import { getMimeType } from 'hono/utils/mime';
import { AppError } from '../core/errors.js';
import type { App } from './context.js';
import { problemResponse } from './problem.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * Where the built console is: `dist/console` beside the compiled server (`npm start`), or the same
 * folder when the server runs from `src/` under tsx (tests). Undefined when it was never built.
 */
export function findConsoleDir(): string | undefined {
  const here = path.dirname(fileURLToPath(import.meta.url)); // …/dist/api or …/src/api
  const candidates = [path.resolve(here, '../console'), path.resolve(here, '../../dist/console')];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html')));
}

/** Answers GET/HEAD for every path outside the API with a console file or the console's index.html. */
export function registerConsoleSite(app: App, dir: string | undefined, isApiPath: (path: string) => boolean): void {
  const root = dir ? path.resolve(dir) : undefined;
  const cache = new Map<string, Buffer>(); // built files never change while the process runs
  const read = (file: string) => {
    let body = cache.get(file);
    if (!body) {
      body = readFileSync(file);
      cache.set(file, body);
    }
    return body;
  };

  app.use('/assets/*', compress());
  app.get('*', async (c, next) => {
    if (isApiPath(c.req.path)) return next();
    if (!root) {
      return problemResponse(
        c,
        new AppError('console_not_built', 404, 'the web console is not built: run `npm run build`, then restart'),
      );
    }
    const file = resolveInside(root, c.req.path);
    if (file && isFile(file)) {
      const type = getMimeType(file) ?? 'application/octet-stream';
      const cacheControl = c.req.path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE;
      return c.body(new Uint8Array(read(file)), 200, { 'content-type': type, 'cache-control': cacheControl });
    }
    if (isMissingFile(c.req.path)) {
      return problemResponse(c, new AppError('route_not_found', 404, `no file ${c.req.path}`));
    }
    return c.body(new Uint8Array(read(path.join(root, 'index.html'))), 200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': REVALIDATE,
    });
  });
}

/**
 * A file that is not there (a stale asset name, /robots.txt): anything under /assets/, or a top-level
 * name with a known file type. Everything else is a page path, even with a dot in it: decision keys,
 * workflow names and file names in ids are part of page URLs.
 */
function isMissingFile(urlPath: string): boolean {
  if (urlPath.startsWith('/assets/')) return true;
  return urlPath.lastIndexOf('/') === 0 && getMimeType(urlPath) !== undefined;
}

/** The file a URL path names, or undefined when it is malformed or would leave the console folder. */
function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(decoded)}`);
  return file.startsWith(root + path.sep) ? file : undefined;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

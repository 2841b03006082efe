import type { MiddlewareHandler } from 'hono';
import { AppError, validationError, type FieldIssue } from '../../core/errors.js';
import { decodeUtf8, JSON_LIMITS, parseGuardedJson, stringProblem } from '../../core/json-guard.js';
import type { AppEnv } from '../context.js';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The one place where every request's path, query and JSON body meet the input limits
 * (core/json-guard.ts), before routing, validation, a handler, the rules engine or the database see
 * them. A JSON body is read as bytes, decoded as strict UTF-8, checked and parsed once; the parsed
 * value and the bytes are left in Hono's body cache, so validators read the checked value and a
 * signature check (inbound hooks) still sees the exact bytes that were sent.
 */
export function inputGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    checkUrl(c.req.url);
    const contentType = c.req.header('content-type');
    if (BODY_METHODS.has(c.req.method) && contentType && JSON_MEDIA_TYPE.test(mediaType(contentType))) {
      checkCharset(contentType);
      const bytes = await c.req.arrayBuffer();
      if (bytes.byteLength > 0) {
        const text = decodeUtf8(bytes, 'body');
        const value = parseGuardedJson(text, 'body');
        // Hono keeps each read as a promise under the method's name (its type says otherwise).
        const cache = c.req.bodyCache as Record<string, unknown>;
        cache.text = Promise.resolve(text);
        cache.json = Promise.resolve(value);
      }
    }
    await next();
  };
}

const mediaType = (contentType: string): string => contentType.split(';')[0]!.trim().toLowerCase();

/** JSON is UTF-8 (RFC 8259 §8.1); a body declared in another charset is refused, not misread. */
function checkCharset(contentType: string): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType)?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) {
    throw new AppError('unsupported_media_type', 415, `JSON must be sent as UTF-8, not charset ${charset}`, {
      field: 'header.content-type',
    });
  }
}

/** Path segments and query values: decodable, and no NUL or lone surrogate once decoded. */
function checkUrl(raw: string): void {
  const url = new URL(raw);
  const issues: FieldIssue[] = [];
  for (const segment of url.pathname.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      issues.push({ field: 'path', message: `segment "${segment}" is not valid percent-encoded UTF-8` });
      continue;
    }
    const problem = stringProblem(decoded);
    if (problem) issues.push({ field: 'path', message: `segment "${segment}" ${problem}` });
  }
  for (const [key, value] of url.searchParams) {
    const problem = stringProblem(key) ?? stringProblem(value);
    if (problem) issues.push({ field: `query.${encodeURIComponent(key)}`, message: problem });
    if (issues.length >= JSON_LIMITS.maxIssues) break;
  }
  if (issues.length > 0) throw validationError(issues);
}

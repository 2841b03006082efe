import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { AppError, validationError, type FieldIssue } from '../core/errors.js';
import { isStalePlan } from '../storage/prepared-statements.js';
import type { AppEnv } from './context.js';

/**
 * The one mapping from errors to HTTP responses: RFC 9457 problem+json. `type` is a stable URN
 * built from the error code; `errors` lists every failing field with where it was (`body`,
 * `query`, `path`, `header`) so a client can point at it.
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  requestId?: string;
  errors?: Array<FieldIssue & { in?: string }>;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const problemType = (code: string): string => `urn:finflow:problem:${code}`;

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    // Hono raises these for a body that is not JSON; name the body as the failing field.
    // Hono raises these for a body that is not JSON (400) or of a media type the route does not
    // take (415); both name what the caller must change.
    if (error.status === 415) {
      return new AppError('unsupported_media_type', 415, 'the route does not accept this Content-Type', {
        field: 'header.content-type',
      });
    }
    const code = error.status === 400 ? 'malformed_request' : `http_${error.status}`;
    return new AppError(
      code,
      error.status,
      error.message || 'bad request',
      error.status === 400 ? { field: 'body' } : {},
    );
  }
  if (isUniqueViolation(error)) {
    // Two requests created the same entity (same external id) at the same moment; the loser may
    // retry and will then find the winner's row.
    return new AppError('concurrent_create', 409, 'another request created the same entity at the same time; retry', {
      cause: error,
    });
  }
  if (isStalePlan(error)) {
    // Another process migrated the schema while this request's transaction ran (a rolling upgrade);
    // nothing was written, and the same request succeeds when sent again (storage/prepared-statements.ts).
    return new AppError('schema_changed', 409, 'the database schema changed while this request ran; send it again', {
      cause: error,
    });
  }
  return new AppError('internal_error', 500, 'an unexpected error occurred; see the server log', { cause: error });
}

/** PostgreSQL's unique_violation (SQLSTATE 23505), from pg or PGlite. */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export function problemResponse(c: Context<AppEnv>, error: AppError): Response {
  // Details first: an error's own members (an entity's `state`, a permission) never overwrite the
  // members RFC 9457 defines.
  const body: ProblemDetails = {
    ...(error.details ?? {}),
    type: problemType(error.code),
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    // The path as sent (still percent-encoded), so a hostile path cannot put raw bytes in the answer.
    instance: new URL(c.req.url).pathname,
    code: error.code,
    ...(c.var.requestId ? { requestId: c.var.requestId } : {}),
    ...(error.issues.length > 0 ? { errors: error.issues } : {}),
  };
  const retryAfter = error.status === 429 ? error.details?.retryAfter : undefined;
  return c.body(JSON.stringify(body), error.status as ContentfulStatusCode, {
    'content-type': 'application/problem+json',
    ...(typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {}),
  });
}

/** zod issues → field issues named `<where>.<path>`, e.g. `body.role`, `query.limit`. */
export function fromZodError(error: ZodError, target: string): AppError {
  const where = target === 'json' ? 'body' : target === 'param' ? 'path' : target;
  const issues = error.issues.map((issue) => ({
    field: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
    in: where,
  }));
  return validationError(issues);
}

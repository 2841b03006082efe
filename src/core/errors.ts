/**
 * The one application error type. Every failure that reaches a user carries a stable string `code`
 * (for programs), an HTTP status (for the API), a human message, and — for bad input — the field
 * that failed. The API maps it to RFC 9457 problem+json in one place (api/problem.ts); the CLI prints
 * the message and exits non-zero.
 */
export interface FieldIssue {
  /** Dotted path of the failing field, e.g. `body.role` or `config.port`. */
  field: string;
  message: string;
  /** 1-based line in the source document the issue is about (workflow definitions parsed from YAML/JSON). */
  line?: number;
}

export interface AppErrorOptions {
  field?: string;
  issues?: FieldIssue[];
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class AppError extends Error {
  readonly code: string;
  readonly status: number;
  readonly field: string | undefined;
  readonly issues: FieldIssue[];
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, status: number, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.field = options.field ?? options.issues?.[0]?.field;
    this.issues = options.issues ?? (options.field ? [{ field: options.field, message }] : []);
    this.details = options.details;
  }
}

/**
 * 429: the server (or one intake) is at its bound; nothing was done, and the same request may be
 * sent again after `retryAfterSeconds` (the API sends it as the Retry-After header).
 */
export const tooManyRequests = (code: string, message: string, retryAfterSeconds: number): AppError =>
  new AppError(code, 429, message, { details: { retryAfter: retryAfterSeconds } });

export const validationError = (issues: FieldIssue[]): AppError =>
  new AppError(
    'validation_failed',
    400,
    issues.length === 1 ? `${issues[0]!.field}: ${issues[0]!.message}` : `${issues.length} fields are invalid`,
    { issues },
  );

export const notFound = (entity: string, id: string): AppError =>
  new AppError('not_found', 404, `${entity} ${id} not found`, {
    details: { entity, id },
  });

export const unauthorized = (message = 'a valid API key is required (Authorization: Bearer <key>)'): AppError =>
  new AppError('unauthorized', 401, message);

export const forbidden = (permission: string, roles: readonly string[]): AppError =>
  new AppError(
    'forbidden',
    403,
    `${roles.length === 1 ? `role ${roles[0]}` : `roles ${roles.join(', ')}`} ${roles.length === 1 ? 'lacks' : 'lack'} permission ${permission}`,
    { details: { permission, role: roles.join(','), roles } },
  );

export const conflict = (code: string, message: string, details?: Record<string, unknown>): AppError =>
  new AppError(code, 409, message, details ? { details } : {});

/**
 * 422: well-formed input that a business rule refuses (an amount above the balance, a date in the
 * past), naming the body field so a client can point at it.
 */
export const refusedField = (field: string, message: string): AppError =>
  new AppError('validation_failed', 422, `body.${field}: ${message}`, { field: `body.${field}` });

import { AppError } from '../core/errors.js';

/**
 * Services name fields as their input does (`amount`, `lines.0.quantity`); over HTTP the same field
 * is `body.amount`. Re-homes a validation error's fields under `body.` (path parameters keep theirs).
 */
export function inBody(error: unknown, pathParams: string[] = []): unknown {
  if (!(error instanceof AppError) || error.issues.length === 0) return error;
  const issues = error.issues.map((i) => ({
    ...i,
    field: pathParams.includes(i.field) ? `path.${i.field}` : i.field.startsWith('body.') ? i.field : `body.${i.field}`,
  }));
  const message = issues.length === 1 ? `${issues[0]!.field}: ${issues[0]!.message}` : error.message;
  return new AppError(error.code, error.status, message, {
    issues,
    ...(error.details ? { details: error.details } : {}),
  });
}

export const rethrowInBody = (error: unknown): never => {
  throw inBody(error);
};

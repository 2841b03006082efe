import { AppError } from '../core/errors.js';

/**
 * Services name fields as their input does (`amount`, `transfers[2].amount`, `content`); over HTTP
 * the same field is where the client sent it (`body.amount`, `body.transfers.2.amount`, `body`,
 * `path.name`). This is the one place that re-homes a refusal's fields for the problem+json answer;
 * each route says only how its fields are renamed.
 */

export interface Relocation {
  /** The field over HTTP for a field as the service names it. */
  rename: (field: string) => string;
  /** Re-home only refusals with this code (default: every AppError that names fields). */
  code?: string;
  /**
   * How the message follows the fields: `restate` (default) writes a one-field message as
   * `field: message` and keeps any other; `substitute` replaces each old field name in the message
   * by its new one (messages that name a field mid-sentence, as the ledger's do).
   */
  message?: 'restate' | 'substitute';
}

/** The error with its fields renamed; anything that names no field is returned as it is. */
export function relocate(error: unknown, { rename, code, message = 'restate' }: Relocation): unknown {
  if (!(error instanceof AppError) || error.issues.length === 0) return error;
  if (code !== undefined && error.code !== code) return error;
  const issues = error.issues.map((i) => ({ ...i, field: rename(i.field) }));
  let text = error.message;
  if (message === 'substitute') {
    error.issues.forEach((i, n) => (text = text.split(i.field).join(issues[n]!.field)));
  } else if (issues.length === 1) {
    text = `${issues[0]!.field}: ${issues[0]!.message}`;
  }
  return new AppError(error.code, error.status, text, {
    issues,
    cause: error,
    ...(error.details ? { details: error.details } : {}),
  });
}

/** A `.catch` handler that rethrows the error relocated. */
export const rethrowRelocated =
  (relocation: Relocation) =>
  (error: unknown): never => {
    throw relocate(error, relocation);
  };

/**
 * The common renaming: every field under `body.` (one already there stays), path parameters under
 * `path.`.
 */
export function inBody(error: unknown, pathParams: string[] = []): unknown {
  return relocate(error, {
    rename: (field) =>
      pathParams.includes(field) ? `path.${field}` : field.startsWith('body.') ? field : `body.${field}`,
  });
}

export const rethrowInBody = (error: unknown): never => {
  throw inBody(error);
};

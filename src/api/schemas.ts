import { z } from '@hono/zod-openapi';

/** Schemas shared by many routes. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:finflow:problem:validation_failed' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string(),
    code: z.string().openapi({ description: 'Stable machine-readable error code' }),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          field: z.string(),
          message: z.string(),
          in: z.string().optional(),
          line: z
            .number()
            .int()
            .optional()
            .openapi({ description: '1-based line in a submitted document (workflow definitions)' }),
        }),
      )
      .optional()
      .openapi({ description: 'Every failing field, e.g. `body.role`' }),
  })
  .openapi('Problem');

export const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});

/** A 429 answer with its Retry-After header, described for the route that gives it. */
export function tooManyRequestsError(description: string) {
  return {
    429: {
      ...problem(description),
      headers: z.object({
        'retry-after': z
          .string()
          .openapi({ description: 'Seconds to wait before sending the same request again', example: '1' }),
      }),
    },
  } as const;
}

/** The error responses every authenticated route can give. */
export const commonErrors = {
  400: problem('Invalid input; `errors` names each failing field'),
  401: problem('Missing, unknown or revoked API key'),
  403: problem("The key's role lacks the permission this route needs"),
  ...tooManyRequestsError(
    'The server is handling as many requests as it admits at once (maxInFlightRequests); nothing was done. ' +
      'Retry after `Retry-After` seconds',
  ),
} as const;

export const notFoundError = { 404: problem('No such entity') } as const;
export const idempotencyErrors = { 422: problem('Idempotency-Key reused with a different request') } as const;
export const conflictError = { 409: problem('The entity is not in a state that allows this') } as const;
export const unprocessableError = (description: string) => ({ 422: problem(description) }) as const;

export const IdempotencyKeyHeader = z.object({
  'idempotency-key': z
    .string()
    .optional()
    .openapi({ description: 'Makes the POST safe to retry: a replay returns the first response and repeats nothing' }),
});

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/**
 * A page cursor over a bigint sequence (`afterSeq`): digits only, within PostgreSQL's bigint, so a
 * cursor of 30 digits is a 400 naming the parameter rather than an out-of-range error from the
 * database.
 */
export const SeqCursor = z
  .string()
  .regex(/^\d{1,18}$/, 'must be a sequence number: digits only, at most 18')
  .transform((digits) => BigInt(digits))
  .optional()
  .openapi({ type: 'string', description: 'The `nextAfterSeq` of the previous page' });

/**
 * The query of a list paged by id: `after` (the previous page's `next`) and `limit`. Spread it into
 * a route's query object beside its filters. `cursor` replaces the free-form `after` with a schema
 * that checks the cursor's shape, so a cursor that cannot be one is a 400 naming `query.after`
 * rather than a page that silently starts somewhere.
 */
export const pageQuery = ({
  limit,
  max,
  cursorMax = 100,
  cursor,
}: {
  limit: number;
  max: number;
  cursorMax?: number;
  cursor?: z.ZodType<string | undefined>;
}) => ({
  after: (cursor ?? z.string().max(cursorMax).optional()).openapi({
    description: 'The `next` of the previous page',
  }),
  limit: z.coerce.number().int().min(1).max(max).default(limit),
});

/** A cursor that is a row's id (`<prefix>_<ULID>`, ids sort by creation): anything else is a 400. */
export const idCursor = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`), `must be the \`next\` of a previous page (${prefix}_…)`)
    .optional();

/** A page of a list paged by id: the items, and the cursor of the next page. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    next: z.string().nullable().openapi({ description: 'Pass as `after` for the next page; null on the last' }),
  });

/**
 * The answer for a page of rows read in id order with `limit`: a full page may have more after it,
 * so its last id is the next cursor; a short page is the last. A list in another order names its
 * cursor with `cursorOf` (the last row's sort key, as its route's `after` reads it).
 */
export function pageFrom<T extends { id: string }>(data: T[], limit: number): { data: T[]; next: string | null };
export function pageFrom<T>(
  data: T[],
  limit: number,
  cursorOf: (last: T) => string,
): { data: T[]; next: string | null };
export function pageFrom<T>(data: T[], limit: number, cursorOf?: (last: T) => string) {
  const last = data.length === limit && data.length > 0 ? data[data.length - 1]! : undefined;
  return {
    data,
    next: last === undefined ? null : cursorOf ? cursorOf(last) : (last as T & { id: string }).id,
  };
}

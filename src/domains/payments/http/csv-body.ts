import { z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { problem } from '../../../api/schemas.js';
import { AppError } from '../../../core/errors.js';

/** Media types a CSV upload may be sent as (spreadsheet tools and scripts differ). */
const CSV_TYPES = new Set(['text/csv', 'text/plain', 'application/csv', 'application/octet-stream']);

const mediaType = (value: string | undefined) => (value ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * The raw bytes of a CSV upload (a payment run, a file of payables): 415 for another media type or a
 * charset other than UTF-8, 400 for an empty body. `what` names the upload in the messages.
 */
export async function csvBody(c: Context, what: string): Promise<Uint8Array> {
  const header = c.req.header('content-type');
  const type = mediaType(header);
  if (!CSV_TYPES.has(type)) {
    throw new AppError('unsupported_media_type', 415, `${what} is sent as text/csv, not ${type || 'nothing'}`, {
      field: 'header.content-type',
    });
  }
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header ?? '')?.[1];
  if (charset && !/^utf-?8$/i.test(charset)) {
    throw new AppError('unsupported_media_type', 415, `${what} is UTF-8, not charset ${charset}`, {
      field: 'header.content-type',
    });
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length === 0) throw new AppError('validation_failed', 400, 'the CSV file is missing', { field: 'body' });
  return bytes;
}

/** The request body of a CSV upload route, for its OpenAPI description. */
export const csvRequestBody = {
  required: true,
  content: { 'text/csv': { schema: z.string().openapi({ format: 'binary' }) } },
} as const;

/** The answers a CSV upload adds to a route's: 415, and 422 with every problem of the file by line and column. */
export const csvUploadErrors = {
  415: problem('Not a CSV media type'),
  422: {
    description: 'A problem in the file (nothing was written), or the Idempotency-Key reused with another file',
    content: {
      'application/problem+json': {
        schema: z.object({
          code: z.string(),
          detail: z.string(),
          issues: z
            .array(
              z.object({
                line: z.number().int().nullable(),
                column: z.string().nullable(),
                value: z.string().optional(),
                message: z.string(),
              }),
            )
            .optional(),
        }),
      },
    },
  },
};

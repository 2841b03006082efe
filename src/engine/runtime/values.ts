/** Small conversions the runtime shares (step errors in the timeline, correlation keys). */

export const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A correlation key as stored: strings as they are, other values as JSON, none as null. */
export function stringKey(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

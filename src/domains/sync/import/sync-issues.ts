import type { SyncRowResult } from '../sync-service.js';
import type { ImportIssue } from './import-issue.js';

/**
 * The sync service's errors for one row, placed in the file: the row's line, and the column the
 * failing field was read from. `address` finds the column of `address.city`; a field the mapping
 * does not fill (e.g. an invoice's amount) is named as a field.
 */
export function syncIssues(
  row: SyncRowResult,
  lines: readonly number[],
  labels: ReadonlyMap<string, string | null>,
): ImportIssue[] {
  const line = lines[row.index] ?? null;
  const errors = row.errors?.length ? row.errors : [{ field: '', message: 'refused by the sync service' }];
  return errors.map(({ field: raw, message }) => {
    const stripped = raw.replace(/^(?:rows)?\[\d+\]\.?/, '');
    const field = stripped === 'row' ? '' : stripped;
    let target: string | undefined = labels.has(field) ? field : undefined;
    target ??= [...labels.keys()].find((t) => t.startsWith(`${field}.`));
    target ??= [...labels.keys()].filter((t) => field.startsWith(`${t}.`)).sort((a, b) => b.length - a.length)[0];
    return {
      line,
      column: target === undefined ? null : (labels.get(target) ?? null),
      field: field === '' ? null : field,
      message,
    };
  });
}

/** A schema message with the value it is about, the way conversion messages read: `"x@": Invalid email address`. */
export function withValue(row: Record<string, unknown>, path: ReadonlyArray<PropertyKey>, message: string): string {
  let value: unknown = row;
  for (const key of path)
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return typeof value === 'string' || typeof value === 'number' ? `${JSON.stringify(value)}: ${message}` : message;
}

// The case list's filters, and the named sets of them a person saves: kept in this browser's
// localStorage under the user's id, so two people sharing a browser keep their own.
import { useCallback, useEffect, useState } from 'react';

export const FILTERS = ['status', 'segment', 'bucket', 'stage', 'state', 'collector', 'variant'] as const;
export type FilterName = (typeof FILTERS)[number];
export type Filters = Partial<Record<FilterName, string>>;

/** The shipped segments (collections.segment) and the default DPD buckets (receivables settings). */
export const SEGMENTS = ['consumer-low', 'consumer-medium', 'consumer-high', 'b2b'] as const;
export const BUCKETS = ['1-30', '31-60', '61-90', '90+'] as const;
export const VARIANTS = ['champion', 'challenger'] as const;
export const CASE_STATES = [
  'active',
  'promised',
  'plan',
  'awaiting_approval',
  'disputed',
  'partly_disputed',
  'hardship',
  'forborne',
  'placed',
  'strategy_complete',
  'closed',
] as const;

export interface SavedFilter {
  name: string;
  filters: Filters;
}

const keyOf = (userId: string) => `finflow.collections.savedFilters.${userId}`;

function read(userId: string): SavedFilter[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(keyOf(userId)) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.flatMap((item: unknown) => {
      const entry = item as { name?: unknown; filters?: unknown };
      if (typeof entry?.name !== 'string' || typeof entry.filters !== 'object' || entry.filters === null) return [];
      const filters: Filters = {};
      for (const name of FILTERS) {
        const value = (entry.filters as Record<string, unknown>)[name];
        if (typeof value === 'string' && value) filters[name] = value;
      }
      return [{ name: entry.name, filters }];
    });
  } catch {
    return [];
  }
}

/** The user's saved filters, and saving (a name saved again is replaced) and removing one. */
export function useSavedFilters(
  userId: string,
): [SavedFilter[], (name: string, filters: Filters) => void, (name: string) => void] {
  const [saved, setSaved] = useState<SavedFilter[]>(() => read(userId));
  useEffect(() => setSaved(read(userId)), [userId]);
  const write = useCallback(
    (next: SavedFilter[]) => {
      localStorage.setItem(keyOf(userId), JSON.stringify(next));
      setSaved(next);
    },
    [userId],
  );
  const save = useCallback(
    (name: string, filters: Filters) => {
      const others = read(userId).filter((s) => s.name !== name);
      write([...others, { name, filters }].sort((a, b) => a.name.localeCompare(b.name)));
    },
    [userId, write],
  );
  const remove = useCallback((name: string) => write(read(userId).filter((s) => s.name !== name)), [userId, write]);
  return [saved, save, remove];
}

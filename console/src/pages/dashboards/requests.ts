// The dashboards' filters and the reports they ask for, without the page's code (charts and all), so
// the console can start these requests while the page's chunk is still loading (app/early-start.ts).
// The page builds its queries from the same functions, so both ask for exactly the same URLs.

export interface Filters {
  from: string;
  to: string;
  segment?: string;
  product?: string;
  currency?: string;
}

const isoDay = (date: Date) => date.toISOString().slice(0, 10);

/** The default period: the last 90 days up to today (UTC). */
export function defaultPeriod(): { from: string; to: string } {
  const today = new Date();
  const from = new Date(today.getTime() - 89 * 86_400_000);
  return { from: isoDay(from), to: isoDay(today) };
}

/** The filters in the page's URL, the default period filling in what is missing. */
export function filtersOf(params: URLSearchParams, defaults = defaultPeriod()): Filters {
  return {
    from: params.get('from') || defaults.from,
    to: params.get('to') || defaults.to,
    ...(params.get('segment') ? { segment: params.get('segment')! } : {}),
    ...(params.get('product') ? { product: params.get('product')! } : {}),
    ...(params.get('currency') ? { currency: params.get('currency')! } : {}),
  };
}

/** The period is valid to send: both dates, in order. Otherwise the queries wait. */
export const validPeriod = (f: Filters) =>
  /^\d{4}-\d{2}-\d{2}$/.test(f.from) && /^\d{4}-\d{2}-\d{2}$/.test(f.to) && f.from <= f.to;

export const clean = <T extends object>(query: T): T =>
  Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== '')) as T;

/** The query of each report, from the filters (each report takes the filters it understands). */
export function reportQueries(f: Filters) {
  const { from, to, segment, product, currency } = f;
  return {
    portfolio: clean({ from, to, segment, product, currency }),
    kpis: clean({ from, to, segment, currency }),
    strategies: clean({ from, to, segment }),
    credit: clean({ from, to, segment, product, currency }),
  };
}

/** The reports the page asks for first, as URLs, for those the session's permissions allow. */
export function dashboardRequests(search: URLSearchParams, can: (permission: string) => boolean): string[] {
  const filters = filtersOf(search);
  const urls: string[] = [];
  const add = (path: string, query: Record<string, string | undefined>) =>
    urls.push(`/api/v1${path}?${new URLSearchParams(clean(query) as Record<string, string>).toString()}`);
  const q = reportQueries(filters);
  if (validPeriod(filters)) {
    if (can('receivables:read')) add('/receivables/reports/portfolio', q.portfolio);
    if (can('collections:read')) add('/collections/reports/kpis', q.kpis);
    if (can('collections:read')) add('/collections/reports/strategies', q.strategies);
    if (can('credit:read')) add('/credit/reports/decisions', q.credit);
  }
  if (can('workflows:read')) add('/reports/engine-health', {});
  return urls;
}

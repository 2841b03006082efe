import { openTaskCounts } from '../../engine/index.js';
import type { Tx } from '../../storage/schema.js';
import type { CaseRow } from './cases/case-row.js';
import type { Collector, CollectionsSettings } from './collections-settings.js';

/**
 * Who works a case's call. An account stays with its collector (this case's, or the one working
 * another open case of the customer). Otherwise the candidates are the active collectors who work
 * the segment and speak the customer's language — falling back to the segment alone, then to
 * everyone — and the rule picks among them: the fewest open tasks (least-loaded), or the one after
 * the collector who last received an account (round-robin). No collectors: the task stays in the
 * queue for whoever claims it.
 */
export async function pickCollector(
  tx: Tx,
  settings: CollectionsSettings,
  theCase: CaseRow,
  language: string,
): Promise<string | null> {
  const active = settings.collectors.filter((c) => c.active);
  if (theCase.collector && active.some((c) => c.user === theCase.collector)) return theCase.collector;
  const other = await tx
    .selectFrom('collection_cases')
    .select('collector')
    .where('customer_id', '=', theCase.customer_id)
    .where('status', '=', 'open')
    .where('id', '!=', theCase.id)
    .where('collector', 'is not', null)
    .orderBy('collector_since', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (other?.collector && active.some((c) => c.user === other.collector)) return other.collector;

  const candidates = candidatesFor(active, theCase.segment, language);
  if (candidates.length === 0) return null;
  if (candidates.length === 1) return candidates[0]!.user;
  const users = candidates.map((c) => c.user);
  if (settings.assignment === 'round-robin') {
    const last = await tx
      .selectFrom('collection_cases')
      .select('collector')
      .where('collector', 'in', users)
      .where('collector_since', 'is not', null)
      .orderBy('collector_since', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const at = last?.collector ? users.indexOf(last.collector) : -1;
    return users[(at + 1) % users.length]!;
  }
  const load = await openTaskCounts(tx, users);
  // Ties go to the earlier collector in the settings' list, so the choice is reproducible.
  return users.reduce((best, user) => ((load.get(user) ?? 0) < (load.get(best) ?? 0) ? user : best));
}

function candidatesFor(collectors: Collector[], segment: string, language: string): Collector[] {
  const primary = language.split('-')[0]!.toLowerCase();
  const works = collectors.filter((c) => c.segments.length === 0 || c.segments.includes(segment));
  const speaks = works.filter(
    (c) => c.languages.length === 0 || c.languages.some((l) => l.split('-')[0]!.toLowerCase() === primary),
  );
  if (speaks.length) return speaks;
  if (works.length) return works;
  return collectors;
}

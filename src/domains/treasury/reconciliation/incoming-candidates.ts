import { sql } from 'kysely';
import type { Tx } from '../../../storage/schema.js';
import { daysBetween, fit, type Candidate, type EntryRow } from './candidate.js';
import { parseCreditorReference } from './creditor-reference.js';
import { nameSimilarity } from './names.js';
import type { RuleName } from './rules.js';

/**
 * The candidates of incoming credits against open receivables in the entry's currency, for many
 * entries in two statements (a statement's entries are matched a slice at a time, see
 * bulk-matching.ts; one entry is a slice of one):
 *   - keyed: `creditor_reference` (a valid ISO 11649 reference, structured or in the text, whose body
 *     is the receivable's external id) and `reference_text` (the external id as a word of the
 *     remittance text) — one join of every entry's keys with the open receivables' references;
 *   - `name_amount`: receivables whose open amount the entry pays exactly (the counterparty's name is
 *     compared with the customer's) — one lateral lookup per entry on the open-amount index.
 * Each entry's candidates come in that rule order, at most 20 per keyed rule and 100 by amount.
 */

export interface IncomingAsk {
  entry: EntryRow;
  /** What of the entry no match covers yet. */
  remaining: bigint;
}

interface IncomingStages {
  keyed: boolean;
  nameAmount: boolean;
}

const KEYED_LIMIT = 20;
const AMOUNT_LIMIT = 100;

/** Words of a remittance text that could be an external id: split at spaces and separators, uppercased. */
function referenceWords(text: string | null): string[] {
  if (!text) return [];
  const words = new Set<string>();
  for (const raw of text.toUpperCase().split(/[\s,;()[\]{}"'/]+/)) {
    const word = raw.replace(/^[.:#-]+|[.:#-]+$/g, '');
    if (word.length >= 3 && word.length <= 100) words.add(word);
  }
  return [...words].slice(0, 50);
}

/** The bodies of the valid RF references an entry carries, structured or typed into the text. */
function creditorReferenceBodies(entry: EntryRow, words: string[]): string[] {
  const bodies = new Set<string>();
  for (const ref of [entry.creditor_reference, ...words.filter((w) => /^RF\d{2}/.test(w))]) {
    if (!ref) continue;
    const parsed = parseCreditorReference(ref);
    if (parsed.kind === 'rf') bodies.add(parsed.body);
  }
  return [...bodies];
}

interface OpenReceivableRow {
  idx: number;
  rule: RuleName;
  id: string;
  external_id: string;
  outstanding: bigint | string;
  oldest_unpaid_due_date: string | null;
  maturity_date: string;
  customer_name: string;
}

export async function incomingCandidates(
  tx: Tx,
  asks: readonly IncomingAsk[],
  stages: IncomingStages = { keyed: true, nameAmount: true },
): Promise<Candidate[][]> {
  const out = asks.map((): Candidate[] => []);
  const add = (row: OpenReceivableRow) => {
    const { entry, remaining } = asks[row.idx]!;
    const openAmount = BigInt(row.outstanding);
    out[row.idx]!.push({
      rule: row.rule,
      targetKind: 'receivable',
      targetId: row.id,
      label: row.external_id,
      openAmount,
      amountFit: fit(remaining, openAmount),
      nameSimilarity: nameSimilarity(entry.counterparty_name, row.customer_name),
      daysFromDue: daysBetween(entry.booking_date, row.oldest_unpaid_due_date ?? row.maturity_date),
      counterpartyName: entry.counterparty_name,
      targetName: row.customer_name,
    });
  };
  if (stages.keyed) for (const row of await keyedRows(tx, asks)) add(row);
  if (stages.nameAmount) for (const row of await amountRows(tx, asks)) add(row);
  return out;
}

async function keyedRows(tx: Tx, asks: readonly IncomingAsk[]): Promise<OpenReceivableRow[]> {
  const idx: number[] = [];
  const keys: string[] = [];
  const rules: RuleName[] = [];
  const currencies: string[] = [];
  asks.forEach(({ entry }, i) => {
    const words = referenceWords(entry.remittance);
    const push = (rule: RuleName, key: string) => {
      idx.push(i);
      keys.push(key);
      rules.push(rule);
      currencies.push(entry.currency);
    };
    for (const body of creditorReferenceBodies(entry, words)) push('creditor_reference', body);
    for (const word of words) push('reference_text', word);
  });
  if (idx.length === 0) return [];
  const { rows } = await sql<OpenReceivableRow>`
    SELECT k.idx, k.rule, r.id, r.external_id, r.outstanding, r.oldest_unpaid_due_date, r.maturity_date,
           c.name AS customer_name
      FROM unnest(${idx}::int[], ${keys}::text[], ${rules}::text[], ${currencies}::text[]) AS k (idx, key, rule, currency)
      JOIN receivables r ON upper(r.external_id) = k.key AND r.status = 'open' AND r.currency = k.currency
                        AND r.outstanding > 0
      JOIN customers c ON c.id = r.customer_id
     ORDER BY k.idx, k.rule, r.id`.execute(tx);
  // At most KEYED_LIMIT per entry and rule (a reference text naming many receivables names none well).
  const taken = new Map<string, number>();
  return rows.filter((row) => {
    const key = `${row.idx} ${row.rule}`;
    const n = (taken.get(key) ?? 0) + 1;
    taken.set(key, n);
    return n <= KEYED_LIMIT;
  });
}

async function amountRows(tx: Tx, asks: readonly IncomingAsk[]): Promise<OpenReceivableRow[]> {
  const idx: number[] = [];
  const amounts: string[] = [];
  const currencies: string[] = [];
  asks.forEach(({ entry, remaining }, i) => {
    if (remaining <= 0n) return;
    idx.push(i);
    amounts.push(remaining.toString());
    currencies.push(entry.currency);
  });
  if (idx.length === 0) return [];
  const { rows } = await sql<OpenReceivableRow>`
    SELECT k.idx, 'name_amount' AS rule, r.id, r.external_id, r.outstanding, r.oldest_unpaid_due_date,
           r.maturity_date, r.customer_name
      FROM unnest(${idx}::int[], ${amounts}::bigint[], ${currencies}::text[]) AS k (idx, amount, currency)
     CROSS JOIN LATERAL (
       SELECT r.id, r.external_id, r.outstanding, r.oldest_unpaid_due_date, r.maturity_date, c.name AS customer_name
         FROM receivables r JOIN customers c ON c.id = r.customer_id
        WHERE r.status = 'open' AND r.currency = k.currency AND r.outstanding = k.amount AND r.outstanding > 0
        ORDER BY r.id
        LIMIT ${AMOUNT_LIMIT}) AS r
     ORDER BY k.idx, r.id`.execute(tx);
  return rows;
}

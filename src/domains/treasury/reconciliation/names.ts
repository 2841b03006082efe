/**
 * Names as a bank and a customer file write them rarely agree to the letter ("GARCIA ANA" against
 * "Ana García", "Acme S.L." against "ACME SL"). A name is normalised — accents off, lowercase,
 * punctuation out, legal forms dropped, words sorted — and two names are compared by the Dice
 * coefficient of their character pairs: 1 is the same name, about 0.8 a small difference.
 */

const LEGAL_FORMS = new Set([
  'ag',
  'bv',
  'co',
  'corp',
  'gmbh',
  'inc',
  'kg',
  'llc',
  'ltd',
  'nv',
  'oy',
  'plc',
  'sa',
  'sarl',
  'sas',
  'sl',
  'slu',
  'spa',
  'srl',
]);

export function normaliseName(name: string): string {
  const words = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/\b([a-z])\.(?=[a-z]\.)/g, '$1') // S.L. → SL., G.m.b.H. → GmbH.
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter((w) => w !== '' && !LEGAL_FORMS.has(w));
  return words.sort().join(' ');
}

function pairs(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < text.length - 1; i += 1) {
    const pair = text.slice(i, i + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  return counts;
}

/** 0 (nothing in common) to 1 (the same name once normalised), two decimals. */
export function nameSimilarity(a: string | null, b: string | null): number {
  if (!a || !b) return 0;
  const x = normaliseName(a);
  const y = normaliseName(b);
  if (x === '' || y === '') return 0;
  if (x === y) return 1;
  const px = pairs(x);
  const py = pairs(y);
  let common = 0;
  for (const [pair, n] of px) common += Math.min(n, py.get(pair) ?? 0);
  const total = Math.max(x.length - 1, 0) + Math.max(y.length - 1, 0);
  return total === 0 ? 0 : Math.round((200 * common) / total) / 100;
}

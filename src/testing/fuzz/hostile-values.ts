import fc from 'fast-check';

/**
 * Hostile inputs, as an attacker holding a valid key would send them. A `RawJson` is a fragment
 * JSON.stringify cannot produce (1e309, nesting thousands of levels deep) and is spliced into the
 * body text as it is.
 */
export class RawJson {
  constructor(readonly text: string) {}
  toString(): string {
    return `raw(${this.text.length > 40 ? `${this.text.slice(0, 40)}…` : this.text})`;
  }
}

const nested = (depth: number, open: string, close: string, inner: string): RawJson =>
  new RawJson(open.repeat(depth) + inner + close.repeat(depth));

/** Values no field should accept silently, nor answer with a 5xx. */
const FIXED_VALUES: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 63,
  -(2 ** 63),
  Number.MAX_SAFE_INTEGER + 2,
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  'a\ud800b',
  '\udfff',
  'x'.repeat(100_000),
  '1.50',
  '-100',
  '1e3',
  '0x10',
  ' 100',
  '٣٤',
  '9'.repeat(30),
  '-0',
  '2026-02-30',
  '0000-00-00',
  '9999-12-31',
  '2026-13-01T25:61:00Z',
  '%',
  '%25',
  "'; DROP TABLE customers; --",
  '{{ 7 | times: 7 }}',
  '{% include "package.json" %}',
  '../../package.json',
  'http://169.254.169.254/latest/meta-data/',
  'http://user:pass@127.0.0.1:1/x',
  'javascript:alert(1)',
  '<script>alert(1)</script>',
  'NaN',
  'Infinity',
  {},
  [],
  [null],
  { __proto__: null, polluted: true },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  { constructor: { prototype: { polluted: true } } },
  new RawJson('1e309'),
  new RawJson('-1e309'),
  new RawJson('1e-400'),
  new RawJson('123456789012345678901234567890'),
  new RawJson('"\\ud800"'),
  new RawJson('"\\u0000"'),
  nested(5000, '[', ']', '1'),
  nested(4000, '{"a":', '}', '1'),
  nested(70, '[', ']', '"deep"'),
];

/**
 * The values tried in every field of every route, not left to chance: the ones that have crashed
 * servers or reached the database unchecked (the rest come up at random).
 */
export const EVERY_FIELD_VALUES: unknown[] = [
  null,
  {},
  [],
  2 ** 63,
  'a\u0000b',
  'a\ud800b',
  'x'.repeat(100_000),
  '1.50',
  '9'.repeat(30),
  '2026-02-30',
  new RawJson('1e309'),
  nested(5000, '[', ']', '1'),
  nested(4000, '{"a":', '}', '1'),
];

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FIXED_VALUES) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** Whole bodies that are not what any route takes. */
export const HOSTILE_BODIES: readonly string[] = [
  '',
  'not json',
  '{',
  '[]',
  'null',
  '"a string"',
  '1',
  '{"a":1,"a":2}',
  `{"x":"${'y'.repeat(200_000)}"}`,
  nested(5000, '[', ']', '').text,
  nested(4000, '{"a":', '}', '1').text,
  '{"__proto__":{"isAdmin":true}}',
];

export const hostileBodyText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_BODIES),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

/** Content types a JSON route must refuse or read correctly. */
export const hostileContentType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  undefined,
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'multipart/form-data; boundary=x',
);

/** Path segments: ids that exist elsewhere, and ones that try to break out. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%00',
    'a%00b',
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e',
    '%ff',
    '%ed%a0%80',
    '%25',
    'x'.repeat(5000),
    '-1',
    '0',
    "1'%20OR%20'1'='1",
    '%E4%B8%AD%E6%96%87',
    'cus_00000000000000000000000000',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
);

/** JSON text of a value that may hold `RawJson` fragments. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawJson) {
      raws.push(v.text);
      return `\u0001raw${raws.length - 1}\u0001`;
    }
    return v;
  });
  // JSON.stringify escapes U+0001 as \u0001, so the marker cannot collide with a real string.
  return (text ?? 'null').replace(/"\\u0001raw(\d+)\\u0001"/g, (_m, i: string) => raws[Number(i)]!);
}

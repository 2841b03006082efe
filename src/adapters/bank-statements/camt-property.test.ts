import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { minorUnitDigits } from '../../core/money.js';
import { mulberry32 } from '../../core/seeded-random.js';
import { formatMinorUnits } from '../iso20022/amounts.js';
import { validateManyAgainstXsd } from '../iso20022/xsd-validation.js';
import { readCamt } from './camt-reader.js';
import type { CreditDebit } from './statement-types.js';

/**
 * Seeded random statements written as camt.053.001.08 (valid against the schema) and read back: every
 * amount, direction, date, reference and text comes back as written, whatever the currency's minor
 * digits, characters XML must escape, text outside ASCII, and wherever the bytes are cut.
 */

const SEED = 20240304;
const DOCUMENTS = 40;
const CURRENCIES = ['EUR', 'JPY', 'BHD', 'CHF', 'USD', 'KWD', 'CLP'];
// Letters XML must escape and letters of several scripts (2-, 3- and 4-byte UTF-8).
const ALPHABET = 'abcxyzABCXYZ0123456789-/.,:+<>&"\'üßéçøłžЖ北京€𝄞';

interface Expected {
  currency: string;
  entries: {
    reference: string | null;
    amount: bigint;
    creditDebit: CreditDebit;
    reversal: boolean;
    status: string;
    bookingDate: string;
    valueDate: string | null;
    transactions: {
      endToEndId: string;
      amount: bigint;
      creditDebit: CreditDebit;
      name: string | null;
      lines: string[];
    }[];
  }[];
}

const escape = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');

function generate(random: () => number): Expected {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const int = (max: number): number => Math.floor(random() * max);
  // Single spaces inside only: free text is read with runs of whitespace folded.
  const text = (max: number): string => {
    const length = 1 + int(max);
    let out = '';
    for (let i = 0; i < length; i++) {
      const char =
        out.length > 0 && out.at(-1) !== ' ' && i < length - 1 && random() < 0.15 ? ' ' : pick([...ALPHABET]);
      out += char;
    }
    return out;
  };
  const date = (): string => `2024-${String(1 + int(12)).padStart(2, '0')}-${String(1 + int(28)).padStart(2, '0')}`;
  const currency = pick(CURRENCIES);
  const entries = Array.from({ length: int(30) }, () => {
    const transactions = Array.from({ length: int(4) }, () => ({
      endToEndId: text(30),
      amount: BigInt(int(1_000_000_000)) * BigInt(1 + int(1000)),
      creditDebit: pick(['CRDT', 'DBIT'] as const),
      name: random() < 0.8 ? text(60) : null,
      lines: Array.from({ length: int(3) }, () => text(120)),
    }));
    return {
      reference: random() < 0.7 ? text(30) : null,
      amount: BigInt(int(2_000_000_000)) * BigInt(1 + int(100_000)),
      creditDebit: pick(['CRDT', 'DBIT'] as const),
      reversal: random() < 0.1,
      status: pick(['BOOK', 'PDNG', 'INFO']),
      bookingDate: date(),
      valueDate: random() < 0.9 ? date() : null,
      transactions,
    };
  });
  return { currency, entries };
}

/** An amount as banks write it: the currency's digits, sometimes with a trailing zero more. */
function amountText(amount: bigint, currency: string, random: () => number): string {
  const digits = minorUnitDigits(currency);
  const text = formatMinorUnits(amount, digits);
  if (random() < 0.3) return digits === 0 ? `${text}.0` : `${text}0`;
  return text;
}

function write(expected: Expected, index: number, random: () => number): string {
  const { currency } = expected;
  const amount = (value: bigint, element = 'Amt'): string =>
    `<${element} Ccy="${currency}">${amountText(value, currency, random)}</${element}>`;
  const entries = expected.entries.map((e) => {
    const transactions = e.transactions.map(
      (t) =>
        `<TxDtls><Refs><EndToEndId>${escape(t.endToEndId)}</EndToEndId></Refs>${amount(t.amount)}<CdtDbtInd>${t.creditDebit}</CdtDbtInd>` +
        (t.name
          ? `<RltdPties><${t.creditDebit === 'CRDT' ? 'Dbtr' : 'Cdtr'}><Pty><Nm>${escape(t.name)}</Nm></Pty></${t.creditDebit === 'CRDT' ? 'Dbtr' : 'Cdtr'}></RltdPties>`
          : '') +
        (t.lines.length ? `<RmtInf>${t.lines.map((l) => `<Ustrd>${escape(l)}</Ustrd>`).join('')}</RmtInf>` : '') +
        '</TxDtls>',
    );
    return (
      '<Ntry>' +
      (e.reference ? `<NtryRef>${escape(e.reference)}</NtryRef>` : '') +
      `${amount(e.amount)}<CdtDbtInd>${e.creditDebit}</CdtDbtInd>` +
      (e.reversal ? '<RvslInd>true</RvslInd>' : '') +
      `<Sts><Cd>${e.status}</Cd></Sts><BookgDt><Dt>${e.bookingDate}</Dt></BookgDt>` +
      (e.valueDate ? `<ValDt><Dt>${e.valueDate}</Dt></ValDt>` : '') +
      '<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>' +
      (transactions.length ? `<NtryDtls>${transactions.join('\n')}</NtryDtls>` : '') +
      '</Ntry>'
    );
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>PROP-${index}</MsgId><CreDtTm>2024-03-04T23:00:00Z</CreDtTm></GrpHdr>
<Stmt><Id>PROP-STMT-${index}</Id><Acct><Id><Othr><Id>ACC-${index}</Id></Othr></Id><Ccy>${currency}</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp>${amount(0n)}<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-04</Dt></Dt></Bal>
${entries.join('\n')}
</Stmt></BkToCstmrStmt></Document>
`;
}

/** The document's bytes in random pieces of 1 to 200 bytes. */
function* randomPieces(xml: string, random: () => number): Generator<Uint8Array> {
  const bytes = Buffer.from(xml, 'utf8');
  for (let i = 0; i < bytes.length;) {
    const size = 1 + Math.floor(random() * 200);
    yield bytes.subarray(i, i + size);
    i += size;
  }
}

describe('camt property', () => {
  test(`${DOCUMENTS} seeded random statements are schema-valid and read back exactly`, async () => {
    const random = mulberry32(SEED);
    const documents = Array.from({ length: DOCUMENTS }, (_, i) => {
      const expected = generate(random);
      return { expected, xml: write(expected, i, random) };
    });
    const results = await validateManyAgainstXsd(
      documents.map((d) => d.xml),
      'camt.053.001.08',
    );
    results.forEach((result, i) => assert.deepEqual(result, { valid: true, errors: [] }, `document ${i}`));

    let entries = 0;
    for (const [i, { expected, xml }] of documents.entries()) {
      const read: Expected['entries'] = [];
      for await (const event of readCamt(randomPieces(xml, random))) {
        if (event.kind === 'statement') assert.equal(event.statement.account.otherId, `ACC-${i}`);
        if (event.kind !== 'entry') continue;
        const e = event.entry;
        assert.deepEqual(e.warnings, []);
        assert.equal(e.amount.currency, expected.currency);
        read.push({
          reference: e.reference,
          amount: e.amount.amount,
          creditDebit: e.creditDebit,
          reversal: e.reversal,
          status: e.status!,
          bookingDate: e.bookingDate!,
          valueDate: e.valueDate,
          transactions: e.transactions.map((t) => ({
            endToEndId: t.endToEndId!,
            amount: t.amount!.amount,
            creditDebit: t.creditDebit!,
            name: t.counterparty?.name ?? null,
            lines: t.remittance?.unstructured ?? [],
          })),
        });
      }
      assert.deepEqual(read, expected.entries, `document ${i} (${expected.currency})`);
      entries += read.length;
    }
    assert.ok(entries > 400, `${entries} entries`);
  });
});

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { batchOf, sepaBlock } from '../../testing/iso20022-samples.js';
import { messageOfNamespace, SCHEMA_MESSAGES, isSchemaMessage } from './messages.js';
import { writePain001 } from './pain001-writer.js';
import { validateAgainstXsd, validateManyAgainstXsd } from './xsd-validation.js';

/**
 * Schema validation itself, and the banks' sample pain.001 files against the schemas shipped here.
 * Every sample is a 2009-edition (.03) file; the .03 schema here is the German DK SEPA variant, which
 * is narrower than ISO's: none of the samples passes it, each for reasons named below (DK-only
 * restrictions, or templates with placeholders, or a copy-paste artefact). No ISO .03 schema ships.
 */

const FIXTURES = new URL('./fixtures/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const pain001Fixtures = readdirSync(FIXTURES).filter((name) => /pain_001/.test(name));

/** Why each sample fails the DK .03 schema: a fragment every listed reason's error contains. */
const DK_REFUSALS: Record<string, string[]> = {
  // Indented with non-breaking spaces (U+00A0), which are text, not whitespace, to XML; and US ACH/RTP
  // details (account numbers, ABA routing, USD, SHAR, structured address) that SEPA does not carry.
  'cross_river--pain_001_ach_credit.xml': [
    "Element 'Document': Character content other than whitespace is not allowed",
    "Element 'BICOrBEI': [facet 'pattern'] The value 'JOHNDOE99'",
    "Element 'LclInstrm': This element is not expected",
    "Element 'Othr': This element is not expected. Expected is ( IBAN )",
    "Element 'ClrSysMmbId': This element is not expected",
    "Element 'ChrgBr': [facet 'enumeration'] The value 'SHAR'",
    "attribute 'Ccy': [facet 'enumeration'] The value 'USD'",
  ],
  'cross_river--pain_001_rtp_credit.xml': [
    "Element 'Document': Character content other than whitespace is not allowed",
    "Element 'Othr': This element is not expected. Expected is ( IBAN )",
    "Element 'ChrgBr': [facet 'enumeration'] The value 'SHAR'",
    "attribute 'Ccy': [facet 'enumeration'] The value 'USD'",
  ],
  // A SEPA file valid under ISO .03, but DK allows only Ctry and AdrLine in addresses, and no Ccy on
  // the creditor's account.
  'example--sepa_pain_001_v3.xml': [
    "Element 'StrtNm': This element is not expected. Expected is one of ( Ctry, AdrLine )",
    "Element 'Ccy': This element is not expected",
  ],
  'example--sepa_pain_001_v3_multiple_pmtinf.xml': [
    "Element 'StrtNm': This element is not expected. Expected is one of ( Ctry, AdrLine )",
    "Element 'Ccy': This element is not expected",
  ],
  // A cross-border (SWIFT) USD transfer: non-IBAN debtor account, SHAR, USD, structured address.
  'example--swift_pain_001_v3.xml': [
    "Element 'Othr': This element is not expected. Expected is ( IBAN )",
    "Element 'ChrgBr': [facet 'enumeration'] The value 'SHAR'",
    "attribute 'Ccy': [facet 'enumeration'] The value 'USD'",
    "Element 'StrtNm': This element is not expected",
  ],
  // Goldman Sachs' templates: placeholders instead of values, plus US ACH details in the first.
  'goldman_sachs--pain_001_ach_credit.xml': [
    "Element 'ReqdExctnDt': 'YYYY-MM-DD' is not a valid value",
    "Element 'LclInstrm': This element is not expected",
    "Element 'Othr': This element is not expected. Expected is ( IBAN )",
    "Element 'ClrSysMmbId': This element is not expected",
    "attribute 'Ccy': [facet 'enumeration'] The value 'USD'",
  ],
  'goldman_sachs--pain_001_v3_sepa.xml': [
    "Element 'ReqdExctnDt': 'YYYY-MM-DD' is not a valid value",
    "Element 'IBAN': [facet 'pattern'] The value 'IBAN' is not accepted",
    "Element 'BIC': [facet 'pattern'] The value 'Bank BIC' is not accepted",
  ],
};

describe('XSD validation', () => {
  test('every shipped schema compiles', async () => {
    for (const message of SCHEMA_MESSAGES) {
      // A document of the wrong kind: the schema must load and then refuse it, not fail to load.
      const result = await validateAgainstXsd('<Nothing/>', message);
      assert.equal(result.valid, false, message);
      assert.match(result.errors[0]!, /^line 1: Element 'Nothing': No matching global declaration/, message);
    }
  });

  test('errors name the line and the element, without namespaces', async () => {
    const xml = writePain001(batchOf(sepaBlock()), 'pain.001.001.09')
      .replace('<PmtMtd>TRF</PmtMtd>', '<PmtMtd>XXX</PmtMtd>')
      .replace('<Nm>Dael Muniz</Nm>', '<Nm>Dael Muniz</Nm><Unknown/>');
    const result = await validateAgainstXsd(xml, 'pain.001.001.09');
    assert.equal(result.valid, false);
    const line = (fragment: string): number => xml.split('\n').findIndex((l) => l.includes(fragment)) + 1;
    assert.deepEqual(result.errors, [
      `line ${line('<PmtMtd>')}: Element 'PmtMtd': [facet 'enumeration'] The value 'XXX' is not an element of the set {'CHK', 'TRF', 'TRA'}.`,
      `line ${line('<Unknown/>')}: Element 'Unknown': This element is not expected. Expected is one of ( PstlAdr, Id, CtryOfRes, CtctDtls ).`,
    ]);
  });

  test('a document that is not well-formed', async () => {
    const result = await validateAgainstXsd('<Document>\n<open></Document>', 'pain.001.001.10');
    assert.equal(result.valid, false);
    assert.match(
      result.errors[0]!,
      /^line 2: parser error : Opening and ending tag mismatch: open line 2 and Document/,
    );
  });

  test('many documents in one run: results in order, each with its own errors', async () => {
    const good = writePain001(batchOf(sepaBlock()), 'pain.001.001.10');
    const bad = good.replace('<BtchBookg>true</BtchBookg>', '<BtchBookg>yes</BtchBookg>');
    const results = await validateManyAgainstXsd([good, bad, good, '<x'], 'pain.001.001.10');
    assert.deepEqual(
      results.map((r) => r.valid),
      [true, false, true, false],
    );
    assert.equal(results[1]!.errors.length, 1);
    assert.match(results[1]!.errors[0]!, /Element 'BtchBookg': 'yes' is not a valid value of the atomic type/);
    assert.deepEqual(results[0]!.errors, []);
    assert.match(results[3]!.errors[0]!, /^line 1: parser error/);
    assert.deepEqual(await validateManyAgainstXsd([], 'pain.001.001.10'), []);
  });
});

describe('sample pain.001 files against the shipped schemas', () => {
  test('the samples are the ones this test knows', () => {
    assert.deepEqual(pain001Fixtures.sort(), Object.keys(DK_REFUSALS).sort());
  });

  for (const name of pain001Fixtures) {
    test(name, async () => {
      const xml = fixture(name);
      const namespace = /<Document[^>]*\sxmlns="([^"]+)"/.exec(xml)?.[1] ?? '';
      const version = messageOfNamespace(namespace);
      assert.equal(version, 'pain.001.001.03', 'every sample is a .03 file');
      assert.ok(isSchemaMessage(version));
      const result = await validateAgainstXsd(xml, version);
      assert.equal(result.valid, false, `${name} now passes the DK schema: move it to the valid list`);
      for (const reason of DK_REFUSALS[name]!) {
        assert.ok(
          result.errors.some((e) => e.includes(reason)),
          `${name}: no error contains "${reason}"; errors:\n${result.errors.join('\n')}`,
        );
      }
      assert.ok(result.errors.every((e) => /^line \d+: /.test(e)));
    });
  }

  test('the ISO SEPA samples pass the DK schema once its restrictions are met', async () => {
    // Proves the DK restrictions are the only reasons: drop the structured address and the account currency.
    for (const name of ['example--sepa_pain_001_v3.xml', 'example--sepa_pain_001_v3_multiple_pmtinf.xml']) {
      const xml = fixture(name)
        .replace(
          /<StrtNm>[^<]*<\/StrtNm>\s*<BldgNb>[^<]*<\/BldgNb>\s*<PstCd>[^<]*<\/PstCd>\s*<TwnNm>[^<]*<\/TwnNm>\s*<CtrySubDvsn>[^<]*<\/CtrySubDvsn>/g,
          '',
        )
        .replace(/<Ccy>EUR<\/Ccy>/g, '');
      const result = await validateAgainstXsd(xml, 'pain.001.001.03');
      assert.deepEqual(result.errors, [], name);
    }
  });
});

import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readCamt, readCamtWhole } from './camt-reader.js';
import { readStatements } from './read-statements.js';
import type { StatementEvent } from './statement-types.js';

/**
 * Streaming: a 100 000-entry camt.053 generated piece by piece (never whole in memory) is read with
 * the heap staying flat, and the ways a file arrives (Node streams, web streams, bytes cut
 * anywhere) all read the same.
 */

// A collectable heap measures what the reader holds, not garbage it has not yet collected.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ENTRIES = 100_000;
const PER_PIECE = 250;

/** camt.053.001.08 text in pieces of PER_PIECE entries, with the expected totals kept on the side. */
function largeStatement(): { pieces: Generator<string>; expected: { credits: bigint; debits: bigint } } {
  const expected = { credits: 0n, debits: 0n };
  function* pieces(): Generator<string> {
    yield `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>BIG-1</MsgId><CreDtTm>2024-03-04T23:00:00Z</CreDtTm></GrpHdr>
<Stmt><Id>BIG-STMT</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">0.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-03-03</Dt></Dt></Bal>
`;
    for (let start = 0; start < ENTRIES; start += PER_PIECE) {
      let text = '';
      for (let i = start; i < start + PER_PIECE; i++) {
        // Amounts from 0.01 to 99 999.99, a third of them debits; all exact in minor units.
        const minor = BigInt(((i * 7919) % 9_999_999) + 1);
        const credit = i % 3 !== 0;
        if (credit) expected.credits += minor;
        else expected.debits += minor;
        const amount = `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`;
        text += `<Ntry><NtryRef>N${i}</NtryRef><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>${credit ? 'CRDT' : 'DBIT'}</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2024-03-04</Dt></BookgDt><ValDt><Dt>2024-03-04</Dt></ValDt><AcctSvcrRef>ASR-${i}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs><EndToEndId>E2E-${i}</EndToEndId></Refs><Amt Ccy="EUR">${amount}</Amt><CdtDbtInd>${credit ? 'CRDT' : 'DBIT'}</CdtDbtInd><RltdPties><Dbtr><Pty><Nm>Customer ${i % 1000}</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>DE02120300000000202051</IBAN></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>Invoice ${i} of customer ${i % 1000}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n`;
      }
      yield text;
    }
    yield '</Stmt></BkToCstmrStmt></Document>\n';
  }
  return { pieces: pieces(), expected };
}

describe('streaming camt', () => {
  test(`${ENTRIES} entries in bounded memory, every amount exact`, async () => {
    const { pieces, expected } = largeStatement();
    gc();
    const before = process.memoryUsage().heapUsed;
    let peak = 0;
    let count = 0;
    let credits = 0n;
    let debits = 0n;
    let lastReference = '';
    let bytes = 0;
    const started = Date.now();
    // Async, as a file or a socket delivers it: the reader must pull, not be pushed everything.
    const measured = (async function* () {
      for (const piece of pieces) {
        bytes += piece.length;
        yield await Promise.resolve(piece);
      }
    })();
    for await (const event of readCamt(measured)) {
      if (event.kind !== 'entry') continue;
      count++;
      if (event.entry.creditDebit === 'CRDT') credits += event.entry.amount.amount;
      else debits += event.entry.amount.amount;
      lastReference = event.entry.transactions[0]!.endToEndId!;
      if (count % 10_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - before);
      }
    }
    const seconds = (Date.now() - started) / 1000;
    assert.equal(count, ENTRIES);
    assert.equal(lastReference, `E2E-${ENTRIES - 1}`);
    assert.equal(credits, expected.credits);
    assert.equal(debits, expected.debits);
    // The whole file is ~70 MB of text and its entries as objects several times that; the reader
    // holds one piece and its entries at a time.
    assert.ok(bytes > 60_000_000, `the file is ${bytes} characters`);
    assert.ok(peak < 32 * 1024 * 1024, `the heap grew by ${(peak / 1024 / 1024).toFixed(1)} MB`);
    console.log(
      `# ${ENTRIES} entries, ${(bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s; heap growth at most ${(peak / 1024 / 1024).toFixed(1)} MB`,
    );
  });

  test('a Node file stream, a web ReadableStream and single bytes read exactly as the whole file', async () => {
    const url = new URL('./fixtures/camt053-v04-features.xml', import.meta.url);
    const whole = readCamtWhole(readFileSync(url, 'utf8'));
    const collect = async (events: AsyncIterable<StatementEvent>): Promise<StatementEvent[]> => {
      const all: StatementEvent[] = [];
      for await (const event of events) all.push(event);
      return all;
    };
    const entriesOf = (events: StatementEvent[]) => events.flatMap((e) => (e.kind === 'entry' ? [e.entry] : []));
    const fromNode = await collect(readCamt(createReadStream(url, { highWaterMark: 1024 })));
    assert.deepEqual(entriesOf(fromNode), whole[0]!.entries);
    assert.deepEqual(
      fromNode.map((e) => e.kind),
      ['statement', 'entry', 'entry', 'entry', 'statementEnd'],
    );
    const bytes = readFileSync(url);
    const web = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 333) controller.enqueue(bytes.subarray(i, i + 333));
        controller.close();
      },
    });
    assert.deepEqual(entriesOf(await collect(readStatements(web))), whole[0]!.entries);
    const oneByOne = (function* () {
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    })();
    assert.deepEqual(entriesOf(await collect(readCamt(oneByOne))), whole[0]!.entries);
  });

  test('a caller that stops early closes the source', async () => {
    const stream = createReadStream(new URL('./fixtures/camt053-v02-features.xml', import.meta.url), {
      highWaterMark: 512,
    });
    for await (const event of readStatements(stream)) {
      if (event.kind === 'entry') break;
    }
    assert.equal(stream.destroyed, true);
  });

  test('a declared encoding other than UTF-8 is decoded by it', async () => {
    const xml = readFileSync(new URL('./fixtures/camt053-v02-features.xml', import.meta.url), 'utf8').replace(
      'encoding="UTF-8"',
      'encoding="ISO-8859-1"',
    );
    const latin1 = Buffer.from(xml, 'latin1');
    const names: string[] = [];
    for await (const event of readCamt(latin1)) {
      if (event.kind === 'entry') names.push(...event.entry.transactions.map((t) => t.counterparty?.name ?? ''));
    }
    assert.ok(names.includes('Zulieferer & Söhne KG'));
  });
});

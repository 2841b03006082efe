/**
 * Writes camt.053.001.08 statements for tests and benchmarks: a few entries as a string, or 100 000
 * as a stream of pieces (never the whole file in memory). Valid against the schema for what it
 * writes; amounts are minor units of a two-decimal currency.
 */

export interface CamtEntrySpec {
  amount: bigint;
  direction: 'CRDT' | 'DBIT';
  bookingDate: string;
  valueDate?: string;
  reversal?: boolean;
  accountServicerReference?: string;
  endToEndId?: string;
  creditorReference?: string;
  unstructured?: string;
  counterpartyName?: string;
  counterpartyIban?: string;
  returnReason?: string;
  status?: 'BOOK' | 'PDNG';
  /** Bank charges included in the amount (Chrgs). */
  charges?: bigint;
  /**
   * A batch booking: the entry's transactions, each with its own end-to-end id, amount and creditor
   * (the entry's own references are then left out).
   */
  transactions?: Array<{ endToEndId: string; amount: bigint; counterpartyName?: string }>;
  /** The batch summary (Btch): which file the bank booked; alone, the entry lists no transactions. */
  batch?: { messageId?: string; paymentInformationId?: string; count?: number };
}

export interface CamtStatementSpec {
  messageId: string;
  statementId: string;
  iban: string;
  currency: string;
  opening: bigint;
  date: string;
}

const decimal = (minor: bigint) => {
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
};
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function balance(type: string, amount: bigint, currency: string, date: string): string {
  return `<Bal><Tp><CdOrPrtry><Cd>${type}</Cd></CdOrPrtry></Tp><Amt Ccy="${currency}">${decimal(amount < 0n ? -amount : amount)}</Amt><CdtDbtInd>${amount < 0n ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>${date}</Dt></Dt></Bal>`;
}

export function camtEntry(e: CamtEntrySpec, currency: string): string {
  const party = e.direction === 'CRDT' ? 'Dbtr' : 'Cdtr';
  const parties =
    e.counterpartyName || e.counterpartyIban
      ? `<RltdPties>${e.counterpartyName ? `<${party}><Pty><Nm>${escape(e.counterpartyName)}</Nm></Pty></${party}>` : ''}${
          e.counterpartyIban ? `<${party}Acct><Id><IBAN>${e.counterpartyIban}</IBAN></Id></${party}Acct>` : ''
        }</RltdPties>`
      : '';
  const remittance =
    e.creditorReference || e.unstructured
      ? `<RmtInf>${e.unstructured ? `<Ustrd>${escape(e.unstructured)}</Ustrd>` : ''}${
          e.creditorReference
            ? `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp><Ref>${e.creditorReference}</Ref></CdtrRefInf></Strd>`
            : ''
        }</RmtInf>`
      : '';
  const ret = e.returnReason ? `<RtrInf><Rsn><Cd>${e.returnReason}</Cd></Rsn></RtrInf>` : '';
  return (
    `<Ntry><Amt Ccy="${currency}">${decimal(e.amount)}</Amt><CdtDbtInd>${e.direction}</CdtDbtInd>` +
    (e.reversal ? '<RvslInd>true</RvslInd>' : '') +
    `<Sts><Cd>${e.status ?? 'BOOK'}</Cd></Sts><BookgDt><Dt>${e.bookingDate}</Dt></BookgDt>` +
    `<ValDt><Dt>${e.valueDate ?? e.bookingDate}</Dt></ValDt>` +
    (e.accountServicerReference ? `<AcctSvcrRef>${e.accountServicerReference}</AcctSvcrRef>` : '') +
    `<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>${e.direction === 'CRDT' ? 'RCDT' : 'ICDT'}</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>` +
    (e.charges === undefined
      ? ''
      : `<Chrgs><TtlChrgsAndTaxAmt Ccy="${currency}">${decimal(e.charges)}</TtlChrgsAndTaxAmt><Rcrd>` +
        `<Amt Ccy="${currency}">${decimal(e.charges)}</Amt><CdtDbtInd>DBIT</CdtDbtInd><ChrgInclInd>true</ChrgInclInd></Rcrd></Chrgs>`) +
    (e.transactions || e.batch
      ? `<NtryDtls>${batchSummary(e)}` +
        (e.transactions ?? [])
          .map(
            (t) =>
              `<TxDtls><Refs><EndToEndId>${t.endToEndId}</EndToEndId></Refs>` +
              `<Amt Ccy="${currency}">${decimal(t.amount)}</Amt><CdtDbtInd>${e.direction}</CdtDbtInd>` +
              (t.counterpartyName
                ? `<RltdPties><Cdtr><Pty><Nm>${escape(t.counterpartyName)}</Nm></Pty></Cdtr></RltdPties>`
                : '') +
              '</TxDtls>',
          )
          .join('') +
        '</NtryDtls></Ntry>'
      : `<NtryDtls><TxDtls><Refs><EndToEndId>${e.endToEndId ?? 'NOTPROVIDED'}</EndToEndId></Refs>` +
        `<Amt Ccy="${currency}">${decimal(e.amount)}</Amt><CdtDbtInd>${e.direction}</CdtDbtInd>` +
        `${parties}${remittance}${ret}</TxDtls></NtryDtls></Ntry>`)
  );
}

/** Btch (MsgId, PmtInfId, NbOfTxs in the schema's order): the batch's ids, its count by default the transactions'. */
function batchSummary(e: CamtEntrySpec): string {
  const count = e.batch?.count ?? e.transactions?.length;
  return (
    '<Btch>' +
    (e.batch?.messageId ? `<MsgId>${e.batch.messageId}</MsgId>` : '') +
    (e.batch?.paymentInformationId ? `<PmtInfId>${e.batch.paymentInformationId}</PmtInfId>` : '') +
    (count === undefined ? '' : `<NbOfTxs>${count}</NbOfTxs>`) +
    '</Btch>'
  );
}

/**
 * A camt.053.001.08 file as pieces: the header, then entries a thousand at a time, then the end. The
 * closing balance comes before the entries in the schema, so a streamed file carries it only when the
 * caller knows it (`closing`).
 */
export async function* camt053Pieces(
  s: CamtStatementSpec & { closing?: bigint },
  entries: Iterable<CamtEntrySpec> | AsyncIterable<CamtEntrySpec>,
): AsyncGenerator<string> {
  yield header(s) + (s.closing === undefined ? '' : balance('CLBD', s.closing, s.currency, s.date));
  let piece = '';
  let count = 0;
  for await (const e of entries as AsyncIterable<CamtEntrySpec>) {
    piece += camtEntry(e, s.currency);
    count += 1;
    if (count % 1000 === 0) {
      yield piece;
      piece = '';
    }
  }
  yield `${piece}</Stmt></BkToCstmrStmt></Document>\n`;
}

function header(s: CamtStatementSpec): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>` +
    `<GrpHdr><MsgId>${s.messageId}</MsgId><CreDtTm>${s.date}T18:00:00Z</CreDtTm></GrpHdr>` +
    `<Stmt><Id>${s.statementId}</Id><CreDtTm>${s.date}T18:00:00Z</CreDtTm>` +
    `<Acct><Id><IBAN>${s.iban}</IBAN></Id><Ccy>${s.currency}</Ccy></Acct>` +
    balance('OPBD', s.opening, s.currency, s.date)
  );
}

/** A small camt.053.001.08 file as one string, with its opening and closing balances. */
export function camt053(s: CamtStatementSpec, entries: CamtEntrySpec[]): string {
  const closing = entries
    .filter((e) => (e.status ?? 'BOOK') === 'BOOK')
    .reduce((sum, e) => sum + (e.direction === 'CRDT' ? e.amount : -e.amount), s.opening);
  return (
    header(s) +
    balance('CLBD', closing, s.currency, s.date) +
    entries.map((e) => camtEntry(e, s.currency)).join('') +
    `</Stmt></BkToCstmrStmt></Document>\n`
  );
}

/**
 * Writes pain.002 customer payment status reports for tests: a bank's answer to a pain.001 at the
 * group, payment information and transaction levels, with reasons. Valid against the pain.002.001.10
 * schema when the statuses and codes are (the element order is the schema's); `.03` writes the 2009
 * namespace with the same elements.
 */

export interface Pain002Reason {
  code?: string;
  proprietary?: string;
  info?: string[];
}

export interface Pain002TransactionSpec {
  endToEndId?: string;
  instructionId?: string;
  status: string;
  reasons?: Pain002Reason[];
}

export interface Pain002BlockSpec {
  id: string;
  status?: string;
  reasons?: Pain002Reason[];
  transactions?: Pain002TransactionSpec[];
}

export interface Pain002Spec {
  messageId: string;
  /** The pain.001's GrpHdr/MsgId; omitted when null. */
  originalMessageId: string | null;
  originalMessageName?: string;
  version?: 'pain.002.001.03' | 'pain.002.001.10';
  createdAt?: string;
  groupStatus?: string;
  groupReasons?: Pain002Reason[];
  blocks?: Pain002BlockSpec[];
}

const escape = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const element = (name: string, value: string | undefined) =>
  value === undefined ? '' : `<${name}>${escape(value)}</${name}>`;

function reasons(list: Pain002Reason[] | undefined): string {
  return (list ?? [])
    .map((r) => {
      const rsn = r.code !== undefined ? element('Cd', r.code) : element('Prtry', r.proprietary);
      const info = (r.info ?? []).map((i) => element('AddtlInf', i)).join('');
      return `<StsRsnInf>${rsn ? `<Rsn>${rsn}</Rsn>` : ''}${info}</StsRsnInf>`;
    })
    .join('\n');
}

export function pain002(spec: Pain002Spec): string {
  const version = spec.version ?? 'pain.002.001.10';
  const blocks = (spec.blocks ?? [])
    .map((block) => {
      const transactions = (block.transactions ?? [])
        .map(
          (tx) =>
            `      <TxInfAndSts>${element('OrgnlInstrId', tx.instructionId)}${element('OrgnlEndToEndId', tx.endToEndId)}` +
            `${element('TxSts', tx.status)}${reasons(tx.reasons)}</TxInfAndSts>`,
        )
        .join('\n');
      return (
        `    <OrgnlPmtInfAndSts>${element('OrgnlPmtInfId', block.id)}${element('PmtInfSts', block.status)}` +
        `${reasons(block.reasons)}\n${transactions}\n    </OrgnlPmtInfAndSts>`
      );
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:${version}">
  <CstmrPmtStsRpt>
    <GrpHdr>${element('MsgId', spec.messageId)}${element('CreDtTm', spec.createdAt ?? '2026-03-03T08:00:00Z')}</GrpHdr>
    <OrgnlGrpInfAndSts>${element('OrgnlMsgId', spec.originalMessageId ?? undefined)}${element(
      'OrgnlMsgNmId',
      spec.originalMessageName ?? 'pain.001.001.09',
    )}${element('GrpSts', spec.groupStatus)}${reasons(spec.groupReasons)}</OrgnlGrpInfAndSts>
${blocks}
  </CstmrPmtStsRpt>
</Document>
`;
}

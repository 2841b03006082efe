import { isCurrency, minorUnitDigits } from '../../core/money.js';
import { parseDecimalToMinorUnits } from './amounts.js';
import { messageOfNamespace } from './messages.js';
import { child, children, malformed, parseXmlTree, textAt, type XmlElement } from './xml-tree.js';

/**
 * Reads a pain.002 customer payment status report: the bank's answer to a pain.001, on the whole
 * file (group), on each payment information block and on single transfers. Read by local element
 * names, so .001.03 and .001.10/.11 (the same shape for what is read here) and banks' own namespaces
 * all read alike; the namespace and version found are recorded. Banks' files often leave out
 * elements the schema requires; such gaps are read as null and listed in `warnings` rather than
 * refused, since the status inside is still what the bank said.
 */
export interface Pain002Report {
  /** Namespace of the Document element, null when it has none. */
  namespace: string | null;
  /** Message version from the namespace (pain.002.001.03), null when it names none. */
  version: string | null;
  messageId: string;
  createdAt: string | null;
  original: {
    messageId: string | null;
    /** The original message's name (pain.001.001.03, or a bank's own such as NACHA). */
    messageNameId: string | null;
    createdAt: string | null;
    numberOfTransactions: number | null;
    /** Decimal as written (never a float). */
    controlSum: string | null;
  };
  /** GrpSts: ACCP, ACTC, ACSP, ACSC, ACWC, PART, PDNG, RCVD, RJCT… */
  groupStatus: string | null;
  groupReasons: StatusReason[];
  paymentInformation: PaymentInformationStatus[];
  warnings: string[];
}

export interface StatusReason {
  /** Rsn/Cd, an ISO external status reason code (AC01, AM04, DU01, NARR…). */
  code: string | null;
  /** Rsn/Prtry, a bank's own reason. */
  proprietary: string | null;
  additionalInfo: string[];
  /** Orgtr/Nm: who gave the reason, when said. */
  originator: string | null;
}

export interface PaymentInformationStatus {
  originalPaymentInformationId: string | null;
  originalNumberOfTransactions: number | null;
  originalControlSum: string | null;
  status: string | null;
  reasons: StatusReason[];
  transactions: TransactionStatus[];
}

export interface TransactionStatus {
  statusId: string | null;
  originalInstructionId: string | null;
  originalEndToEndId: string | null;
  originalUetr: string | null;
  status: string | null;
  reasons: StatusReason[];
  acceptedAt: string | null;
  accountServicerReference: string | null;
  clearingSystemReference: string | null;
  /** OrgnlTxRef/Amt/InstdAmt when the bank repeats it; `minor` null when not exact in the currency. */
  originalAmount: { value: string; currency: string; minor: bigint | null } | null;
}

const STATUS_CODE = /^[A-Z]{4}$/;

export function readPain002(xml: string): Pain002Report {
  const warnings: string[] = [];
  const document = parseXmlTree(xml, 'pain.002');
  if (document.name !== 'Document') {
    throw malformed('pain.002', `the root element is ${document.name}; a pain.002 has Document`, {
      path: document.path,
    });
  }
  const report = child(document, 'CstmrPmtStsRpt');
  if (!report) {
    const found = document.children.map((c) => c.name).join(', ') || 'nothing';
    throw malformed('pain.002', `Document holds ${found}; a pain.002 has Document/CstmrPmtStsRpt`, {
      path: 'Document',
    });
  }

  const namespace = document.namespace || null;
  let version = namespace ? messageOfNamespace(namespace) : null;
  if (!namespace) {
    // Seen in the wild (Cross River): the namespace written as an attribute "Xmlns", which XML takes
    // as an ordinary attribute; it still tells the version.
    const declared = Object.entries(document.attributes).find(([name]) => name.toLowerCase() === 'xmlns')?.[1];
    version = declared ? messageOfNamespace(declared) : null;
    warnings.push(
      declared
        ? `Document has no namespace (it has an attribute "${declared}" that looks like one)`
        : 'Document has no namespace',
    );
  }
  if (version !== null && !version.startsWith('pain.002.')) {
    throw malformed('pain.002', `the namespace names ${version}, not a pain.002`, { path: 'Document' });
  }

  const header = child(report, 'GrpHdr');
  const messageId = textAt(header, 'MsgId');
  if (!messageId)
    throw malformed('pain.002', `${report.path}/GrpHdr/MsgId is missing`, { path: `${report.path}/GrpHdr` });

  const group = child(report, 'OrgnlGrpInfAndSts');
  if (!group) warnings.push(`${report.path}/OrgnlGrpInfAndSts is missing`);
  const originalMessageId = textAt(group, 'OrgnlMsgId');
  if (group && !originalMessageId) warnings.push(`${group.path}/OrgnlMsgId is missing`);

  return {
    namespace,
    version,
    messageId,
    createdAt: textAt(header, 'CreDtTm'),
    original: {
      messageId: originalMessageId,
      messageNameId: textAt(group, 'OrgnlMsgNmId'),
      createdAt: textAt(group, 'OrgnlCreDtTm'),
      numberOfTransactions: count(group, 'OrgnlNbOfTxs', warnings),
      controlSum: decimal(group, 'OrgnlCtrlSum', warnings),
    },
    groupStatus: status(group, 'GrpSts', warnings),
    groupReasons: reasons(group),
    paymentInformation: children(report, 'OrgnlPmtInfAndSts').map((block) => {
      const id = textAt(block, 'OrgnlPmtInfId');
      if (!id) warnings.push(`${block.path}/OrgnlPmtInfId is missing`);
      return {
        originalPaymentInformationId: id,
        originalNumberOfTransactions: count(block, 'OrgnlNbOfTxs', warnings),
        originalControlSum: decimal(block, 'OrgnlCtrlSum', warnings),
        status: status(block, 'PmtInfSts', warnings),
        reasons: reasons(block),
        transactions: children(block, 'TxInfAndSts').map((tx) => transaction(tx, warnings)),
      };
    }),
    warnings,
  };
}

function transaction(tx: XmlElement, warnings: string[]): TransactionStatus {
  if (!textAt(tx, 'OrgnlEndToEndId') && !textAt(tx, 'OrgnlInstrId')) {
    warnings.push(`${tx.path} (line ${tx.line}) names neither OrgnlEndToEndId nor OrgnlInstrId`);
  }
  return {
    statusId: textAt(tx, 'StsId'),
    originalInstructionId: textAt(tx, 'OrgnlInstrId'),
    originalEndToEndId: textAt(tx, 'OrgnlEndToEndId'),
    originalUetr: textAt(tx, 'OrgnlUETR'),
    status: status(tx, 'TxSts', warnings),
    reasons: reasons(tx),
    acceptedAt: textAt(tx, 'AccptncDtTm'),
    accountServicerReference: textAt(tx, 'AcctSvcrRef'),
    clearingSystemReference: textAt(tx, 'ClrSysRef'),
    originalAmount: amount(child(child(child(tx, 'OrgnlTxRef'), 'Amt'), 'InstdAmt'), warnings),
  };
}

function reasons(element: XmlElement | undefined): StatusReason[] {
  return children(element, 'StsRsnInf').map((info) => ({
    code: textAt(info, 'Rsn', 'Cd'),
    proprietary: textAt(info, 'Rsn', 'Prtry'),
    additionalInfo: children(info, 'AddtlInf')
      .map((a) => a.text.trim())
      .filter((text) => text.length > 0),
    originator: textAt(info, 'Orgtr', 'Nm'),
  }));
}

function status(element: XmlElement | undefined, name: string, warnings: string[]): string | null {
  const code = textAt(element, name);
  if (code !== null && !STATUS_CODE.test(code))
    warnings.push(`${element!.path}/${name} "${code}" is not a 4-letter status code`);
  return code;
}

function count(element: XmlElement | undefined, name: string, warnings: string[]): number | null {
  const text = textAt(element, name);
  if (text === null) return null;
  if (!/^\d{1,15}$/.test(text)) {
    warnings.push(`${element!.path}/${name} "${text}" is not a count`);
    return null;
  }
  return Number(text);
}

function decimal(element: XmlElement | undefined, name: string, warnings: string[]): string | null {
  const text = textAt(element, name);
  if (text === null) return null;
  if (!/^-?\d+(\.\d+)?$/.test(text)) {
    warnings.push(`${element!.path}/${name} "${text}" is not a decimal`);
    return null;
  }
  return text;
}

function amount(element: XmlElement | undefined, warnings: string[]): TransactionStatus['originalAmount'] {
  if (!element) return null;
  const value = element.text.trim();
  const currency = element.attributes.Ccy ?? '';
  if (!/^\d+(\.\d+)?$/.test(value) || !isCurrency(currency)) {
    warnings.push(`${element.path} (line ${element.line}) "${value}" ${currency || '(no currency)'} is not an amount`);
    return null;
  }
  return { value, currency, minor: parseDecimalToMinorUnits(value, minorUnitDigits(currency)) };
}

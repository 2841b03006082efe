import { create } from 'xmlbuilder2';
import { AppError } from '../../core/errors.js';
import { namespaceOf, PAIN001_VERSIONS, type Pain001Version } from './messages.js';
import { checkPain001, type CheckedBlock, type CheckedTransfer } from './pain001-check.js';
import type { AccountIdentification, BankIdentification, Pain001Batch } from './pain001-types.js';

/**
 * Writes a pain.001 customer credit transfer initiation. The batch is checked first (see
 * pain001-check.ts: every problem named by its field, in a 400 AppError); the XML is built by
 * xmlbuilder2, which escapes text and attributes. The result is valid against the version's schema in
 * ./xsd (the tests prove it for every shape); callers that release files validate again with
 * `validateAgainstXsd` before sending.
 */
export function writePain001(batch: Pain001Batch, version: Pain001Version): string {
  if (!PAIN001_VERSIONS.includes(version)) {
    throw new AppError('validation_failed', 400, `version must be one of ${PAIN001_VERSIONS.join(', ')}`, {
      field: 'version',
    });
  }
  const checked = checkPain001(batch, version);
  // The 2019 editions (.09, .10) share the shape; .03 (2009) differs in a few elements.
  const edition2019 = version !== 'pain.001.001.03';

  const document = {
    Document: {
      '@xmlns': namespaceOf(version),
      CstmrCdtTrfInitn: {
        GrpHdr: {
          MsgId: checked.messageId,
          CreDtTm: checked.createdAt,
          NbOfTxs: String(checked.numberOfTransactions),
          CtrlSum: checked.controlSum,
          InitgPty: { Nm: checked.initiatingPartyName },
        },
        PmtInf: checked.blocks.map((block) => paymentInformation(block, edition2019)),
      },
    },
  };
  return create({ version: '1.0', encoding: 'UTF-8' }, document).end({ prettyPrint: true });
}

type XmlObject = { [name: string]: string | XmlObject | (string | XmlObject)[] };

/** Drops absent optional elements, so they are left out rather than written empty. */
function present(object: Record<string, string | XmlObject | (string | XmlObject)[] | undefined>): XmlObject {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as XmlObject;
}

function paymentInformation(block: CheckedBlock, edition2019: boolean): XmlObject {
  return present({
    PmtInfId: block.id,
    PmtMtd: 'TRF',
    BtchBookg: String(block.batchBooking),
    NbOfTxs: String(block.numberOfTransactions),
    CtrlSum: block.controlSum,
    PmtTpInf: block.serviceLevelCode ? { SvcLvl: { Cd: block.serviceLevelCode } } : undefined,
    ReqdExctnDt: edition2019 ? { Dt: block.requestedExecutionDate } : block.requestedExecutionDate,
    Dbtr: { Nm: block.debtorName },
    DbtrAcct: account(block.debtorAccount),
    // The debtor's bank is required; SEPA's way of saying "derive it from the IBAN" is NOTPROVIDED.
    DbtrAgt: agent(block.debtorAgent, edition2019) ?? { FinInstnId: { Othr: { Id: 'NOTPROVIDED' } } },
    ChrgBr: block.chargeBearer,
    CdtTrfTxInf: block.transactions.map((transfer) => creditTransfer(transfer, edition2019)),
  });
}

function creditTransfer(transfer: CheckedTransfer, edition2019: boolean): XmlObject {
  const address =
    transfer.country || transfer.addressLines.length > 0
      ? present({
          Ctry: transfer.country,
          AdrLine: transfer.addressLines.length > 0 ? transfer.addressLines : undefined,
        })
      : undefined;
  return present({
    PmtId: present({ InstrId: transfer.instructionId, EndToEndId: transfer.endToEndId }),
    Amt: { InstdAmt: { '@Ccy': transfer.currency, '#': transfer.amount } },
    CdtrAgt: transfer.creditorAgent ? agent(transfer.creditorAgent, edition2019) : undefined,
    Cdtr: present({ Nm: transfer.creditorName, PstlAdr: address }),
    CdtrAcct: account(transfer.creditorAccount),
    RmtInf: remittance(transfer.remittance),
  });
}

function account(id: AccountIdentification): XmlObject {
  return { Id: 'iban' in id ? { IBAN: id.iban } : { Othr: { Id: id.other } } };
}

function agent(bank: BankIdentification, edition2019: boolean): XmlObject | undefined {
  if (!bank.bic && !bank.bankCode) return undefined;
  // 2009 names the element BIC, 2019 BICFI; the DK .03 schema has no clearing-system member id
  // (the check refuses a bank code there).
  const memberId = bank.bankCode
    ? present({
        ClrSysId: bank.bankCode.clearingSystem ? { Cd: bank.bankCode.clearingSystem } : undefined,
        MmbId: bank.bankCode.memberId,
      })
    : undefined;
  return { FinInstnId: present({ [edition2019 ? 'BICFI' : 'BIC']: bank.bic, ClrSysMmbId: memberId }) };
}

function remittance(remittance: CheckedTransfer['remittance']): XmlObject | undefined {
  if (!remittance) return undefined;
  if ('unstructured' in remittance) return { Ustrd: remittance.unstructured };
  // SCOR + issuer ISO is how the EPC asks for an ISO 11649 (RF) reference.
  return {
    Strd: {
      CdtrRefInf: { Tp: { CdOrPrtry: { Cd: 'SCOR' }, Issr: 'ISO' }, Ref: remittance.creditorReference },
    },
  };
}

import { createHash } from 'node:crypto';
import {
  validateAgainstXsd,
  validateManyAgainstXsd,
  writePain001,
  type AccountIdentification,
  type BankIdentification,
  type CreditTransfer,
  type Pain001Batch,
  type Pain001Version,
} from '../../adapters/iso20022/index.js';
import { AppError, type FieldIssue } from '../../core/errors.js';
import type { BankDetails } from './bank-details.js';
import type { Remittance } from './instructions.js';
import type { BankAccountRow, PaymentRow } from './tables.js';

/**
 * One batch's pain.001 file: mapped from the debtor account and its payments (to the bank details
 * the approvers saw, the payment's beneficiary snapshot), written by the ISO 20022 adapter in the
 * account's version and validated against that version's XSD. A file the writer refuses or the
 * schema rejects is a 422 naming the payments and fields at fault; nothing is written then.
 */

export type PaymentMethod = 'sepa' | 'international';

export interface BatchFileInput {
  account: BankAccountRow;
  valueDate: string;
  method: PaymentMethod;
  messageId: string;
  paymentInformationId: string;
  createdAt: Date;
  payments: PaymentRow[];
}

export interface BatchFile {
  name: string;
  xml: string;
  content: Buffer;
  sha256: string;
}

type Snapshot = BankDetails & { name: string };

function accountOf(details: { iban: string | null; accountNumber: string | null }): AccountIdentification {
  return details.iban ? { iban: details.iban } : { other: details.accountNumber ?? '' };
}

/** SEPA names banks by BIC only; elsewhere a bank code (routing number, sort code) goes with or instead of it. */
function agentOf(
  details: { bic: string | null; bankCode: string | null; iban: string | null },
  sepa: boolean,
): BankIdentification | undefined {
  const agent: BankIdentification = {};
  if (details.bic) agent.bic = details.bic;
  if (!sepa && !details.iban && details.bankCode) agent.bankCode = { memberId: details.bankCode };
  return agent.bic || agent.bankCode ? agent : undefined;
}

export function pain001Of(input: BatchFileInput): Pain001Batch {
  const { account } = input;
  const sepa = input.method === 'sepa';
  const debtorAgent = agentOf({ bic: account.bic, bankCode: account.bank_code, iban: account.iban }, sepa);
  return {
    messageId: input.messageId,
    createdAt: input.createdAt,
    initiatingPartyName: account.owner_name,
    paymentInformation: [
      {
        id: input.paymentInformationId,
        debtor: {
          name: account.owner_name,
          account: accountOf({ iban: account.iban, accountNumber: account.account_number }),
          ...(debtorAgent ? { agent: debtorAgent } : {}),
        },
        requestedExecutionDate: input.valueDate,
        // One debit on the statement for the whole file: what reconciliation matches by PmtInfId.
        batchBooking: true,
        sepa,
        transactions: input.payments.map((payment) => creditTransfer(payment, sepa)),
      },
    ],
  };
}

function creditTransfer(payment: PaymentRow, sepa: boolean): CreditTransfer {
  const creditor = payment.beneficiary_snapshot as Snapshot;
  const agent = agentOf(creditor, sepa);
  const remittance = payment.remittance as Remittance | null;
  return {
    endToEndId: payment.end_to_end_id,
    amount: payment.amount,
    currency: payment.currency,
    creditor: {
      name: creditor.name,
      account: accountOf(creditor),
      ...(agent ? { agent } : {}),
      country: creditor.country,
    },
    ...(remittance?.creditorReference
      ? { remittance: { creditorReference: remittance.creditorReference } }
      : remittance?.unstructured
        ? { remittance: { unstructured: remittance.unstructured } }
        : {}),
  };
}

/** `<version>-<message id>.xml`: the version tells a person which schema it is; the id makes it unique. */
export function fileNameOf(version: string, messageId: string): string {
  return `${version}-${messageId}.xml`;
}

export const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** What a group of payments is, for a person reading a refusal. */
const groupName = (input: BatchFileInput) =>
  `the ${input.method} file of bank account ${input.account.id} for ${input.valueDate} (${input.account.pain001_version})`;

/**
 * The writer's field paths (`paymentInformation[0].transactions[2].creditor.name`) as the payment or
 * account they are about (`payments.pmt_….creditor.name`, `bankAccounts.bac_….debtor.name`).
 */
function locate(input: BatchFileInput, field: string): string {
  const transfer = /^paymentInformation\[0\]\.transactions\[(\d+)\](.*)$/.exec(field);
  if (transfer) {
    const payment = input.payments[Number(transfer[1])];
    return payment ? `payments.${payment.id}${transfer[2]}` : field;
  }
  return `bankAccounts.${input.account.id}.${field.replace(/^paymentInformation\[0\]\./, '')}`;
}

/** Writes the file, or refuses (422) naming every payment and field the writer found wrong. */
export function writeBatchFile(input: BatchFileInput): BatchFile {
  let xml: string;
  try {
    xml = writePain001(pain001Of(input), input.account.pain001_version as Pain001Version);
  } catch (error) {
    if (!(error instanceof AppError) || error.code !== 'validation_failed') throw error;
    const issues: FieldIssue[] = (error.issues.length > 0 ? error.issues : [{ field: 'file', message: error.message }])
      .slice(0, 50)
      .map((issue) => ({ field: locate(input, issue.field), message: issue.message }));
    throw new AppError(
      'payment_file_invalid',
      422,
      `${groupName(input)} cannot be written: ${issues
        .slice(0, 5)
        .map((i) => `${i.field}: ${i.message}`)
        .join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}; nothing was batched`,
      { issues, details: { bankAccountId: input.account.id, valueDate: input.valueDate, method: input.method } },
    );
  }
  const content = Buffer.from(xml, 'utf8');
  return { name: fileNameOf(input.account.pain001_version, input.messageId), xml, content, sha256: sha256Of(content) };
}

/** A file its schema rejects: 422 with libxml2's lines (`line 64: Element 'StrtNm': …`). */
function schemaRefusal(what: string, errors: string[], details: Record<string, unknown>): AppError {
  const issues = errors.slice(0, 50).map((message) => ({ field: 'file', message }));
  return new AppError(
    'payment_file_invalid',
    422,
    `${what} is not valid against its XSD: ${errors.slice(0, 3).join('; ')}${errors.length > 3 ? `; and ${errors.length - 3} more` : ''}`,
    { issues: issues.length > 0 ? issues : [{ field: 'file', message: 'fails to validate' }], details },
  );
}

/** Validates every file against its version's schema (one xmllint run per version); the first invalid one is refused. */
export async function validateBatchFiles(files: Array<{ input: BatchFileInput; file: BatchFile }>): Promise<void> {
  const byVersion = new Map<Pain001Version, typeof files>();
  for (const entry of files) {
    const version = entry.input.account.pain001_version as Pain001Version;
    byVersion.set(version, [...(byVersion.get(version) ?? []), entry]);
  }
  for (const [version, entries] of byVersion) {
    const results = await validateManyAgainstXsd(
      entries.map((e) => e.file.xml),
      version,
    );
    results.forEach((result, i) => {
      if (result.valid) return;
      const { input } = entries[i]!;
      throw schemaRefusal(`${groupName(input)}`, result.errors, {
        bankAccountId: input.account.id,
        valueDate: input.valueDate,
        method: input.method,
      });
    });
  }
}

/** The stored file again, before it leaves: its hash still the batch's, and valid against its schema. */
export async function revalidateStoredFile(
  batch: { id: string; pain001_version: string; file_sha256: string },
  content: Uint8Array,
): Promise<void> {
  if (sha256Of(content) !== batch.file_sha256.trim()) {
    throw new AppError(
      'payment_file_changed',
      409,
      `the stored file of batch ${batch.id} no longer matches the hash recorded when it was written; it is not released`,
      { details: { batchId: batch.id } },
    );
  }
  const result = await validateAgainstXsd(
    Buffer.from(content).toString('utf8'),
    batch.pain001_version as Pain001Version,
  );
  if (!result.valid) throw schemaRefusal(`the file of batch ${batch.id}`, result.errors, { batchId: batch.id });
}

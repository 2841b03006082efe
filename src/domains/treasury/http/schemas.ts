import { z } from '@hono/zod-openapi';

const Minor = z.string().openapi({ description: 'Integer minor units as a decimal string', example: '125000' });
const Signed = z
  .string()
  .nullable()
  .openapi({ description: 'Signed minor units (credit positive), as a decimal string' });

export const ImportedStatementSchema = z
  .object({
    id: z.string(),
    bankAccountId: z.string(),
    format: z.string().openapi({ example: 'camt.053' }),
    version: z.string().nullable().openapi({ example: 'camt.053.001.08' }),
    messageId: z.string(),
    statementId: z.string().nullable(),
    entries: z.number().int().openapi({ description: 'Booked entries in the statement' }),
    newEntries: z.number().int().openapi({ description: 'Of them, not imported before' }),
    unbookedEntries: z.number().int().openapi({ description: 'Pending or information-only entries: not stored' }),
    openingBalance: Signed,
    closingBalance: Signed,
    closingDate: z.string().nullable(),
    alreadyImportedAs: z
      .string()
      .nullable()
      .openapi({ description: 'The earlier import of this very statement, when this one brought nothing new' }),
    warnings: z.array(z.string()),
  })
  .openapi('ImportedStatement');

export const StatementImportSchema = z
  .object({
    fileSha256: z.string(),
    statements: z.array(ImportedStatementSchema),
    entries: z.number().int(),
    newEntries: z.number().int(),
    reconciliation: z
      .object({
        entries: z.number().int(),
        matched: z.number().int(),
        partlyMatched: z.number().int(),
        exceptions: z.number().int(),
        skipped: z.number().int(),
      })
      .nullable()
      .openapi({ description: 'What matching the new entries did (null: nothing new, or matching failed)' }),
    reconciliationError: z
      .string()
      .nullable()
      .openapi({ description: 'Why matching failed; the import stands and POST /reconciliation/run retries' }),
  })
  .openapi('StatementImport');

export const StatementSchema = z
  .object({
    id: z.string(),
    bankAccountId: z.string(),
    format: z.string(),
    version: z.string().nullable(),
    messageId: z.string(),
    statementId: z.string().nullable(),
    sequenceNumber: z.string().nullable(),
    periodFrom: z.string().nullable(),
    periodTo: z.string().nullable(),
    openingBalance: Signed,
    openingDate: z.string().nullable(),
    closingBalance: Signed,
    closingDate: z.string().nullable(),
    entries: z.number().int(),
    newEntries: z.number().int(),
    unbookedEntries: z.number().int(),
    fileSha256: z.string(),
    warnings: z.array(z.string()),
    importedBy: z.string(),
    importedAt: z.string(),
  })
  .openapi('BankStatement');

export const EntrySchema = z
  .object({
    id: z.string(),
    bankAccountId: z.string(),
    statementId: z.string(),
    occurrence: z.number().int(),
    amount: Minor,
    currency: z.string(),
    direction: z.enum(['credit', 'debit']),
    reversal: z.boolean(),
    bookingDate: z.string(),
    valueDate: z.string().nullable(),
    entryReference: z.string().nullable(),
    accountServicerReference: z.string().nullable(),
    bankTransactionCode: z.string().nullable(),
    endToEndId: z.string().nullable(),
    creditorReference: z.string().nullable(),
    remittance: z.string().nullable(),
    counterpartyName: z.string().nullable(),
    counterpartyAccount: z.string().nullable(),
    returnReason: z.string().nullable(),
    charges: z.string().nullable(),
    transactionCount: z.number().int(),
    status: z.string(),
    details: z.record(z.string(), z.unknown()).openapi({ description: 'The entry as read from the file' }),
  })
  .openapi('BankEntry');

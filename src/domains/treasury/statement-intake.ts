import type { StatementSource } from '../../adapters/bank-statements/index.js';
import { runReconciliation, type InUnit, type RunSummary } from './reconciliation/matching.js';
import { importStatementFile, type StatementImportResult } from './statement-import.js';

/**
 * How a statement file comes in, whichever door it uses (POST /statements, `finflow import statement`,
 * a connection's collect): imported in one transaction, then its new entries matched in transactions
 * of their own. The statement is the bank's record and stays imported when matching fails (say, an
 * edited rules decision that answers nonsense): the failure is returned as `reconciliationError`, and
 * the entries stay `unmatched` for POST /reconciliation/run.
 */
export interface StatementIntake {
  result: StatementImportResult;
  reconciliation: RunSummary | null;
  reconciliationError: string | null;
}

export async function importAndMatch(inUnit: InUnit, source: StatementSource): Promise<StatementIntake> {
  const result = await inUnit((unit) => importStatementFile(unit, source));
  if (result.newEntryIds.length === 0) return { result, reconciliation: null, reconciliationError: null };
  try {
    const reconciliation = await runReconciliation(inUnit, { entryIds: result.newEntryIds });
    return { result, reconciliation, reconciliationError: null };
  } catch (error) {
    return {
      result,
      reconciliation: null,
      reconciliationError: error instanceof Error ? error.message : String(error),
    };
  }
}

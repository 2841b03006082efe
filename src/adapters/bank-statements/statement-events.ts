import type { BankStatement, StatementEvent } from './statement-types.js';

/**
 * Gathers a reader's events (streaming, one entry at a time) into whole statements, for small files
 * and tests. Every reader produces events and gets the whole shape from here, so the two shapes can
 * never disagree. A statement's `warnings` include its entries'.
 */
export class StatementCollector {
  readonly statements: BankStatement[] = [];

  add(event: StatementEvent): void {
    if (event.kind === 'statement') {
      this.statements.push({
        ...event.statement,
        warnings: [...event.statement.warnings],
        entries: [],
        additionalInfo: null,
      });
      return;
    }
    const statement = this.statements[event.statementIndex]!;
    if (event.kind === 'entry') {
      statement.entries.push(event.entry);
      statement.warnings.push(...event.entry.warnings);
    } else {
      statement.additionalInfo = event.additionalInfo;
      statement.warnings.push(...event.warnings);
    }
  }
}

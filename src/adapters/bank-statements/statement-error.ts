import { AppError } from '../../core/errors.js';

/**
 * A statement file that cannot be read: not well-formed, not a statement, or missing or garbling
 * what reading needs (an amount, a direction, the account). An AppError (400, `invalid_statement`),
 * so the API answers it as bad input naming the body; `path` names the element
 * (`Document/BkToCstmrStmt/Stmt[2]/Ntry[14]/Amt`) or MT940 statement, `line` the line when known, so
 * whoever sent the file can find the spot. Nothing of a file that fails is meant to be imported.
 */
export class StatementReadError extends AppError {
  /** `camt.053`, `mt940`, or `statement` while the format is not yet known. */
  readonly format: string;
  readonly path: string | null;
  readonly line: number | null;
  readonly column: number | null;
  /** The problem alone, without format, path or position. */
  readonly problem: string;

  constructor(
    format: string,
    problem: string,
    where: { path?: string | null; line?: number | null; column?: number | null } = {},
  ) {
    const path = where.path ?? null;
    const line = where.line ?? null;
    const column = where.column ?? null;
    const position = line === null ? '' : ` (line ${line}${column === null ? '' : `, column ${column}`})`;
    super('invalid_statement', 400, `${format} is not readable: ${path ? `${path}: ` : ''}${problem}${position}`, {
      field: 'body',
      details: { format, path, line, column },
    });
    this.name = 'StatementReadError';
    this.format = format;
    this.path = path;
    this.line = line;
    this.column = column;
    this.problem = problem;
  }
}

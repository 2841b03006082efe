/** One problem with the file, as printed: `line 42, column AMOUNT (amount): "12,3x" is not a number`. */
export interface ImportIssue {
  /** 1-based line in the file (for a multi-line CSV record, its first line); null: the whole file. */
  line: number | null;
  /** The source column: a header name, a 1-based column number, or a fixed-width column's name. */
  column: string | null;
  /** The target field of the sync row (`creditLimit`, `address.city`). */
  field: string | null;
  /** The cell's text, when the problem is about a cell. */
  value?: string;
  message: string;
}

export function formatIssue(issue: ImportIssue): string {
  const place = [
    issue.line === null ? undefined : `line ${issue.line}`,
    issue.column === null
      ? issue.field === null
        ? undefined
        : `field ${issue.field}`
      : `column ${issue.column}${issue.field === null ? '' : ` (${issue.field})`}`,
  ].filter((part) => part !== undefined);
  return place.length > 0 ? `${place.join(', ')}: ${issue.message}` : issue.message;
}

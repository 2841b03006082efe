import type { Encoding, FixedWidthColumn } from './mapping/mapping-types.js';
import { decodedChunks, type TextRecord } from './read-csv.js';

export interface FixedWidthOptions {
  encoding: Encoding;
  /** Lines to skip at the start (a header record, a title). */
  skipLines: number;
  /** Cut out of every line, in this order: the record's cells. */
  columns: readonly FixedWidthColumn[];
  onBytes?: (bytes: number) => void;
}

/**
 * The records of a fixed-width file, streamed: each line is cut at the columns' positions, which
 * count characters after decoding (for a single-byte encoding such as latin1, bytes). A line that
 * ends before a column gives it an empty cell (many exports trim trailing blanks); blank lines are
 * skipped. Line endings may be LF or CRLF.
 */
export async function* readFixedWidth(file: string, options: FixedWidthOptions): AsyncGenerator<TextRecord> {
  const cuts = options.columns.map((c) => [c.start - 1, c.start - 1 + c.length] as const);
  let line = 0;
  let rest = '';
  const record = (text: string): TextRecord | undefined => {
    line++;
    if (line <= options.skipLines) return undefined;
    const content = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (content.trim() === '') return undefined;
    return { line, cells: cuts.map(([from, to]) => content.slice(from, to)) };
  };
  for await (const chunk of decodedChunks(file, options.encoding, options.onBytes)) {
    let text = rest + chunk;
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      const next = record(text.slice(start, end));
      if (next) yield next;
      start = end + 1;
    }
    text = text.slice(start);
    rest = text;
  }
  if (rest !== '') {
    const last = record(rest);
    if (last) yield last;
  }
}

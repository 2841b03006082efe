import { readCamt, readCamtWhole } from './camt-reader.js';
import { detectStatementFormat, sniffStatementFormat, type DetectedFormat } from './detect-format.js';
import { mt940Events, readMt940 } from './mt940-reader.js';
import type { BankStatement, StatementEvent } from './statement-types.js';
import { concat, decodeLegacyText, decodeXmlBytes, sourcePieces, type StatementSource } from './text-source.js';

/**
 * Any statement file, its format recognised from the content: the one entry point for the import
 * (`POST /api/v1/statements`, the CLI, the bank connectors). camt files are streamed; an MT940
 * file is read whole (mt940js needs all of it, and MT940 files are a day's statements).
 */

/** Looked at before giving up on recognising the format. */
const SNIFF_LIMIT = 64 * 1024;

/** Streams the statements of a file of any supported format as events (see `readCamt`). */
export async function* readStatements(source: StatementSource): AsyncGenerator<StatementEvent> {
  const iterator = sourcePieces(source, 'statement')[Symbol.asyncIterator]();
  try {
    const head: (string | Uint8Array)[] = [];
    let detected: DetectedFormat | null = null;
    let done = false;
    while (!detected) {
      const next = await iterator.next();
      done = next.done === true;
      if (!done) head.push(next.value as string | Uint8Array);
      const prefix = previewText(head);
      detected = sniffStatementFormat(prefix, done || prefix.length >= SNIFF_LIMIT);
    }
    const rest = async function* (): AsyncGenerator<string | Uint8Array> {
      yield* head;
      if (done) return;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    };
    if (detected.format !== 'mt940') {
      yield* readCamt(rest());
      return;
    }
    const pieces: (string | Uint8Array)[] = [];
    for await (const piece of rest()) pieces.push(piece);
    const { text, warnings } = wholeText(pieces);
    yield* mt940Events(text, warnings);
  } finally {
    // Stopped early or failed: close the source (a file stream, a request body) rather than leave it open.
    await iterator.return?.(undefined);
  }
}

/** Reads a whole file of any supported format held in memory (small files, tests). */
export function readStatementsWhole(content: string | Uint8Array): BankStatement[] {
  const { format } = detectStatementFormat(typeof content === 'string' ? content : previewText([content]));
  if (format !== 'mt940') {
    return readCamtWhole(typeof content === 'string' ? content : decodeXmlBytes(content, format));
  }
  const { text, warnings } = wholeText([content]);
  const statements = readMt940(text);
  for (const statement of statements) statement.warnings.unshift(...warnings);
  return statements;
}

/** The beginning of the pieces as text, for recognising the format only (bytes decoded leniently). */
function previewText(pieces: readonly (string | Uint8Array)[]): string {
  let text = '';
  for (const piece of pieces) {
    text +=
      typeof piece === 'string'
        ? piece
        : new TextDecoder(utf16Of(piece) ?? 'utf-8').decode(piece.subarray(0, SNIFF_LIMIT));
    if (text.length >= SNIFF_LIMIT) break;
  }
  return text;
}

function utf16Of(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

function wholeText(pieces: readonly (string | Uint8Array)[]): { text: string; warnings: string[] } {
  if (pieces.every((p) => typeof p === 'string')) return { text: pieces.join(''), warnings: [] };
  const bytes = concat(pieces.map((p) => (typeof p === 'string' ? new TextEncoder().encode(p) : p)));
  const { text, warning } = decodeLegacyText(bytes);
  return { text, warnings: warning ? [warning] : [] };
}

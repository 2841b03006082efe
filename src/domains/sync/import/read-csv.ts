import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import type { Encoding } from './mapping/mapping-types.js';

/** One record of a source file: its cells as text, and the (first) line it starts on. */
export interface TextRecord {
  line: number;
  cells: string[];
}

/** A problem that stops reading the file (an unclosed quote, an unreadable file). */
export class SourceError extends Error {
  override readonly name = 'SourceError';
  constructor(
    message: string,
    readonly line: number | null,
  ) {
    super(message);
  }
}

/**
 * The file's text in chunks, decoded as the mapping says, streamed (never the whole file in memory).
 * UTF-8 drops a byte order mark and turns invalid bytes into U+FFFD, which the converter reports as a
 * hint that the file is latin1; latin1 is ISO 8859-1 byte for byte; windows-1252 adds €, curly
 * quotes and the other characters Windows puts in 0x80–0x9F.
 */
export async function* decodedChunks(
  file: string,
  encoding: Encoding,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<string> {
  const decoder = encoding === 'latin1' ? null : new TextDecoder(encoding);
  let stream: AsyncIterable<Buffer>;
  try {
    stream = createReadStream(file, { highWaterMark: 256 * 1024 });
    for await (const chunk of stream) {
      onBytes?.(chunk.length);
      const text = decoder ? decoder.decode(chunk, { stream: true }) : chunk.toString('latin1');
      if (text) yield text;
    }
  } catch (cause) {
    throw new SourceError(`cannot read ${file}: ${(cause as Error).message}`, null);
  }
  const tail = decoder?.decode() ?? '';
  if (tail) yield tail;
}

export interface CsvOptions {
  encoding: Encoding;
  delimiter: string;
  quote: string;
  /** Lines to skip before the first record (the header, if there is one). */
  skipLines: number;
  onBytes?: (bytes: number) => void;
}

/**
 * The records of a CSV file, streamed. Quotes follow RFC 4180 (a doubled quote inside a quoted
 * value, line breaks inside quotes), a stray quote inside an unquoted value is kept as text, empty
 * lines and lines of nothing but delimiters are skipped. Records may have different numbers of cells;
 * the caller checks them against the header. An unclosed quote throws a SourceError with its line.
 */
export async function* readCsv(file: string, options: CsvOptions): AsyncGenerator<TextRecord> {
  const parser = parse({
    delimiter: options.delimiter,
    quote: options.quote,
    escape: options.quote,
    from_line: options.skipLines + 1,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    info: true,
  });
  // Line numbers are counted here rather than taken from csv-parse, whose count drifts after a
  // quoted value holding a CRLF: the byte offset of every line break fed to the parser is kept until
  // the records after it have passed, and a record's line is found from the offset it ends at.
  const breaks: number[] = [];
  let head = 0; // breaks before breaks[head] are behind the current record
  let behind = 0; // breaks dropped from the array
  async function* encoded(): AsyncGenerator<Buffer> {
    let offset = 0;
    for await (const text of decodedChunks(file, options.encoding, options.onBytes)) {
      const bytes = Buffer.from(text, 'utf8');
      for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) breaks.push(offset + i);
      offset += bytes.length;
      yield bytes;
    }
  }
  const source = Readable.from(encoded());
  source.on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { bytes: number } }>) {
      // info.bytes is the offset just past the record's line break: the record ends on the line
      // after every break before that one, and starts as many lines earlier as its values hold.
      while (head < breaks.length && breaks[head]! < info.bytes - 1) head++;
      let line = behind + head + 1;
      for (const cell of record) {
        for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) line--;
      }
      if (head > 4096) {
        breaks.splice(0, head);
        behind += head;
        head = 0;
      }
      yield { line, cells: record };
    }
  } catch (error) {
    if (error instanceof SourceError) throw error;
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new SourceError(csvMessage(error), typeof line === 'number' ? line : null);
    }
    throw error;
  } finally {
    source.destroy();
  }
}

function csvMessage(error: CsvError): string {
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') return 'a quoted value is not closed before the end of the file';
  return `the file is not valid CSV: ${error.message}`;
}

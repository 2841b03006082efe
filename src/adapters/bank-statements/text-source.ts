import { TextDecoder } from 'node:util';
import { StatementReadError } from './statement-error.js';

/**
 * Where a statement file comes from: the whole text or bytes, or pieces as they arrive (a Node
 * stream, a web ReadableStream, an HTTP body, a generator). Node's Readable and the web's
 * ReadableStream are both async iterables of Uint8Array, so either can be passed as it is.
 */
export type StatementSource = string | Uint8Array | Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;

/** Text handed to the XML parser at a time: large enough to be fast, small enough that one piece's entries stay few. */
const CHUNK_CHARS = 64 * 1024;
/** Bytes looked at before choosing the decoder (a BOM, or the XML declaration's encoding). */
const SNIFF_BYTES = 1024;

/** The pieces of a source in order, strings and bytes as given. */
export async function* sourcePieces(source: StatementSource, format: string): AsyncGenerator<string | Uint8Array> {
  if (typeof source === 'string' || source instanceof Uint8Array) {
    yield source;
    return;
  }
  if (source === null || typeof source !== 'object') {
    throw new StatementReadError(format, 'the file must be text, bytes or an iterable of them');
  }
  for await (const piece of source as AsyncIterable<unknown>) {
    if (typeof piece !== 'string' && !(piece instanceof Uint8Array)) {
      throw new StatementReadError(format, `the file's pieces must be strings or bytes, not ${typeof piece}`);
    }
    yield piece;
  }
}

/**
 * The source as text in pieces of at most CHUNK_CHARS characters. Bytes are decoded strictly (a
 * byte sequence that is not valid in the encoding is an error, never a replacement character
 * silently changing a name or reference): UTF-8 unless a byte order mark or the XML declaration
 * says otherwise, which is what XML itself prescribes.
 */
export async function* textChunks(source: StatementSource, format: string): AsyncGenerator<string> {
  let decoder: { decoder: TextDecoder; label: string } | undefined;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const decode = (bytes: Uint8Array, final: boolean): string => {
    try {
      return decoder!.decoder.decode(bytes, { stream: !final });
    } catch {
      throw new StatementReadError(format, `the file is not valid ${decoder!.label} text`);
    }
  };
  const flushPending = function* (): Generator<string> {
    const head = concat(pending);
    pending = [];
    pendingBytes = 0;
    decoder ??= chooseDecoder(head, format);
    yield* slices(decode(head, false));
  };

  let first = true;
  for await (const piece of sourcePieces(source, format)) {
    if (typeof piece === 'string') {
      if (pendingBytes > 0) yield* flushPending();
      // A byte order mark kept in a string (read without decoding it away) is not text.
      yield* slices(first ? piece.replace(/^\uFEFF/, '') : piece);
      first = false;
      continue;
    }
    first = false;
    if (decoder) {
      yield* slices(decode(piece, false));
      continue;
    }
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes >= SNIFF_BYTES) yield* flushPending();
  }
  if (pendingBytes > 0) yield* flushPending();
  // The decoder's end: an incomplete multi-byte sequence at the very end is an error too.
  if (decoder) {
    const tail = decode(new Uint8Array(0), true);
    if (tail) yield tail;
  }
}

/**
 * Decodes a whole MT940 file. SWIFT text is ASCII, but German and Dutch banks send names with
 * umlauts in ISO 8859-1 (or Windows-1252) as often as in UTF-8, and MT940 declares nothing: UTF-8
 * when the bytes are valid UTF-8, otherwise Windows-1252, with a warning saying so.
 */
export function decodeLegacyText(bytes: Uint8Array): { text: string; warning: string | null } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), warning: null };
  } catch {
    return {
      text: new TextDecoder('windows-1252').decode(bytes),
      warning: 'the file is not UTF-8; it was read as ISO 8859-1 (Windows-1252)',
    };
  }
}

/** Whole XML bytes as text, decoded strictly by their byte order mark or declared encoding. */
export function decodeXmlBytes(bytes: Uint8Array, format: string): string {
  const { decoder, label } = chooseDecoder(bytes, format);
  try {
    return decoder.decode(bytes);
  } catch {
    throw new StatementReadError(format, `the file is not valid ${label} text`);
  }
}

function* slices(text: string): Generator<string> {
  for (let start = 0; start < text.length; start += CHUNK_CHARS) yield text.slice(start, start + CHUNK_CHARS);
}

export function concat(pieces: readonly Uint8Array[]): Uint8Array {
  if (pieces.length === 1) return pieces[0]!;
  const all = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    all.set(piece, offset);
    offset += piece.length;
  }
  return all;
}

function chooseDecoder(head: Uint8Array, format: string): { decoder: TextDecoder; label: string } {
  let label = 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) label = 'utf-16le';
  else if (head[0] === 0xfe && head[1] === 0xff) label = 'utf-16be';
  else if (!(head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf)) {
    // The declaration is ASCII in every encoding XML allows without a BOM.
    const start = new TextDecoder('latin1').decode(head.subarray(0, 200));
    const declared = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(start)?.[1];
    if (declared) label = declared.toLowerCase();
  }
  try {
    return { decoder: new TextDecoder(label, { fatal: true }), label };
  } catch {
    throw new StatementReadError(format, `the declared encoding "${label}" is not one this reader knows`);
  }
}

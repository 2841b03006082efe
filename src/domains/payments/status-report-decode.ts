import { AppError } from '../../core/errors.js';

/**
 * A status report's bytes as text, decoded strictly: by the byte order mark, else the encoding the
 * XML declaration names, else UTF-8. An invalid byte is refused (400) rather than read as a
 * replacement character, since identifiers in it must match exactly.
 */
export function decodeReport(bytes: Uint8Array): string {
  let label = 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) label = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) label = 'utf-16be';
  else if (!(bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)) {
    // The declaration is ASCII in every encoding XML allows without a byte order mark.
    const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
    const declared = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
    if (declared) label = declared.toLowerCase();
  }
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new AppError('invalid_pain002', 400, `pain.002 is not readable: the encoding "${label}" is not known`, {
      field: 'body',
    });
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw new AppError('invalid_pain002', 400, `pain.002 is not readable: the file is not valid ${label} text`, {
      field: 'body',
    });
  }
}

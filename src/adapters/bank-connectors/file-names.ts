import { randomBytes } from 'node:crypto';
import { AppError } from '../../core/errors.js';

/**
 * File names are the connectors' idempotency keys and end up in paths on both sides, so every name is
 * checked before it touches a path or a request: a name is one plain path segment, never a way out of
 * the folder it is meant for.
 */

/**
 * What finflow names its own files: letters, digits and `. _ - + = @`, starting with a letter, digit or
 * `_`, at most 200 characters (room for the temp name around it within every file system's 255). The
 * same name is a header value over HTTP and a file name on Windows bank servers, so nothing else.
 */
const DELIVERABLE = /^[A-Za-z0-9_][A-Za-z0-9._+=@-]{0,199}$/;
const MAX_INBOUND_BYTES = 255;
// Control characters, path separators and what Windows forbids in a name.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_INBOUND = /[\u0000-\u001f\u007f/\\<>:"|?*]/;

/** The reason a name of ours is refused, or undefined when it is fine. */
export function deliverableNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'is empty';
  if (name.includes('/') || name.includes('\\') || name.includes('\0') || name === '..' || name.startsWith('.')) {
    return `${JSON.stringify(name)} is not a plain file name (no path separators, NUL, or leading dot)`;
  }
  if (!DELIVERABLE.test(name) || name.endsWith('.')) {
    return `${JSON.stringify(name)} may use only letters, digits and . _ - + = @ (at most 200, not ending in a dot)`;
  }
  return undefined;
}

export function assertDeliverableName(name: unknown): asserts name is string {
  const problem = deliverableNameProblem(name);
  if (problem) {
    throw new AppError('bank_file_name_refused', 400, `file.name: ${problem}`, { field: 'file.name' });
  }
}

/**
 * The reason a name the bank offers is refused (the bank's names are looser than ours: spaces and
 * accents happen), or undefined. Checked on every listing, since a hostile or broken server can send
 * `../x` in a directory entry or a JSON listing.
 */
export function inboundNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name === '') return 'the name is empty';
  if (name === '.' || name === '..' || FORBIDDEN_INBOUND.test(name)) {
    return `${JSON.stringify(name)} is not a plain file name (path separators, control characters and <>:"|?* are refused)`;
  }
  if (name.startsWith('.')) return `${JSON.stringify(name)} starts with a dot`;
  if (Buffer.byteLength(name) > MAX_INBOUND_BYTES) return `the name is longer than ${MAX_INBOUND_BYTES} bytes`;
  return undefined;
}

/**
 * An inbound file someone is still writing, by the usual conventions: hidden (our own temp names, and
 * most uploaders') or with a partial-upload suffix (`.part`, WinSCP's `.filepart`). Skipped, not
 * failed — unless the name is not a plain name at all (`../x`): that one is refused and reported.
 */
export function isInProgress(name: string): boolean {
  if (name === '.' || name === '..' || FORBIDDEN_INBOUND.test(name)) return false;
  return name.startsWith('.') || name.endsWith('.part') || name.endsWith('.filepart');
}

/** A hidden name beside the final one: the bank's pickup skips dot files, and it cannot collide. */
export function tempNameFor(name: string): string {
  return `.${name}.${randomBytes(6).toString('hex')}.part`;
}

/**
 * The archive name for an inbound file whose name is already in the archive (banks reuse names such as
 * `statement.xml` every day): the original name plus when it was archived, never an overwrite.
 */
export function archiveNameFor(name: string, at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${name}.${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Name order as the interface promises it: by UTF-16 code unit, the same on every machine and locale. */
export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../core/errors.js';

/**
 * How a released payment file reaches the bank. The payments domain hands the file over; what
 * carries it (a folder the bank's software picks up, SFTP, an HTTP API — the bank connectors) sits
 * behind this port.
 *
 * The contract every implementation keeps: delivery is **idempotent by file name**. Delivering a
 * name that is already there with the same content answers `alreadyDelivered: true` and sends
 * nothing; the same name with other content is refused. Release relies on it: after a crash between
 * the delivery and the database update, running the release again must not send the file twice.
 */
export interface BatchDelivery {
  /** Whether a file of this account can be delivered at all (checked before release writes anything). */
  canDeliver?(bankAccountId: string): Promise<boolean>;
  deliver(
    file: { name: string; content: Buffer },
    bankAccountId: string,
  ): Promise<{ location: string; alreadyDelivered: boolean }>;
}

/** Names that stay one path segment on every file system and SFTP server. */
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

function segment(what: string, value: string): string {
  if (!SAFE_SEGMENT.test(value) || value.includes('..')) {
    // Names are finflow's own (ids, message ids): this guards the path, it is not an input check.
    throw new Error(`${what} ${JSON.stringify(value)} cannot be a file name`);
  }
  return value;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The default delivery: `<root>/<bank account id>/<file name>`, where the bank's own software (or an
 * operator) picks the files up. `root` is `<data dir>/bank-outbox`.
 *
 * Atomic and no-clobber: the content is written to a dot-file beside the target and synced, then
 * hard-linked to the target name — `link` fails when the name exists, so a file appears whole or
 * not at all, and two releases racing for one batch write it once. Pick-up software must ignore
 * dot-files (`.<name>.<random>.tmp`), which are only ever half-written files of a crashed release.
 */
export function folderDelivery(root: string): BatchDelivery {
  return {
    async deliver(file, bankAccountId) {
      const dir = path.join(root, segment('bank account id', bankAccountId));
      const target = path.join(dir, segment('file name', file.name));
      await mkdir(dir, { recursive: true });
      const existing = await sameAs(target, file.content);
      if (existing !== undefined) return { location: target, alreadyDelivered: existing };

      const temporary = path.join(dir, `.${file.name}.${randomBytes(6).toString('hex')}.tmp`);
      const handle = await open(temporary, 'wx', 0o640);
      try {
        await handle.writeFile(file.content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      try {
        await link(temporary, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // Another release of the same batch linked it first: fine when it is the same file.
        const raced = await sameAs(target, file.content);
        if (raced === undefined) throw error;
        return { location: target, alreadyDelivered: raced };
      } finally {
        await unlink(temporary).catch(() => undefined);
      }
      await syncDirectory(dir);
      return { location: target, alreadyDelivered: false };
    },
  };
}

/**
 * `true` when the target holds exactly this content, `undefined` when there is no target; a target
 * with other content is refused: something else wrote that name, and overwriting it is not ours to do.
 */
async function sameAs(target: string, content: Buffer): Promise<true | undefined> {
  let current: Buffer;
  try {
    current = await readFile(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (sha256(current) === sha256(content)) return true;
  throw new AppError(
    'outbox_file_differs',
    409,
    `${target} already exists with other content: move it aside (it is not this batch's file) and release again`,
    { details: { location: target } },
  );
}

/** The new name is durable once its directory entry is: sync the folder too (not possible on every platform). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some platforms refuse fsync on a directory; the file itself is synced.
  } finally {
    await handle.close();
  }
}

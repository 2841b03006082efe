import { constants } from 'node:fs';
import { link, lstat, mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { FolderConnectorConfig } from './config.js';
import type { BankConnector, BankFile, CollectedFile, CollectResult, DeliveryReceipt } from './connector.js';
import { connectorClosed, messageOf } from './errors.js';
import {
  archiveNameFor,
  assertDeliverableName,
  byName,
  inboundNameProblem,
  isInProgress,
  tempNameFor,
} from './file-names.js';

/**
 * The folder drop: the bank's transfer agent (or a mounted share) reads an outbox folder and writes an
 * inbox folder. A file appears in the outbox under its final name only once complete (written to a
 * hidden temp name, flushed, then hard-linked to the final name, which fails if that name exists:
 * no check-then-write race between two deliveries of the same file).
 */
export class FolderConnector implements BankConnector {
  readonly kind = 'folder' as const;
  #closed = false;
  #ready: Promise<void> | undefined;

  constructor(
    private readonly config: FolderConnectorConfig,
    private readonly clock: Clock,
  ) {}

  async deliver(file: BankFile): Promise<DeliveryReceipt> {
    assertDeliverableName(file.name);
    await this.#open();
    const target = path.join(this.config.outbox, file.name);
    const earlier = await this.#findDelivered(file.name);
    if (earlier) return this.#receipt(file.name, earlier.location, earlier.at, true);

    const temp = path.join(this.config.outbox, tempNameFor(file.name));
    try {
      const handle = await open(temp, 'wx');
      try {
        await handle.writeFile(file.content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (!(await moveNoReplace(temp, target))) {
        const at = await modifiedAt(target);
        return this.#receipt(file.name, target, at ?? this.clock.now(), true);
      }
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    await syncFolder(this.config.outbox);
    return this.#receipt(file.name, target, this.clock.now(), false);
  }

  async collect(handle: (file: CollectedFile) => Promise<void>): Promise<CollectResult> {
    await this.#open();
    const result: CollectResult = { collected: [], failed: [] };
    const entries = await readdir(this.config.inbox, { withFileTypes: true });
    const names = entries
      .filter((entry) => entry.isFile() && !isInProgress(entry.name))
      .map((entry) => entry.name)
      .sort(byName);
    for (const name of names) {
      const problem = inboundNameProblem(name);
      if (problem) {
        result.failed.push({ name, error: `refused: ${problem}` });
        continue;
      }
      const source = path.join(this.config.inbox, name);
      let content: Buffer;
      try {
        const size = (await stat(source)).size;
        if (size > this.config.maxFileBytes) {
          result.failed.push({ name, error: `is ${size} bytes, above maxFileBytes ${this.config.maxFileBytes}` });
          continue;
        }
        content = await readFile(source);
      } catch (error) {
        // Gone since the listing (another collector took it): nothing to do.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') result.failed.push({ name, error: messageOf(error) });
        continue;
      }
      try {
        await handle({ name, content, location: source });
      } catch (error) {
        result.failed.push({ name, error: messageOf(error) });
        continue;
      }
      try {
        await this.#archive(name, source);
        result.collected.push(name);
      } catch (error) {
        result.failed.push({ name, error: `handled, but not archived (it will be handed again): ${messageOf(error)}` });
      }
    }
    return result;
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #open(): Promise<void> {
    if (this.#closed) return Promise.reject(connectorClosed(this.kind));
    const folders = [this.config.outbox, this.config.inbox, this.config.archive];
    this.#ready ??= Promise.all(folders.map((folder) => mkdir(folder, { recursive: true }))).then(
      () => undefined,
      (error: unknown) => {
        this.#ready = undefined;
        throw error;
      },
    );
    return this.#ready;
  }

  async #findDelivered(name: string): Promise<{ location: string; at: Date } | undefined> {
    for (const folder of [this.config.outbox, this.config.outboxArchive]) {
      if (folder === undefined) continue;
      const location = path.join(folder, name);
      const at = await modifiedAt(location);
      if (at) return { location, at };
    }
    return undefined;
  }

  async #archive(name: string, source: string): Promise<void> {
    if (await moveNoReplace(source, path.join(this.config.archive, name))) return;
    const unique = path.join(this.config.archive, archiveNameFor(name, this.clock.now()));
    if (!(await moveNoReplace(source, unique))) throw new Error(`${unique} exists`);
  }

  #receipt(name: string, location: string, at: Date, alreadyDelivered: boolean): DeliveryReceipt {
    return { name, deliveredAt: at.toISOString(), location, alreadyDelivered };
  }
}

/**
 * Moves `source` to `target` unless `target` exists (false then, `source` untouched). A hard link is
 * atomic and never replaces; file systems without hard links (some network shares) fall back to a
 * checked rename, which is as good as such a share allows.
 */
async function moveNoReplace(source: string, target: string): Promise<boolean> {
  try {
    await link(source, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw error;
    if (await modifiedAt(target)) return false;
    await rename(source, target);
    return true;
  }
  await unlink(source);
  return true;
}

async function modifiedAt(file: string): Promise<Date | undefined> {
  try {
    return (await lstat(file)).mtime;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Makes the new directory entry durable; not every platform can open a folder for fsync. */
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, constants.O_RDONLY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort.
  }
}

import path from 'node:path';
import type { Stats } from 'ssh2';
import type { Clock } from '../../core/clock.js';
import type { SftpConnectorConfig } from './config.js';
import type { BankConnector, BankFile, CollectedFile, CollectResult, DeliveryReceipt } from './connector.js';
import { TransientBankError, connectorClosed, messageOf } from './errors.js';
import {
  archiveNameFor,
  assertDeliverableName,
  byName,
  inboundNameProblem,
  isInProgress,
  tempNameFor,
} from './file-names.js';
import { withRetry, type RetryEvent } from './retry.js';
import {
  isNoSuchFile,
  mkdir,
  openSftpSession,
  readWholeFile,
  readdir,
  removeQuietly,
  rename,
  statOrNull,
  where,
  writeNewFile,
  type SftpSession,
} from './sftp-session.js';

const posix = path.posix;
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

/**
 * The bank's SFTP server: key-only login, the server pinned by its host key fingerprint, one
 * connection reused across calls (reopened when it drops) and closed by close(). A delivery uploads
 * to a hidden temp name in the outbox and renames it to the final name; SFTP's rename refuses an
 * existing target, so a file is never replaced. A transient failure (connection refused or lost,
 * timeout) is retried with backoff; each attempt first looks for the name again, so a retry after a
 * rename whose answer was lost reports the file delivered rather than sending it twice.
 */
export class SftpConnector implements BankConnector {
  readonly kind = 'sftp' as const;
  #current: Promise<SftpSession> | undefined;
  #archiveReady = new WeakSet<SftpSession>();
  #closed = false;
  readonly #server: string;

  constructor(
    private readonly config: SftpConnectorConfig,
    private readonly clock: Clock,
    private readonly onRetry?: (event: RetryEvent) => void,
  ) {
    this.#server = where(config);
  }

  async deliver(file: BankFile): Promise<DeliveryReceipt> {
    assertDeliverableName(file.name);
    if (this.#closed) throw connectorClosed(this.kind);
    const target = posix.join(this.config.outbox, file.name);
    // Temp files of attempts a dropped connection cut short, removed by the next attempt.
    const leftovers: string[] = [];
    // The temp file whose rename was sent when the connection dropped: it may or may not have happened.
    let renameSent: string | undefined;

    const attempt = async (): Promise<DeliveryReceipt> => {
      const session = await this.#session();
      const earlier = await this.#findDelivered(session, file.name);
      if (earlier) {
        // Our own rename went through before the connection dropped: delivered by this call after all.
        const ours =
          renameSent !== undefined &&
          earlier.location === target &&
          earlier.stats.size === file.content.length &&
          (await statOrNull(session, renameSent)) === null;
        await this.#removeAll(session, leftovers);
        return this.#receipt(
          file.name,
          earlier.location,
          ours ? this.clock.now() : mtimeOf(earlier.stats, this.clock.now()),
          !ours,
        );
      }
      await this.#removeAll(session, leftovers);
      renameSent = undefined;

      const temp = posix.join(this.config.outbox, tempNameFor(file.name));
      leftovers.push(temp);
      try {
        await writeNewFile(session, temp, file.content);
      } catch (error) {
        // Refused (a full disk, no permission): no retry will remove the partial temp file, so now.
        if (!(error instanceof TransientBankError)) await this.#removeAll(session, leftovers);
        throw error;
      }
      renameSent = temp;
      try {
        await rename(session, temp, target);
      } catch (error) {
        if (error instanceof TransientBankError) throw error;
        // Refused: most often because another delivery of the same name won the race.
        renameSent = undefined;
        const now = await statOrNull(session, target);
        await this.#removeAll(session, leftovers);
        if (now) return this.#receipt(file.name, target, mtimeOf(now, this.clock.now()), true);
        throw error;
      }
      leftovers.splice(leftovers.indexOf(temp), 1);
      return this.#receipt(file.name, target, this.clock.now(), false);
    };
    return withRetry(`SFTP delivery of ${file.name} to ${this.#server}`, this.config.retry, attempt, this.onRetry);
  }

  async collect(handle: (file: CollectedFile) => Promise<void>): Promise<CollectResult> {
    if (this.#closed) throw connectorClosed(this.kind);
    const result: CollectResult = { collected: [], failed: [] };
    // Settled in this run (collected or failed): a retry after a dropped connection does not redo them.
    const settled = new Set<string>();
    // Handled, but the connection dropped before the archive rename: archive them without handing them again.
    const handled = new Set<string>();
    const fail = (name: string, error: string): void => {
      settled.add(name);
      result.failed.push({ name, error });
    };

    const attempt = async (): Promise<void> => {
      const session = await this.#session();
      await this.#ensureArchive(session);
      const names = (await readdir(session, this.config.inbox))
        // OpenSSH lists `.` and `..` too; they are folders, but a server may send no mode.
        .filter((entry) => entry.filename !== '.' && entry.filename !== '..')
        .filter((entry) => isRegularFile(entry.attrs) && !isInProgress(entry.filename))
        .map((entry) => entry.filename)
        .filter((name) => !settled.has(name))
        .sort(byName);
      for (const name of names) {
        const problem = inboundNameProblem(name);
        if (problem) {
          fail(name, `refused: ${problem}`);
          continue;
        }
        const source = posix.join(this.config.inbox, name);
        if (!handled.has(name)) {
          let content: Buffer;
          try {
            content = await readWholeFile(session, source, this.config.maxFileBytes);
          } catch (error) {
            if (error instanceof TransientBankError) throw error;
            if (isNoSuchFile(error)) settled.add(name);
            else fail(name, messageOf(error));
            continue;
          }
          try {
            await handle({ name, content, location: this.#location(source) });
          } catch (error) {
            fail(name, messageOf(error));
            continue;
          }
          handled.add(name);
        }
        try {
          await this.#archive(session, name, source);
        } catch (error) {
          if (error instanceof TransientBankError) throw error;
          fail(name, `handled, but not archived (it will be handed again): ${messageOf(error)}`);
          continue;
        }
        settled.add(name);
        result.collected.push(name);
      }
    };
    await withRetry(`SFTP collection from ${this.#server}`, this.config.retry, attempt, this.onRetry);
    return result;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const session = await this.#current?.catch(() => undefined);
    this.#current = undefined;
    await session?.end();
  }

  /** The open session, or a new one when there is none or it dropped. */
  #session(): Promise<SftpSession> {
    if (this.#closed) return Promise.reject(connectorClosed(this.kind));
    const current = this.#current;
    if (!current) return this.#reconnect(undefined);
    return current.then(
      (session) => (session.closed ? this.#reconnect(current) : session),
      () => this.#reconnect(current),
    );
  }

  #reconnect(stale: Promise<SftpSession> | undefined): Promise<SftpSession> {
    // Another call reconnected meanwhile: share its connection.
    if (this.#current !== stale) return this.#session();
    const next = openSftpSession(this.config);
    this.#current = next;
    return next;
  }

  async #findDelivered(session: SftpSession, name: string): Promise<{ location: string; stats: Stats } | undefined> {
    for (const folder of [this.config.outbox, this.config.outboxArchive]) {
      if (folder === undefined) continue;
      const location = posix.join(folder, name);
      const stats = await statOrNull(session, location);
      if (stats) return { location, stats };
    }
    return undefined;
  }

  async #ensureArchive(session: SftpSession): Promise<void> {
    if (this.#archiveReady.has(session)) return;
    if (!(await statOrNull(session, this.config.archive))) {
      try {
        await mkdir(session, this.config.archive);
      } catch (error) {
        // Created by another collector in between is fine.
        if (error instanceof TransientBankError || !(await statOrNull(session, this.config.archive))) throw error;
      }
    }
    this.#archiveReady.add(session);
  }

  async #archive(session: SftpSession, name: string, source: string): Promise<void> {
    try {
      await rename(session, source, posix.join(this.config.archive, name));
    } catch (error) {
      // The bank reused a name already archived: keep both, under a dated name.
      if (error instanceof TransientBankError || !(await statOrNull(session, posix.join(this.config.archive, name)))) {
        throw error;
      }
      await rename(session, source, posix.join(this.config.archive, archiveNameFor(name, this.clock.now())));
    }
  }

  async #removeAll(session: SftpSession, files: string[]): Promise<void> {
    for (const file of [...files]) {
      if (await removeQuietly(session, file)) files.splice(files.indexOf(file), 1);
    }
  }

  #location(remotePath: string): string {
    // sftp:// URLs name a path under the login folder with /~/ (draft-ietf-secsh-scp-sftp-ssh-uri).
    const suffix = remotePath.startsWith('/') ? remotePath : `/~/${remotePath}`;
    return `sftp://${this.#server}${suffix}`;
  }

  #receipt(name: string, remotePath: string, at: Date, alreadyDelivered: boolean): DeliveryReceipt {
    return { name, deliveredAt: at.toISOString(), location: this.#location(remotePath), alreadyDelivered };
  }
}

function isRegularFile(attrs: { mode?: number } | undefined): boolean {
  // A server that sends no mode gets the benefit of the doubt; reading a folder then fails per file.
  return attrs?.mode === undefined || (attrs.mode & S_IFMT) === S_IFREG;
}

/** When the remote file was last written; a server that sends no time gets now. */
function mtimeOf(stats: Stats, fallback: Date): Date {
  return Number.isFinite(stats.mtime) && stats.mtime > 0 ? new Date(stats.mtime * 1000) : fallback;
}

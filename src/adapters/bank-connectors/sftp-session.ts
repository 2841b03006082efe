import ssh2 from 'ssh2';
import type { FileEntry, SFTPWrapper, Stats } from 'ssh2';
import { AppError } from '../../core/errors.js';
import { TransientBankError, messageOf } from './errors.js';
import { fingerprintOf, sameFingerprint } from './host-key.js';

/**
 * One SSH connection with its SFTP channel, behind promises, and the few file operations the SFTP
 * connector needs. Every failure is sorted here: the transport failing (a refused or dropped
 * connection, a timeout) is a TransientBankError the retry loop repeats; the server answering no
 * (a wrong host key, a refused login, an SFTP status such as permission denied) is an AppError.
 */
export interface SftpEndpoint {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  passphrase?: string | undefined;
  hostKeyFingerprint: string;
  connectTimeoutMs: number;
}

export interface SftpSession {
  readonly sftp: SFTPWrapper;
  /** True once the connection is gone: the next operation opens a new one. */
  readonly closed: boolean;
  end(): Promise<void>;
}

const { STATUS_CODE } = ssh2.utils.sftp;
// As plain numbers: errors carry the status as a number.
const NO_SUCH_FILE = Number(STATUS_CODE.NO_SUCH_FILE);
const NO_CONNECTION = Number(STATUS_CODE.NO_CONNECTION);
const CONNECTION_LOST = Number(STATUS_CODE.CONNECTION_LOST);
// Below ssh2's own largest request for servers other than OpenSSH, so no chunk is split in two.
const CHUNK_BYTES = 30 * 1024;
const REQUESTS_IN_FLIGHT = 64;

/** An SFTP status answer (no such file, permission denied, failure): the server works and said no. */
export class SftpStatusError extends AppError {
  constructor(
    readonly statusCode: number,
    what: string,
    message: string,
  ) {
    super('bank_transfer_failed', 502, `SFTP ${what}: ${message}`, { details: { sftpStatus: statusCode } });
  }
}

export const where = (endpoint: Pick<SftpEndpoint, 'host' | 'port' | 'username'>): string =>
  `${endpoint.username}@${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`;

export function openSftpSession(endpoint: SftpEndpoint): Promise<SftpSession> {
  const server = where(endpoint);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    let closed = false;
    let settled = false;
    let presentedKey: string | undefined;
    let sftp: SFTPWrapper | undefined;
    const ended = new Promise<void>((done) => client.once('close', () => done()));
    const session: SftpSession = {
      get sftp() {
        return sftp!;
      },
      get closed() {
        return closed;
      },
      end: () => {
        if (!closed) client.end();
        return ended;
      },
    };
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      client.end();
      reject(error);
    };
    // An error after login ends the connection; the operations under way fail with their own errors.
    client.on('error', (error: Error & { level?: string }) => {
      closed = true;
      fail(connectError(error, presentedKey, endpoint, server));
    });
    client.on('close', () => {
      closed = true;
      fail(new TransientBankError(`SFTP ${server}: the connection closed before login finished`));
    });
    client.on('ready', () => {
      client.sftp((error, channel) => {
        if (error) {
          fail(
            new AppError(
              'bank_sftp_refused',
              502,
              `SFTP ${server}: the server refused the SFTP subsystem: ${error.message}`,
            ),
          );
          return;
        }
        sftp = channel;
        settled = true;
        resolve(session);
      });
    });
    try {
      client.connect({
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.username,
        privateKey: endpoint.privateKey,
        ...(endpoint.passphrase === undefined ? {} : { passphrase: endpoint.passphrase }),
        readyTimeout: endpoint.connectTimeoutMs,
        // The pinned key, checked before anything is sent: a server with another key never sees the login.
        hostVerifier: (key: Buffer): boolean => {
          const actual = fingerprintOf(key);
          if (sameFingerprint(actual, endpoint.hostKeyFingerprint)) return true;
          presentedKey = actual;
          return false;
        },
        // Key only: never a password or keyboard-interactive prompt, even if the server offers one.
        authHandler: ['publickey'],
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
      });
    } catch (error) {
      fail(new AppError('bank_connection_failed', 502, `SFTP ${server}: ${messageOf(error)}`, { cause: error }));
    }
  });
}

function connectError(
  error: Error & { level?: string },
  presentedKey: string | undefined,
  endpoint: SftpEndpoint,
  server: string,
): Error {
  if (presentedKey) {
    return new AppError(
      'bank_host_key_mismatch',
      502,
      `SFTP ${server}: the server's host key is ${presentedKey}, not the configured ${endpoint.hostKeyFingerprint}; ` +
        'refusing to connect (if the bank changed its key, confirm the new fingerprint with the bank, then update hostKeyFingerprint)',
      { details: { expected: endpoint.hostKeyFingerprint, presented: presentedKey } },
    );
  }
  if (error.level === 'client-authentication') {
    return new AppError(
      'bank_authentication_failed',
      502,
      `SFTP ${server}: the server refused the private key for user ${endpoint.username} (is its public key authorised there?)`,
      { cause: error },
    );
  }
  if (error.level === 'handshake') {
    return new AppError('bank_handshake_failed', 502, `SFTP ${server}: ${error.message}`, { cause: error });
  }
  // Socket errors, timeouts, DNS, a connection lost before the handshake: the network, worth retrying.
  return new TransientBankError(`SFTP ${server}: ${error.message}`, { cause: error });
}

type Callback<T> = (error: Error | null | undefined, value: T) => void;

/** One SFTP request as a promise, its failure sorted into transient (transport) or a status refusal. */
export function call<T>(what: string, request: (callback: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      request((error, value) => (error ? reject(sorted(error, what)) : resolve(value)));
    } catch (error) {
      reject(sorted(error, what));
    }
  });
}

function sorted(error: unknown, what: string): Error {
  const code = (error as { code?: unknown }).code;
  // NO_CONNECTION and CONNECTION_LOST are statuses that mean the transport, like errors without a status.
  if (typeof code === 'number' && code !== NO_CONNECTION && code !== CONNECTION_LOST) {
    return new SftpStatusError(code, what, messageOf(error));
  }
  return new TransientBankError(`SFTP ${what}: ${messageOf(error)}`, { cause: error });
}

export const isNoSuchFile = (error: unknown): boolean =>
  error instanceof SftpStatusError && error.statusCode === NO_SUCH_FILE;

export async function statOrNull(session: SftpSession, file: string): Promise<Stats | null> {
  try {
    return await call<Stats>(`stat ${file}`, (cb) => session.sftp.stat(file, cb));
  } catch (error) {
    if (isNoSuchFile(error)) return null;
    throw error;
  }
}

export const readdir = (session: SftpSession, folder: string): Promise<FileEntry[]> =>
  call<FileEntry[]>(`list ${folder}`, (cb) => session.sftp.readdir(folder, cb));

/** SFTP v3 rename: refused when `target` exists (OpenSSH and the draft agree), so it never replaces. */
export const rename = (session: SftpSession, source: string, target: string): Promise<void> =>
  call<void>(`rename ${source} to ${target}`, (cb) => session.sftp.rename(source, target, (e) => cb(e, undefined)));

export const mkdir = (session: SftpSession, folder: string): Promise<void> =>
  call<void>(`mkdir ${folder}`, (cb) => session.sftp.mkdir(folder, (e) => cb(e, undefined)));

/** Removes a file; a file already gone is fine, any other failure is ignored too (best-effort cleanup). */
export async function removeQuietly(session: SftpSession, file: string): Promise<boolean> {
  try {
    await call<void>(`remove ${file}`, (cb) => session.sftp.unlink(file, (e) => cb(e, undefined)));
    return true;
  } catch (error) {
    return isNoSuchFile(error);
  }
}

/** Creates `file` (refused if it exists) and writes `content` with many requests in flight. */
export async function writeNewFile(session: SftpSession, file: string, content: Buffer): Promise<void> {
  const handle = await call<Buffer>(`create ${file}`, (cb) => session.sftp.open(file, 'wx', cb));
  try {
    await inChunks(content.length, (offset, length) =>
      call<void>(`write ${file}`, (cb) =>
        session.sftp.write(handle, content, offset, length, offset, (e) => cb(e, undefined)),
      ),
    );
  } catch (error) {
    await closeHandle(session, handle, file);
    throw error;
  }
  // Some servers write through only on close: its failure is the upload's failure.
  await call<void>(`close ${file}`, (cb) => session.sftp.close(handle, (e) => cb(e, undefined)));
}

/** Reads a whole file with many requests in flight; refused above `maxBytes` before reading. */
export async function readWholeFile(session: SftpSession, file: string, maxBytes: number): Promise<Buffer> {
  const handle = await call<Buffer>(`open ${file}`, (cb) => session.sftp.open(file, 'r', cb));
  try {
    const { size } = await call<Stats>(`stat ${file}`, (cb) => session.sftp.fstat(handle, cb));
    if (size > maxBytes) {
      throw new AppError('bank_file_too_large', 502, `${file} is ${size} bytes, above maxFileBytes ${maxBytes}`);
    }
    const buffer = Buffer.alloc(size);
    await inChunks(size, async (offset, length) => {
      // A server may answer a read with fewer bytes than asked: ask again for the rest.
      for (let done = 0; done < length;) {
        const at = offset + done;
        const read = await call<number>(`read ${file}`, (cb) =>
          session.sftp.read(handle, buffer, at, length - done, at, (e, bytes) => cb(e, bytes)),
        );
        if (read === 0) throw new SftpStatusError(STATUS_CODE.EOF, `read ${file}`, `ended at ${at} of ${size} bytes`);
        done += read;
      }
    });
    return buffer;
  } finally {
    await closeHandle(session, handle, file);
  }
}

async function closeHandle(session: SftpSession, handle: Buffer, file: string): Promise<void> {
  if (session.closed) return;
  await call<void>(`close ${file}`, (cb) => session.sftp.close(handle, (e) => cb(e, undefined))).catch(() => undefined);
}

/** Runs `task` over [0, total) in CHUNK_BYTES pieces, REQUESTS_IN_FLIGHT at a time; stops at the first failure. */
async function inChunks(total: number, task: (offset: number, length: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < total) {
      const offset = next;
      const length = Math.min(CHUNK_BYTES, total - offset);
      next += length;
      try {
        await task(offset, length);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Math.min(REQUESTS_IN_FLIGHT, Math.ceil(total / CHUNK_BYTES));
  await Promise.all(Array.from({ length: workers }, worker));
}

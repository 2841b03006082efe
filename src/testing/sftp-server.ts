import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Stats as FsStats } from 'node:fs';
import { link, lstat, mkdir, open, readdir, rename, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import net, { type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import ssh2 from 'ssh2';
import type { Attributes, Connection, FileEntry, ParsedKey, SFTPWrapper } from 'ssh2';
import { testTmpDir } from './test-database.js';

/**
 * A real SFTP server on 127.0.0.1 (ssh2's `Server`) serving a folder, for the bank connector tests and
 * the end-to-end payment tests. Public key login only, for the keys in `authorizedKeys`; every remote
 * path is resolved inside `root` (`/outbox/x` is `<root>/outbox/x`; `..` cannot leave it). RENAME
 * refuses an existing target, as OpenSSH's does. `stop()` drops every connection at once like a crash,
 * and `start()` listens again on the same port.
 */

export interface SshKeyPair {
  /** OpenSSH (`-----BEGIN OPENSSH PRIVATE KEY-----`, ed25519) or PEM (`-----BEGIN RSA PRIVATE KEY-----`). */
  privateKey: string;
  /** The `authorized_keys` line: `ssh-ed25519 AAAA… comment`. */
  publicKey: string;
  /** As `ssh-keygen -lf` prints it: `SHA256:…`. */
  fingerprint: string;
}

/**
 * A key pair from node:crypto in a format ssh2 reads: ed25519 written as an unencrypted OpenSSH key
 * (what `ssh-keygen -t ed25519` writes; node:crypto has no OpenSSH export), RSA as PKCS#1 PEM.
 */
export function generateSshKeyPair(type: 'ed25519' | 'rsa' = 'ed25519', comment = 'finflow-test'): SshKeyPair {
  let privateKey: string;
  if (type === 'rsa') {
    privateKey = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
  } else {
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    privateKey = openSshEd25519(Buffer.from(jwk.d!, 'base64url'), Buffer.from(jwk.x!, 'base64url'), comment);
  }
  const blob = parsedKey(privateKey).getPublicSSH();
  const algorithm = type === 'rsa' ? 'ssh-rsa' : 'ssh-ed25519';
  return {
    privateKey,
    publicKey: `${algorithm} ${blob.toString('base64')} ${comment}`,
    fingerprint: `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`,
  };
}

/** The "openssh-key-v1" container (PROTOCOL.key in OpenSSH), unencrypted. */
function openSshEd25519(seed: Buffer, publicKey: Buffer, comment: string): string {
  const u32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const str = (data: Buffer | string): Buffer => {
    const bytes = Buffer.from(data);
    return Buffer.concat([u32(bytes.length), bytes]);
  };
  const publicBlob = Buffer.concat([str('ssh-ed25519'), str(publicKey)]);
  const check = randomBytes(4);
  let secret = Buffer.concat([
    check,
    check,
    str('ssh-ed25519'),
    str(publicKey),
    str(Buffer.concat([seed, publicKey])),
    str(comment),
  ]);
  const padding = Buffer.from(Array.from({ length: (8 - (secret.length % 8)) % 8 }, (_, i) => i + 1));
  secret = Buffer.concat([secret, padding]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    str('none'),
    str('none'),
    str(''),
    u32(1),
    str(publicBlob),
    str(secret),
  ]).toString('base64');
  const lines = body.match(/.{1,70}/g)!.join('\n');
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

function parsedKey(text: string): ParsedKey {
  const parsed = ssh2.utils.parseKey(text);
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey | Error) : parsed;
  if (key instanceof Error) throw key;
  return key;
}

export interface SftpTestServerOptions {
  /** The served folder; a fresh test folder by default. */
  root?: string;
  username?: string;
  /** `authorized_keys` lines (SshKeyPair.publicKey); the array stays live on the server. */
  authorizedKeys: string[];
  hostKey?: SshKeyPair;
}

export interface SftpTestServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly root: string;
  readonly username: string;
  readonly hostKey: SshKeyPair;
  authorizedKeys: string[];
  /** TCP connections accepted so far (a refused host key or login still counts one). */
  readonly connections: number;
  /** Successful logins so far. */
  readonly logins: number;
  /**
   * Called with each SFTP request before it is served: `('WRITE', '/outbox/.x.part')`. Returning
   * `'crash'` serves the request and then stops the server instead of answering (the work is done,
   * the answer lost), as a crash at the worst moment would; a throw is answered as a failure.
   */
  onRequest: ((operation: string, remotePath: string) => 'crash' | void) | undefined;
  /** Extra names READDIR reports for a folder, as a broken or hostile server might (`../x`). */
  extraEntries: ((remoteFolder: string) => string[]) | undefined;
  /** The local path of a remote path. */
  localPath(remotePath: string): string;
  /** Stops listening and drops every connection at once, as a crash would. */
  stop(): Promise<void>;
  /** Listens again on the same port (after a stop under way has finished). */
  start(): Promise<void>;
  close(): Promise<void>;
}

type OpenHandle = { kind: 'file'; file: FileHandle; path: string } | { kind: 'dir'; path: string; listed: boolean };

export async function startSftpTestServer(options: SftpTestServerOptions): Promise<SftpTestServer> {
  const root = options.root ?? testTmpDir();
  await mkdir(root, { recursive: true });
  const hostKey = options.hostKey ?? generateSshKeyPair('ed25519', 'test-host');
  const username = options.username ?? 'finflow';
  const sockets = new Set<Socket>();
  let connections = 0;
  let logins = 0;
  let port = 0;

  const localPath = (remotePath: string): string => path.join(root, path.posix.resolve('/', remotePath));

  const sshServer = new ssh2.Server({ hostKeys: [hostKey.privateKey] }, (client: Connection) => {
    // A dropped socket surfaces as an error on the connection: expected here, never a crash.
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || ctx.username !== username) return ctx.reject(['publickey']);
      const allowed = state.authorizedKeys.map(parsedKey).find((key) => key.getPublicSSH().equals(ctx.key.data));
      if (!allowed) return ctx.reject(['publickey']);
      // Without a signature the client only asks whether the key would do; with one, it must verify.
      if (ctx.signature && allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) {
        return ctx.reject(['publickey']);
      }
      ctx.accept();
    });
    client.on('ready', () => {
      logins++;
      client.on('session', (accept) => {
        const session = accept();
        session.on('sftp', (acceptSftp) => serveSftp(acceptSftp(), client));
      });
    });
  });

  function serveSftp(sftp: SFTPWrapper, client: Connection): void {
    const { STATUS_CODE, flagsToString } = ssh2.utils.sftp;
    const handles = new Map<number, OpenHandle>();
    let nextHandle = 0;
    client.on('close', () => {
      for (const open of handles.values()) if (open.kind === 'file') void open.file.close().catch(() => undefined);
      handles.clear();
    });
    const handleOf = (buffer: Buffer): OpenHandle | undefined =>
      buffer.length === 4 ? handles.get(buffer.readUInt32BE(0)) : undefined;
    const newHandle = (open: OpenHandle): Buffer => {
      const id = nextHandle++;
      handles.set(id, open);
      const buffer = Buffer.alloc(4);
      buffer.writeUInt32BE(id);
      return buffer;
    };
    const fail = (reqId: number, error: unknown): void => {
      const code = (error as NodeJS.ErrnoException).code;
      const status =
        code === 'ENOENT'
          ? STATUS_CODE.NO_SUCH_FILE
          : code === 'EACCES' || code === 'EPERM'
            ? STATUS_CODE.PERMISSION_DENIED
            : STATUS_CODE.FAILURE;
      sftp.status(reqId, status, (error as Error).message);
    };
    /**
     * Runs one request: the hook first, then `work`, which returns the answer to send (so a 'crash'
     * verdict can do the work and drop the answer); a throw is answered as a status.
     */
    const serve = (
      operation: string,
      remotePath: string,
      reqId: number,
      work: () => Promise<() => void> | (() => void),
    ): void => {
      let verdict: 'crash' | void;
      try {
        verdict = state.onRequest?.(operation, remotePath);
      } catch (error) {
        return fail(reqId, error);
      }
      Promise.resolve()
        .then(work)
        .then(
          (reply) => (verdict === 'crash' ? void stop() : reply()),
          (error: unknown) => (verdict === 'crash' ? void stop() : fail(reqId, error)),
        );
    };
    const ok = (reqId: number) => () => sftp.status(reqId, STATUS_CODE.OK);
    const status = (reqId: number, code: number, message?: string) => () => sftp.status(reqId, code, message);

    sftp.on('REALPATH', (reqId, remotePath) =>
      serve('REALPATH', remotePath, reqId, () => () => {
        sftp.name(reqId, [{ filename: path.posix.resolve('/', remotePath), longname: '', attrs: {} as Attributes }]);
      }),
    );
    sftp.on('OPEN', (reqId, remotePath, flags) =>
      serve('OPEN', remotePath, reqId, async () => {
        const mode = flagsToString(flags);
        if (!mode) return status(reqId, STATUS_CODE.OP_UNSUPPORTED, `open flags ${flags}`);
        const file = await open(localPath(remotePath), mode, 0o644);
        const handle = newHandle({ kind: 'file', file, path: remotePath });
        return () => sftp.handle(reqId, handle);
      }),
    );
    sftp.on('READ', (reqId, handle, offset, length) => {
      const open = handleOf(handle);
      serve('READ', open?.path ?? '', reqId, async () => {
        if (open?.kind !== 'file') return status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await open.file.read(buffer, 0, length, offset);
        if (bytesRead === 0) return status(reqId, STATUS_CODE.EOF);
        return () => sftp.data(reqId, buffer.subarray(0, bytesRead));
      });
    });
    sftp.on('WRITE', (reqId, handle, offset, data) => {
      const open = handleOf(handle);
      serve('WRITE', open?.path ?? '', reqId, async () => {
        if (open?.kind !== 'file') return status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        await open.file.write(data, 0, data.length, offset);
        return ok(reqId);
      });
    });
    sftp.on('FSTAT', (reqId, handle) => {
      const open = handleOf(handle);
      serve('FSTAT', open?.path ?? '', reqId, async () => {
        if (open?.kind !== 'file') return status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        const attrs = attributes(await open.file.stat());
        return () => sftp.attrs(reqId, attrs);
      });
    });
    sftp.on('CLOSE', (reqId, handle) => {
      const open = handleOf(handle);
      serve('CLOSE', open?.path ?? '', reqId, async () => {
        if (!open) return status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        handles.delete(handle.readUInt32BE(0));
        if (open.kind === 'file') await open.file.close();
        return ok(reqId);
      });
    });
    sftp.on('OPENDIR', (reqId, remotePath) =>
      serve('OPENDIR', remotePath, reqId, async () => {
        if (!(await stat(localPath(remotePath))).isDirectory()) {
          return status(reqId, STATUS_CODE.FAILURE, 'not a directory');
        }
        const handle = newHandle({ kind: 'dir', path: remotePath, listed: false });
        return () => sftp.handle(reqId, handle);
      }),
    );
    sftp.on('READDIR', (reqId, handle) => {
      const open = handleOf(handle);
      serve('READDIR', open?.path ?? '', reqId, async () => {
        if (open?.kind !== 'dir') return status(reqId, STATUS_CODE.FAILURE, 'bad handle');
        // Everything in one answer, then EOF.
        if (open.listed) return status(reqId, STATUS_CODE.EOF);
        open.listed = true;
        const folder = localPath(open.path);
        const entries: FileEntry[] = [];
        // As OpenSSH does: the folder itself and its parent come first.
        for (const name of ['.', '..', ...(await readdir(folder))]) {
          const attrs = attributes(await lstat(path.join(folder, name)));
          entries.push({ filename: name, longname: longName(name, attrs), attrs });
        }
        for (const name of state.extraEntries?.(open.path) ?? []) {
          const attrs = { mode: 0o100644, uid: 0, gid: 0, size: 1, atime: 0, mtime: 0 };
          entries.push({ filename: name, longname: longName(name, attrs), attrs });
        }
        return () => sftp.name(reqId, entries);
      });
    });
    for (const operation of ['STAT', 'LSTAT'] as const) {
      sftp.on(operation, (reqId: number, remotePath: string) =>
        serve(operation, remotePath, reqId, async () => {
          const file = localPath(remotePath);
          const attrs = attributes(operation === 'STAT' ? await stat(file) : await lstat(file));
          return () => sftp.attrs(reqId, attrs);
        }),
      );
    }
    sftp.on('RENAME', (reqId, from, to) =>
      serve('RENAME', from, reqId, async () => {
        const source = localPath(from);
        const target = localPath(to);
        // Never replaces: link fails on an existing target (a folder is renamed after a check).
        if ((await lstat(source)).isDirectory()) {
          const exists = await lstat(target).then(
            () => true,
            () => false,
          );
          if (exists) return status(reqId, STATUS_CODE.FAILURE, 'target exists');
          await rename(source, target);
          return ok(reqId);
        }
        try {
          await link(source, target);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
            return status(reqId, STATUS_CODE.FAILURE, 'target exists');
          }
          throw error;
        }
        await unlink(source);
        return ok(reqId);
      }),
    );
    sftp.on('REMOVE', (reqId, remotePath) =>
      serve('REMOVE', remotePath, reqId, async () => {
        await unlink(localPath(remotePath));
        return ok(reqId);
      }),
    );
    sftp.on('MKDIR', (reqId, remotePath) =>
      serve('MKDIR', remotePath, reqId, async () => {
        await mkdir(localPath(remotePath));
        return ok(reqId);
      }),
    );
    sftp.on('RMDIR', (reqId, remotePath) =>
      serve('RMDIR', remotePath, reqId, async () => {
        await rmdir(localPath(remotePath));
        return ok(reqId);
      }),
    );
    // Attributes are not kept: accepted and ignored.
    sftp.on('SETSTAT', (reqId: number, remotePath: string) => serve('SETSTAT', remotePath, reqId, () => ok(reqId)));
    sftp.on('FSETSTAT', (reqId: number) => serve('FSETSTAT', '', reqId, () => ok(reqId)));
  }

  const listener = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    sshServer.injectSocket(socket);
  });

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, '127.0.0.1', () => {
        listener.off('error', reject);
        port = (listener.address() as AddressInfo).port;
        resolve();
      });
    });

  let stopping: Promise<void> = Promise.resolve();
  const stop = (): Promise<void> => {
    if (listener.listening) {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      stopping = stopping.then(() => closed);
    }
    for (const socket of sockets) socket.destroy();
    return stopping;
  };
  const start = async (): Promise<void> => {
    await stopping;
    if (!listener.listening) await listen();
  };

  const state: SftpTestServer = {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    root,
    username,
    hostKey,
    authorizedKeys: options.authorizedKeys,
    get connections() {
      return connections;
    },
    get logins() {
      return logins;
    },
    onRequest: undefined,
    extraEntries: undefined,
    localPath,
    stop,
    start,
    close: stop,
  };
  await listen();
  return state;
}

function attributes(stats: FsStats): Attributes {
  return {
    mode: stats.mode,
    uid: stats.uid,
    gid: stats.gid,
    size: stats.size,
    atime: Math.floor(stats.atimeMs / 1000),
    mtime: Math.floor(stats.mtimeMs / 1000),
  };
}

function longName(name: string, attrs: Attributes): string {
  const type = (attrs.mode & 0o170000) === 0o040000 ? 'd' : '-';
  return `${type}rw-r--r-- 1 ${attrs.uid} ${attrs.gid} ${attrs.size} Jan 1 00:00 ${name}`;
}

/**
 * A bank account's SFTP connection (PUT /bank-accounts/{id}/connection) to `server`: key auth by the
 * secret `keySecret`, the server's host key pinned, the bank's outbox, inbox and archive folders.
 */
export function sftpConnection(server: SftpTestServer, keySecret = 'BANK_SFTP_KEY') {
  return {
    kind: 'sftp' as const,
    host: server.host,
    port: server.port,
    username: server.username,
    privateKey: { secret: keySecret },
    hostKeyFingerprint: server.hostKey.fingerprint,
    outbox: '/outbox',
    inbox: '/inbox',
    archive: '/archive',
  };
}

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError } from '../../core/errors.js';
import {
  generateSshKeyPair,
  startSftpTestServer,
  type SftpTestServer,
  type SshKeyPair,
} from '../../testing/sftp-server.js';
import { connectorContract, type ConnectorHarness } from '../../testing/bank-connector-contract.js';
import type { BankConnectorConfigInput } from './config.js';
import { createBankConnector } from './create.js';
import type { RetryEvent } from './retry.js';

/**
 * The SFTP connector against a real SFTP server (ssh2's Server on 127.0.0.1, src/testing/sftp-server.ts)
 * serving a temp folder: the shared contract, then what only SFTP has — the pinned host key, key-only
 * login, and a server that dies in the middle of a delivery.
 */

const clientKey = generateSshKeyPair('ed25519', 'finflow');
const FOLDERS = ['outbox', 'inbox', 'archive', 'taken'];
const FAST_RETRY = { attempts: 8, initialDelayMs: 50, maxDelayMs: 400 };

function configFor(server: SftpTestServer, overrides: Partial<Record<string, unknown>> = {}): BankConnectorConfigInput {
  return {
    kind: 'sftp',
    host: server.host,
    port: server.port,
    username: server.username,
    privateKey: clientKey.privateKey,
    hostKeyFingerprint: server.hostKey.fingerprint,
    outbox: '/outbox',
    inbox: '/inbox',
    archive: '/archive',
    outboxArchive: '/taken',
    connectTimeoutMs: 5_000,
    retry: FAST_RETRY,
    ...overrides,
  };
}

async function startServer(authorizedKeys: SshKeyPair[] = [clientKey]): Promise<SftpTestServer> {
  const server = await startSftpTestServer({ authorizedKeys: authorizedKeys.map((k) => k.publicKey) });
  // The bank's server has its folders; the archive the connector creates itself.
  for (const folder of ['outbox', 'inbox', 'taken']) await mkdir(server.localPath(`/${folder}`));
  return server;
}

async function sftpHarness(): Promise<ConnectorHarness> {
  const server = await startServer();
  const read = (remote: string) => readFile(server.localPath(remote)).catch(() => undefined);
  const list = async (remote: string) => (await readdir(server.localPath(remote)).catch(() => [] as string[])).sort();
  let bogus: string[] = [];
  server.extraEntries = (folder) => (folder === '/inbox' ? bogus : []);
  return {
    connector: createBankConnector(configFor(server)),
    offerInbound: (name, content) => writeFile(server.localPath(`/inbox/${name}`), content),
    delivered: (name) => read(`/outbox/${name}`),
    outboxEntries: () => list('/outbox'),
    // The names the bank lists, bogus ones aside.
    inboundNames: () => list('/inbox'),
    archived: (name) => read(`/archive/${name}`),
    strayEntries: async () => (await list('/')).filter((name) => !FOLDERS.includes(name)),
    bankPicksUp: (name) => rename(server.localPath(`/outbox/${name}`), server.localPath(`/taken/${name}`)),
    listBogusInbound: (names) => {
      bogus = names;
    },
    cleanup: async () => {
      await server.close();
      await rm(server.root, { recursive: true, force: true });
    },
  };
}

connectorContract('SFTP', { outboxArchive: true, bogusListing: true, archiveKeepsReusedNames: true }, sftpHarness);

describe('SFTP connector: security and failures', () => {
  let server: SftpTestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.close();
    await rm(server.root, { recursive: true, force: true });
  });

  test('a server whose host key is not the pinned one is refused before login, and not retried', async () => {
    const impostor = generateSshKeyPair('ed25519', 'impostor');
    const connector = createBankConnector(configFor(server, { hostKeyFingerprint: impostor.fingerprint }));
    const connections = server.connections;
    const logins = server.logins;
    await assert.rejects(connector.deliver({ name: 'pay.xml', content: Buffer.from('x') }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'bank_host_key_mismatch');
      assert.ok(error.message.includes(server.hostKey.fingerprint), error.message);
      assert.ok(error.message.includes(impostor.fingerprint), error.message);
      return true;
    });
    assert.equal(server.connections, connections + 1, 'one connection: a mismatch is not retried');
    assert.equal(server.logins, logins);
    assert.deepEqual(await readdir(server.localPath('/outbox')), []);
    await connector.close();
  });

  test('a client key the server has not authorised is refused, and not retried', async () => {
    const stranger = generateSshKeyPair('ed25519', 'stranger');
    const connector = createBankConnector(configFor(server, { privateKey: stranger.privateKey }));
    const connections = server.connections;
    await assert.rejects(connector.deliver({ name: 'pay.xml', content: Buffer.from('x') }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'bank_authentication_failed');
      assert.match(error.message, /refused the private key for user finflow/);
      return true;
    });
    assert.equal(server.connections, connections + 1);
    await connector.close();
  });

  test('an RSA key in PEM (PKCS#1) logs in as well as an OpenSSH ed25519 key', async () => {
    const rsa = generateSshKeyPair('rsa', 'rsa-client');
    server.authorizedKeys.push(rsa.publicKey);
    const connector = createBankConnector(configFor(server, { privateKey: rsa.privateKey }));
    const receipt = await connector.deliver({ name: 'rsa.xml', content: Buffer.from('rsa') });
    assert.equal(receipt.location, `sftp://finflow@127.0.0.1:${server.port}/outbox/rsa.xml`);
    await connector.close();
  });

  test('one connection serves many calls', async () => {
    const connector = createBankConnector(configFor(server));
    const logins = server.logins;
    for (let i = 0; i < 3; i++) await connector.deliver({ name: `many-${i}.xml`, content: Buffer.from(String(i)) });
    await connector.collect(() => Promise.resolve());
    assert.equal(server.logins, logins + 1);
    await connector.close();
  });

  test('a server down for good: bounded retries, then bank_unavailable naming the attempts', async () => {
    const down = await startServer();
    await down.stop();
    const retries: RetryEvent[] = [];
    const connector = createBankConnector(
      configFor(down, { retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 20 } }),
      { onRetry: (event) => retries.push(event) },
    );
    await assert.rejects(connector.deliver({ name: 'pay.xml', content: Buffer.from('x') }), (error: unknown) => {
      assert.ok(error instanceof AppError);
      assert.equal(error.code, 'bank_unavailable');
      assert.match(error.message, /ECONNREFUSED.*gave up after 3 attempts/);
      return true;
    });
    assert.deepEqual(
      retries.map((r) => r.attempt),
      [1, 2],
    );
    await connector.close();
    await rm(down.root, { recursive: true, force: true });
  });
});

describe('SFTP connector: the server dies mid-way', () => {
  test('during the upload: the retry sends the file once, no partial file ever under the final name', async () => {
    const server = await startServer();
    const content = Buffer.alloc(2 * 1024 * 1024, 7);
    const final = server.localPath('/outbox/pay-1.xml');
    let crashed = false;
    let finalWhileDown: boolean | undefined;
    server.onRequest = (operation) => {
      if (operation !== 'WRITE' || crashed) return;
      crashed = true;
      // Down for a moment (the client's reconnects are refused), then back on the same port.
      setTimeout(() => {
        finalWhileDown = existsSync(final);
        void server.start();
      }, 300);
      return 'crash';
    };
    const retries: RetryEvent[] = [];
    const connector = createBankConnector(configFor(server), { onRetry: (event) => retries.push(event) });
    const receipt = await connector.deliver({ name: 'pay-1.xml', content });
    assert.ok(crashed);
    assert.equal(finalWhileDown, false);
    assert.ok(retries.length >= 1);
    assert.equal(receipt.alreadyDelivered, false);
    assert.deepEqual(
      await readdir(server.localPath('/outbox')),
      ['pay-1.xml'],
      'the first attempt’s temp file is gone',
    );
    assert.ok((await readFile(final)).equals(content));
    await connector.close();
    await server.close();
    await rm(server.root, { recursive: true, force: true });
  });

  test('after the rename, before its answer: the retry finds the file it delivered and does not send it again', async () => {
    const server = await startServer();
    let renames = 0;
    server.onRequest = (operation, remotePath) => {
      if (operation !== 'RENAME' || !remotePath.startsWith('/outbox/')) return;
      renames++;
      setTimeout(() => void server.start(), 100);
      return 'crash';
    };
    const connector = createBankConnector(configFor(server));
    const receipt = await connector.deliver({ name: 'pay-2.xml', content: Buffer.from('once') });
    assert.equal(renames, 1, 'one rename: the retry found the file');
    assert.equal(receipt.alreadyDelivered, false, 'this call did deliver it');
    assert.deepEqual(await readdir(server.localPath('/outbox')), ['pay-2.xml']);
    // A later call for the same name is the one that finds it already there.
    const again = await connector.deliver({ name: 'pay-2.xml', content: Buffer.from('once') });
    assert.equal(again.alreadyDelivered, true);
    await connector.close();
    await server.close();
    await rm(server.root, { recursive: true, force: true });
  });

  test('during a collection: files handled before the crash are not handed again, the rest follow', async () => {
    const server = await startServer();
    for (const name of ['a.xml', 'b.xml', 'c.xml']) await writeFile(server.localPath(`/inbox/${name}`), name);
    let crashed = false;
    server.onRequest = (operation, remotePath) => {
      if (operation !== 'OPEN' || remotePath !== '/inbox/b.xml' || crashed) return;
      crashed = true;
      void server.stop().then(async () => {
        await sleep(100);
        await server.start();
      });
    };
    const handed: string[] = [];
    const connector = createBankConnector(configFor(server));
    const result = await connector.collect((file) => {
      handed.push(file.name);
      return Promise.resolve();
    });
    assert.ok(crashed);
    assert.deepEqual(result, { collected: ['a.xml', 'b.xml', 'c.xml'], failed: [] });
    assert.deepEqual(handed, ['a.xml', 'b.xml', 'c.xml']);
    assert.deepEqual((await readdir(server.localPath('/archive'))).sort(), ['a.xml', 'b.xml', 'c.xml']);
    await connector.close();
    await server.close();
    await rm(server.root, { recursive: true, force: true });
  });
});

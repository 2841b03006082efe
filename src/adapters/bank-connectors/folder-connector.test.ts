import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { testTmpDir } from '../../testing/test-database.js';
import { connectorContract, type ConnectorHarness } from '../../testing/bank-connector-contract.js';
import { createBankConnector } from './create.js';

/** The folder connector on temp folders, which it creates itself. */

const FOLDERS = ['outbox', 'inbox', 'archive', 'taken'];

function folderHarness(): Promise<ConnectorHarness> {
  const root = testTmpDir();
  const at = (...parts: string[]): string => path.join(root, ...parts);
  const read = (file: string) => readFile(file).catch(() => undefined);
  const list = async (folder: string) => (await readdir(folder).catch(() => [] as string[])).sort();
  return Promise.resolve({
    connector: createBankConnector({
      kind: 'folder',
      outbox: at('outbox'),
      inbox: at('inbox'),
      archive: at('archive'),
      outboxArchive: at('taken'),
    }),
    offerInbound: async (name, content) => {
      await mkdir(at('inbox'), { recursive: true });
      await writeFile(at('inbox', name), content);
    },
    delivered: (name) => read(at('outbox', name)),
    outboxEntries: () => list(at('outbox')),
    inboundNames: () => list(at('inbox')),
    archived: (name) => read(at('archive', name)),
    strayEntries: async () => (await list(root)).filter((name) => !FOLDERS.includes(name)),
    bankPicksUp: async (name) => {
      await mkdir(at('taken'), { recursive: true });
      await rename(at('outbox', name), at('taken', name));
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  });
}

connectorContract('folder', { outboxArchive: true, bogusListing: false, archiveKeepsReusedNames: true }, folderHarness);

test('folder connector: creates its folders on first use and dates a delivery by the clock', async () => {
  const root = testTmpDir();
  const clock = new ManualClock('2026-03-02T08:00:00.000Z');
  const connector = createBankConnector(
    {
      kind: 'folder',
      outbox: path.join(root, 'a/out'),
      inbox: path.join(root, 'a/in'),
      archive: path.join(root, 'a/done'),
    },
    { clock },
  );
  const receipt = await connector.deliver({ name: 'x.xml', content: Buffer.from('x') });
  assert.deepEqual(receipt, {
    name: 'x.xml',
    deliveredAt: '2026-03-02T08:00:00.000Z',
    location: path.join(root, 'a/out/x.xml'),
    alreadyDelivered: false,
  });
  for (const folder of ['a/out', 'a/in', 'a/done']) assert.ok(existsSync(path.join(root, folder)), folder);
  await rm(root, { recursive: true, force: true });
});

test('folder connector: files the bank is still writing (dot files, .part, .filepart) and folders are left alone', async () => {
  const root = testTmpDir();
  const inbox = path.join(root, 'in');
  const connector = createBankConnector({
    kind: 'folder',
    outbox: path.join(root, 'out'),
    inbox,
    archive: path.join(root, 'done'),
  });
  await mkdir(path.join(inbox, 'sub.xml'), { recursive: true });
  for (const name of ['.upload.tmp', 'camt.xml.part', 'camt.xml.filepart', 'ready.xml']) {
    await writeFile(path.join(inbox, name), name);
  }
  const result = await connector.collect(() => Promise.resolve());
  assert.deepEqual(result, { collected: ['ready.xml'], failed: [] });
  assert.deepEqual((await readdir(inbox)).sort(), ['.upload.tmp', 'camt.xml.filepart', 'camt.xml.part', 'sub.xml']);
  await rm(root, { recursive: true, force: true });
});

test('folder connector: a file above maxFileBytes is left in place and reported', async () => {
  const root = testTmpDir();
  const connector = createBankConnector({
    kind: 'folder',
    outbox: path.join(root, 'out'),
    inbox: path.join(root, 'in'),
    archive: path.join(root, 'done'),
    maxFileBytes: 10,
  });
  await mkdir(path.join(root, 'in'), { recursive: true });
  await writeFile(path.join(root, 'in', 'huge.xml'), Buffer.alloc(11));
  const result = await connector.collect(() => Promise.reject(new Error('not handed')));
  assert.deepEqual(result, {
    collected: [],
    failed: [{ name: 'huge.xml', error: 'is 11 bytes, above maxFileBytes 10' }],
  });
  assert.ok(existsSync(path.join(root, 'in', 'huge.xml')));
  await rm(root, { recursive: true, force: true });
});

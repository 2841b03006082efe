import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { AppError } from '../core/errors.js';
import type { BankConnector, CollectedFile } from '../adapters/bank-connectors/connector.js';

/**
 * The tests every bank connector passes, whatever carries the files: registered by each connector's
 * own test file with a harness that can look at the bank's side of the link.
 */
export interface ConnectorHarness {
  connector: BankConnector;
  /** The bank puts a file where finflow collects. */
  offerInbound(name: string, content: Buffer): Promise<void>;
  /** What the bank received under `name`, if anything. */
  delivered(name: string): Promise<Buffer | undefined>;
  /** Every entry in the bank's outbox, temp files included: nothing half-written may stay behind. */
  outboxEntries(): Promise<string[]>;
  /** Names still waiting for finflow. */
  inboundNames(): Promise<string[]>;
  /** The content archived (acknowledged) under `name`. */
  archived(name: string): Promise<Buffer | undefined>;
  /** Entries of the remote outside the connector's folders: where a path traversal would land. */
  strayEntries(): Promise<string[]>;
  /** The bank takes a delivered file into its own archive (only where the remote has one). */
  bankPicksUp?(name: string): Promise<void>;
  /** Makes the remote list names no honest folder can hold (only where the remote can be made to). */
  listBogusInbound?(names: string[]): void;
  cleanup(): Promise<void>;
}

export interface ContractFeatures {
  /** The bank keeps taken files in an archive the connector checks (`outboxArchive`). */
  outboxArchive: boolean;
  /** The harness can list bogus names (`listBogusInbound`). */
  bogusListing: boolean;
  /** An inbound name archived twice keeps both files (folder, SFTP); an HTTP bank archives by its own rules. */
  archiveKeepsReusedNames: boolean;
}

const REFUSED_NAMES = ['../x', '/etc/passwd', '', 'a\0b', '..', 'a/b', 'a\\b', '.hidden', 'C:x'];

export function connectorContract(
  label: string,
  features: ContractFeatures,
  setup: () => Promise<ConnectorHarness>,
): void {
  const run = (name: string, body: (h: ConnectorHarness) => Promise<void>, options: { skip?: boolean } = {}): void =>
    void test(name, { skip: options.skip ?? false }, async () => {
      const harness = await setup();
      try {
        await body(harness);
      } finally {
        await harness.connector.close();
        await harness.cleanup();
      }
    });

  void describe(`${label} connector: the shared contract`, () => {
    run('delivers a file complete under its name and leaves nothing else in the outbox', async (h) => {
      const content = Buffer.from('<Document>pain.001</Document>');
      const receipt = await h.connector.deliver({ name: 'pain001-0001.xml', content });
      assert.equal(receipt.name, 'pain001-0001.xml');
      assert.equal(receipt.alreadyDelivered, false);
      assert.match(receipt.location, /pain001-0001\.xml/);
      assert.ok(!Number.isNaN(Date.parse(receipt.deliveredAt)), receipt.deliveredAt);
      assert.deepEqual(await h.delivered('pain001-0001.xml'), content);
      assert.deepEqual(await h.outboxEntries(), ['pain001-0001.xml']);
    });

    run('a second delivery of the same name does not overwrite and reports alreadyDelivered', async (h) => {
      const first = Buffer.from('first');
      await h.connector.deliver({ name: 'batch-7.xml', content: first });
      const again = await h.connector.deliver({ name: 'batch-7.xml', content: Buffer.from('second, different') });
      assert.equal(again.alreadyDelivered, true);
      assert.equal(again.name, 'batch-7.xml');
      assert.deepEqual(await h.delivered('batch-7.xml'), first);
      assert.deepEqual(await h.outboxEntries(), ['batch-7.xml']);
    });

    run(
      'a file the bank already took into its archive is not sent again',
      async (h) => {
        await h.connector.deliver({ name: 'batch-8.xml', content: Buffer.from('one') });
        await h.bankPicksUp!('batch-8.xml');
        const again = await h.connector.deliver({ name: 'batch-8.xml', content: Buffer.from('one') });
        assert.equal(again.alreadyDelivered, true);
        assert.deepEqual(await h.outboxEntries(), []);
      },
      { skip: !features.outboxArchive },
    );

    run('two deliveries of one name at once: exactly one sends, the other finds it', async (h) => {
      const a = randomBytes(256 * 1024);
      const b = randomBytes(256 * 1024);
      const receipts = await Promise.all([
        h.connector.deliver({ name: 'race.xml', content: a }),
        h.connector.deliver({ name: 'race.xml', content: b }),
      ]);
      assert.deepEqual(receipts.map((r) => r.alreadyDelivered).sort(), [false, true]);
      const winner = receipts[0].alreadyDelivered ? b : a;
      assert.deepEqual(await h.delivered('race.xml'), winner);
      assert.deepEqual(await h.outboxEntries(), ['race.xml']);
    });

    run('delivery is atomic: the final name never shows part of the file', async (h) => {
      const content = randomBytes(8 * 1024 * 1024);
      let delivering = true;
      const seen: number[] = [];
      const watch = (async () => {
        while (delivering) {
          const now = await h.delivered('big.xml');
          if (now) {
            seen.push(now.length);
            assert.ok(now.equals(content), `the final name showed ${now.length} of ${content.length} bytes`);
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      try {
        await h.connector.deliver({ name: 'big.xml', content });
      } finally {
        delivering = false;
        await watch;
      }
      assert.ok(seen.every((length) => length === content.length));
      assert.deepEqual(await h.outboxEntries(), ['big.xml']);
    });

    run('refuses names that are not one plain file name, before touching the remote', async (h) => {
      for (const name of REFUSED_NAMES) {
        await assert.rejects(
          h.connector.deliver({ name, content: Buffer.from('x') }),
          (error: unknown) => error instanceof AppError && error.code === 'bank_file_name_refused',
          JSON.stringify(name),
        );
      }
      assert.deepEqual(await h.outboxEntries(), []);
      assert.deepEqual(await h.strayEntries(), []);
    });

    run('collect hands every file once, in name order, and archives each after its handler', async (h) => {
      const files = new Map([
        ['camt053-b.xml', Buffer.from('b')],
        ['camt053-a.xml', Buffer.from('a')],
        ['pain002-c.xml', Buffer.from('c')],
      ]);
      for (const [name, content] of files) await h.offerInbound(name, content);
      const handed: CollectedFile[] = [];
      const result = await h.connector.collect(async (file) => {
        // Still in the inbox while it is handled: a crash now hands it again next time.
        assert.ok((await h.inboundNames()).includes(file.name), `${file.name} left the inbox before its handler ended`);
        assert.equal(await h.archived(file.name), undefined);
        handed.push(file);
      });
      assert.deepEqual(result, { collected: ['camt053-a.xml', 'camt053-b.xml', 'pain002-c.xml'], failed: [] });
      assert.deepEqual(
        handed.map((f) => f.name),
        result.collected,
      );
      for (const file of handed) {
        assert.deepEqual(file.content, files.get(file.name));
        assert.match(file.location, new RegExp(file.name.replace('.', '\\.')));
        assert.deepEqual(await h.archived(file.name), files.get(file.name));
      }
      assert.deepEqual(await h.inboundNames(), []);
      const again = await h.connector.collect(() => Promise.reject(new Error('nothing should be handed')));
      assert.deepEqual(again, { collected: [], failed: [] });
    });

    run('a file whose handler throws stays in the inbox, is reported, and comes again next time', async (h) => {
      for (const name of ['a.xml', 'b.xml', 'c.xml']) await h.offerInbound(name, Buffer.from(name));
      const first = await h.connector.collect(async (file) => {
        if (file.name === 'b.xml') throw new Error('the importer is down');
        await Promise.resolve();
      });
      assert.deepEqual(first.collected, ['a.xml', 'c.xml']);
      assert.deepEqual(first.failed, [{ name: 'b.xml', error: 'the importer is down' }]);
      assert.deepEqual(await h.inboundNames(), ['b.xml']);
      assert.equal(await h.archived('b.xml'), undefined);
      const handed: string[] = [];
      const second = await h.connector.collect(async (file) => {
        handed.push(file.name);
        await Promise.resolve();
      });
      assert.deepEqual(second, { collected: ['b.xml'], failed: [] });
      assert.deepEqual(handed, ['b.xml']);
      assert.deepEqual(await h.archived('b.xml'), Buffer.from('b.xml'));
    });

    run(
      'an inbound name the bank reuses is archived beside the first, never over it',
      async (h) => {
        await h.offerInbound('statement.xml', Buffer.from('monday'));
        await h.connector.collect(() => Promise.resolve());
        await h.offerInbound('statement.xml', Buffer.from('tuesday'));
        const handed: string[] = [];
        const result = await h.connector.collect((file) => {
          handed.push(file.content.toString());
          return Promise.resolve();
        });
        assert.deepEqual(result, { collected: ['statement.xml'], failed: [] });
        assert.deepEqual(handed, ['tuesday']);
        assert.deepEqual(await h.archived('statement.xml'), Buffer.from('monday'));
        assert.deepEqual(await h.inboundNames(), []);
      },
      { skip: !features.archiveKeepsReusedNames },
    );

    run(
      'inbound names that would leave the inbox are refused and never handed',
      async (h) => {
        const bogus = ['../evil.xml', '/etc/passwd', 'a\\b.xml', 'line\nbreak.xml'];
        h.listBogusInbound!(bogus);
        await h.offerInbound('good.xml', Buffer.from('good'));
        const handed: string[] = [];
        const result = await h.connector.collect((file) => {
          handed.push(file.name);
          return Promise.resolve();
        });
        assert.deepEqual(handed, ['good.xml']);
        assert.deepEqual(result.collected, ['good.xml']);
        assert.deepEqual(result.failed.map((f) => f.name).sort(), [...bogus].sort());
        for (const failure of result.failed) assert.match(failure.error, /^refused: /);
        assert.deepEqual(await h.strayEntries(), []);
      },
      { skip: !features.bogusListing },
    );

    run('a 20 MB file round trips both ways intact', async (h) => {
      const outbound = randomBytes(20 * 1024 * 1024);
      const inbound = randomBytes(20 * 1024 * 1024);
      await h.connector.deliver({ name: 'large-out.xml', content: outbound });
      assert.equal(sha256(await h.delivered('large-out.xml')), sha256(outbound));
      await h.offerInbound('large-in.xml', inbound);
      const digests: string[] = [];
      const result = await h.connector.collect((file) => {
        digests.push(sha256(file.content));
        return Promise.resolve();
      });
      assert.deepEqual(result.collected, ['large-in.xml']);
      assert.deepEqual(digests, [sha256(inbound)]);
    });

    run('after close, the connector refuses work', async (h) => {
      await h.connector.close();
      await assert.rejects(
        h.connector.deliver({ name: 'late.xml', content: Buffer.from('x') }),
        (error: unknown) => error instanceof AppError && error.code === 'bank_connector_closed',
      );
      await assert.rejects(
        h.connector.collect(() => Promise.resolve()),
        (error: unknown) => error instanceof AppError && error.code === 'bank_connector_closed',
      );
    });
  });
}

const sha256 = (content: Buffer | undefined): string =>
  content ? createHash('sha256').update(content).digest('hex') : 'nothing';

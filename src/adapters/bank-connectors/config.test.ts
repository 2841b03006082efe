import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../core/errors.js';
import { generateSshKeyPair } from '../../testing/sftp-server.js';
import { parseBankConnectorConfig } from './config.js';

/** A bad connector configuration is one 400 naming each field; secrets never appear in the message. */

const key = generateSshKeyPair('ed25519');
const sftp = {
  kind: 'sftp',
  host: 'sftp.bank.example',
  username: 'acme',
  privateKey: key.privateKey,
  hostKeyFingerprint: key.fingerprint,
  outbox: '/out',
  inbox: '/in',
  archive: '/in/archive',
};

function issuesOf(raw: unknown, field?: string): { field: string; message: string }[] {
  try {
    parseBankConnectorConfig(raw, field);
  } catch (error) {
    assert.ok(error instanceof AppError);
    assert.equal(error.status, 400);
    assert.equal(error.code, 'validation_failed');
    assert.ok(!error.message.includes('PRIVATE KEY'), 'the key is never echoed');
    return error.issues.map(({ field, message }) => ({ field, message }));
  }
  assert.fail('the configuration was accepted');
}

describe('bank connector configuration', () => {
  test('fills in the defaults and normalises the fingerprint', () => {
    const config = parseBankConnectorConfig({
      ...sftp,
      hostKeyFingerprint: key.fingerprint.slice('SHA256:'.length) + '=',
    });
    assert.equal(config.kind, 'sftp');
    assert.ok(config.kind === 'sftp');
    assert.equal(config.port, 22);
    assert.equal(config.hostKeyFingerprint, key.fingerprint);
    assert.equal(config.connectTimeoutMs, 20_000);
    assert.deepEqual(config.retry, { attempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 });
    assert.equal(config.maxFileBytes, 256 * 1024 * 1024);
  });

  test('an unknown kind names the field', () => {
    assert.deepEqual(issuesOf({ kind: 'ftp' }), [
      { field: 'config.kind', message: 'must be one of folder, sftp, http' },
    ]);
    assert.deepEqual(issuesOf('sftp', 'body.connector'), [{ field: 'body.connector', message: 'must be an object' }]);
  });

  test('SFTP: a password is refused, the fingerprint and key are checked, every problem is listed', () => {
    const issues = issuesOf(
      { ...sftp, password: 'hunter2', hostKeyFingerprint: 'MD5:aa:bb', privateKey: 'not a key', port: 0 },
      'body.connector',
    );
    assert.deepEqual(
      issues.map((i) => i.field),
      ['body.connector.port', 'body.connector.hostKeyFingerprint', 'body.connector.password'],
    );
    assert.match(issues[2]!.message, /password login is not supported/);
    assert.match(issues[1]!.message, /SHA256:/);
  });

  test('SFTP: an unreadable or public key is refused by field, after the fields themselves pass', () => {
    assert.deepEqual(issuesOf({ ...sftp, privateKey: 'not a key' }), [
      { field: 'config.privateKey', message: 'is not a private key ssh2 can read (OpenSSH, or PEM RSA/EC)' },
    ]);
    assert.deepEqual(issuesOf({ ...sftp, privateKey: key.publicKey }), [
      { field: 'config.privateKey', message: 'is a public key: give the private key' },
    ]);
    assert.match(
      issuesOf({ ...sftp, privateKey: '-----BEGIN PRIVATE KEY-----\nMC4=\n-----END PRIVATE KEY-----' })[0]!.message,
      /PKCS#8/,
    );
  });

  test('a folder may not serve two purposes', () => {
    assert.deepEqual(issuesOf({ ...sftp, archive: '/in/' }), [
      { field: 'config.archive', message: 'must differ from inbox' },
    ]);
    assert.deepEqual(issuesOf({ kind: 'folder', outbox: '/x/out', inbox: 'in', archive: '/x/out/' }), [
      { field: 'config.inbox', message: 'must be an absolute path' },
    ]);
    assert.deepEqual(issuesOf({ kind: 'folder', outbox: '/x/out', inbox: '/x/in', archive: '/x/out/' }), [
      { field: 'config.archive', message: 'must differ from outbox' },
    ]);
  });

  test('HTTP: https only unless allowHttp, no credentials in URLs, HMAC secrets long enough', () => {
    const http = { kind: 'http', deliverUrl: 'http://bank.example/in', listUrl: 'https://u:p@bank.example/out' };
    assert.deepEqual(issuesOf(http), [
      { field: 'config.deliverUrl', message: 'must be an https: URL (set allowHttp for plain http)' },
      { field: 'config.listUrl', message: 'must not carry credentials: use bearerToken' },
    ]);
    assert.deepEqual(
      issuesOf({ ...http, listUrl: 'https://bank.example/out', allowHttp: true, hmac: { secret: 'short' } }),
      [{ field: 'config.hmac.secret', message: 'must be at least 32 characters' }],
    );
  });
});

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { testTmpDir } from '../testing/test-database.js';
import { loadConfig } from './config.js';

describe('configuration', () => {
  test('defaults: embedded database in ./.finflow-data, 127.0.0.1:3000', () => {
    const cwd = testTmpDir();
    const config = loadConfig({ env: {}, cwd });
    assert.equal(config.port, 3000);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, path.join(cwd, '.finflow-data'));
    assert.equal(config.databaseUrl, undefined);
  });

  test('environment overrides the config file, which overrides defaults', () => {
    const cwd = testTmpDir();
    writeFileSync(path.join(cwd, 'finflow.config.yaml'), 'port: 4000\nlogLevel: debug\n');
    const config = loadConfig({ env: { PORT: '5000' }, cwd });
    assert.equal(config.port, 5000);
    assert.equal(config.logLevel, 'debug');
  });

  test('a bad environment value is named by its variable', () => {
    assert.throws(() => loadConfig({ env: { PORT: 'eighty' }, cwd: testTmpDir() }), /environment variable PORT/);
    assert.throws(
      () => loadConfig({ env: { DATABASE_URL: 'mysql://x' }, cwd: testTmpDir() }),
      /environment variable DATABASE_URL: must be a postgres/,
    );
  });

  test('a bad or unknown file setting is named by file and key', () => {
    const cwd = testTmpDir();
    writeFileSync(path.join(cwd, 'finflow.config.json'), JSON.stringify({ logLevel: 'loud' }));
    assert.throws(() => loadConfig({ env: {}, cwd }), /finflow\.config\.json key "logLevel"/);
    writeFileSync(path.join(cwd, 'finflow.config.json'), JSON.stringify({ prot: 1 }));
    assert.throws(() => loadConfig({ env: {}, cwd }), /unknown setting "prot"/);
    writeFileSync(path.join(cwd, 'finflow.config.json'), '{ nope');
    assert.throws(() => loadConfig({ env: {}, cwd }), /not valid JSON/);
  });

  test('FINFLOW_CONFIG must name an existing file', () => {
    assert.throws(() => loadConfig({ env: { FINFLOW_CONFIG: 'missing.yaml' }, cwd: testTmpDir() }), /FINFLOW_CONFIG/);
  });
});

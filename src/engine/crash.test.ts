import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { createPostgresDatabase, testTmpDir } from '../testing/test-database.js';
import { runCrashTest } from '../testing/crash/crash-run.js';

// Real worker processes killed with SIGKILL 20 times mid-work; `npm run test:crash` runs longer.
// Each kill restarts a worker process (a few seconds on PGlite), hence the long timeout.
test(
  'crash test: workers killed 20 times, every instance completes, every effect happens once',
  { timeout: 600_000 },
  async () => {
    const adminUrl = process.env.FINFLOW_TEST_PG_URL;
    const report = await runCrashTest({
      crashes: 20,
      instances: 20,
      databaseUrl: adminUrl ? await createPostgresDatabase(adminUrl) : undefined,
      dataDir: path.join(testTmpDir(), 'data'),
    });
    assert.deepEqual(report.problems, []);
    assert.equal(report.completed, report.instances);
    assert.equal(report.effectRows, report.instances * 2);
    assert.equal(report.receiverEffects, report.instances * 2);
  },
);

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../core/clock.js';
import { registerDomainActions } from '../domain-list.js';
import { Engine } from '../engine/engine.js';
import { openTestDatabase } from '../testing/test-database.js';
import { seedPortfolio } from './seed-portfolio.js';

test('the demo portfolio loads once and covers every delinquency bucket', async () => {
  const database = await openTestDatabase();
  try {
    const clock = new ManualClock('2026-11-24T10:00:00Z');
    const context = { database, clock, engine: new Engine({ database, clock }) };
    registerDomainActions(context);
    assert.deepEqual(await seedPortfolio(context), { loaded: true });
    const buckets = await database.db
      .selectFrom('receivables')
      .select('bucket')
      .distinct()
      .where('status', '=', 'open')
      .orderBy('bucket')
      .execute();
    assert.deepEqual(
      buckets.map((b) => b.bucket),
      ['1-30', '31-60', '61-90', '90+', 'current'],
    );
    const languages = await database.db
      .selectFrom('customers')
      .select('language')
      .distinct()
      .orderBy('language')
      .execute();
    assert.deepEqual(
      languages.map((l) => l.language),
      ['en', 'es', 'zh-CN'],
    );
    const applications = await database.db
      .selectFrom('credit_applications')
      .select(['product', 'amount', 'status'])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      applications.map((a) => [a.amount.toString(), a.status]),
      [
        ['600000', 'submitted'],
        ['250000', 'submitted'],
        ['4000000', 'submitted'],
      ],
    );
    assert.deepEqual(await seedPortfolio(context), { loaded: false }, 'a second start adds nothing');
  } finally {
    await database.close();
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { upsertCustomer } from '../customers/customer-service.js';
import { inDomainTransaction } from '../unit-of-work.js';
import { registerDomainActions } from '../../domain-list.js';
import { Engine } from '../../engine/index.js';
import { openTestDatabase } from '../../testing/test-database.js';
import { createBillingPlan, issueDueInvoices } from './billing-plans.js';

test('a monthly plan from the 31st bills on every month end, catches up after downtime, and bills a period once', async () => {
  const database = await openTestDatabase();
  try {
    const clock = new ManualClock('2026-01-31T08:00:00Z');
    const context = { database, clock, engine: new Engine({ database, clock }) };
    registerDomainActions(context);
    await inDomainTransaction(context, { actor: 'test' }, async (unit) => {
      await upsertCustomer(unit, { externalId: 'SUB', name: 'Subscriber' });
      await createBillingPlan(unit, {
        externalId: 'PLAN',
        customerExternalId: 'SUB',
        currency: 'EUR',
        lines: [{ description: 'Service', quantity: '1', unitPrice: '1000' }],
        intervalMonths: 1,
        paymentTermsDays: 14,
        startDate: '2026-01-31',
        endDate: '2026-04-30',
      });
    });
    const issue = (asOf: string) =>
      inDomainTransaction(context, { actor: 'test' }, (unit) => issueDueInvoices(unit, asOf));
    assert.equal((await issue('2026-01-31')).issued.length, 1);
    assert.equal((await issue('2026-01-31')).issued.length, 0, 'the same day again bills nothing');
    assert.equal((await issue('2026-05-15')).issued.length, 3, 'three missed periods caught up, none after the end');
    const invoices = await database.db
      .selectFrom('receivables')
      .select(['external_id', 'issue_date', 'maturity_date', 'total_due'])
      .orderBy('issue_date')
      .execute();
    assert.deepEqual(
      invoices.map((i) => `${i.external_id} ${i.issue_date} ${i.maturity_date} ${i.total_due}`),
      [
        'PLAN-1 2026-01-31 2026-02-14 1000',
        'PLAN-2 2026-02-28 2026-03-14 1000',
        'PLAN-3 2026-03-31 2026-04-14 1000',
        'PLAN-4 2026-04-30 2026-05-14 1000',
      ],
    );
    const plan = await database.db.selectFrom('billing_plans').selectAll().executeTakeFirstOrThrow();
    assert.equal(plan.status, 'ended');
    assert.equal(plan.issued_count, 4);
    const events = await database.db
      .selectFrom('wf_events')
      .select('type')
      .where('type', '=', 'invoice.issued')
      .execute();
    assert.equal(events.length, 4);
  } finally {
    await database.close();
  }
});

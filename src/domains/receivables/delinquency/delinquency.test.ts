import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../../core/clock.js';
import { upsertCustomer } from '../../customers/customer-service.js';
import { inDomainTransaction } from '../../unit-of-work.js';
import type { DomainContext } from '../../contract.js';
import { registerDomainActions } from '../../../domain-list.js';
import { Engine } from '../../../engine/index.js';
import type { Database } from '../../../storage/database.js';
import { openTestDatabase } from '../../../testing/test-database.js';
import { recordPayment } from '../payments.js';
import type { ReceivableInput } from '../receivable-input.js';
import { createReceivable } from '../receivable-service.js';
import { addDays } from '../schedule/due-dates.js';
import { runCloseOfBusiness } from './close-of-business.js';

/**
 * A small portfolio moved day by day through a controlled clock, with close of business every
 * day: the transition events must be exactly the expected ones, each once, on the expected day.
 */

const RECEIVABLE_EVENTS = [
  'receivable.overdue',
  'receivable.bucket_changed',
  'receivable.cured',
  'receivable.paid',
  'receivable.installment_missed',
];

describe('delinquency through a controlled clock', () => {
  let database: Database;
  let context: DomainContext;
  const clock = new ManualClock('2026-01-05T08:00:00Z');
  const ids: Record<string, string> = {};

  before(async () => {
    database = await openTestDatabase();
    const engine = new Engine({ database, clock });
    context = { database, clock, engine };
    registerDomainActions(context);
    await inDomainTransaction(context, { actor: 'test' }, async (unit) => {
      await upsertCustomer(unit, { externalId: 'C', name: 'Portfolio customer' });
      const loan = (externalId: string): ReceivableInput => ({
        externalId,
        customerExternalId: 'C',
        kind: 'loan',
        currency: 'EUR',
        issueDate: '2026-01-05',
        principal: '300000',
        annualRate: '0.1',
        termMonths: 4,
        method: 'equal_principal',
        firstDueDate: '2026-02-10',
      });
      ids.A = (await createReceivable(unit, loan('A'))).receivable.id; // never pays
      ids.C = (await createReceivable(unit, loan('C'))).receivable.id; // pays each installment on its due date
      ids.B = (
        await createReceivable(unit, {
          externalId: 'B',
          customerExternalId: 'C',
          kind: 'invoice',
          currency: 'EUR',
          issueDate: '2026-01-21',
          amount: '12000',
          dueDate: '2026-02-20',
        })
      ).receivable.id; // pays 9 days late
    });
  });
  after(() => database.close());

  test('every transition is published once, on its day', async () => {
    let day = '2026-01-06';
    const end = '2026-05-20';
    while (day <= end) {
      clock.set(`${day}T06:00:00Z`);
      // Loan C pays its installment on the due date, before close of business.
      const { installments } = await scheduleOf(ids.C!);
      const dueToday = installments.find((i) => i.due_date === day);
      if (dueToday) await pay('C', `C-${dueToday.seq}`, dueToday.total, day);
      if (day === '2026-03-01') await pay('B', 'B-1', 12000n, day);
      clock.set(`${day}T22:00:00Z`);
      const report = await runCloseOfBusiness(context, { asOf: day, actor: 'test' });
      assert.equal(report.alreadyRan, false);
      day = addDays(day, 1);
    }

    // A second run for a date already closed changes and publishes nothing.
    const before = await countEvents();
    const again = await runCloseOfBusiness(context, { asOf: end, actor: 'test' });
    assert.equal(again.alreadyRan, true);
    assert.equal(await countEvents(), before);

    const events = await database.db
      .selectFrom('wf_events')
      .select(['type', 'key', 'data', 'published_at'])
      .where('type', 'in', RECEIVABLE_EVENTS)
      .orderBy('published_at')
      .orderBy('id')
      .execute();
    const name = Object.fromEntries(Object.entries(ids).map(([k, v]) => [v, k]));
    const seen = events.map((e) => {
      const data = e.data as { bucket?: string; installmentSeq?: number };
      const detail = e.type === 'receivable.installment_missed' ? `#${data.installmentSeq}` : data.bucket;
      return `${e.published_at.toISOString().slice(0, 10)} ${name[e.key!]} ${e.type} ${detail}`;
    });
    // In publication order: by day, and within a day as transitionEvents orders them, missed installments last.
    assert.deepEqual(seen, [
      '2026-02-11 A receivable.overdue 1-30',
      '2026-02-11 A receivable.bucket_changed 1-30',
      '2026-02-11 A receivable.installment_missed #1',
      '2026-02-21 B receivable.overdue 1-30',
      '2026-02-21 B receivable.bucket_changed 1-30',
      '2026-02-21 B receivable.installment_missed #1',
      '2026-03-01 B receivable.bucket_changed current',
      '2026-03-01 B receivable.cured current',
      '2026-03-01 B receivable.paid current',
      '2026-03-11 A receivable.installment_missed #2',
      '2026-03-13 A receivable.bucket_changed 31-60',
      '2026-04-11 A receivable.installment_missed #3',
      '2026-04-12 A receivable.bucket_changed 61-90',
      // Loan C paid its last installment on its due date.
      '2026-05-10 C receivable.paid current',
      '2026-05-11 A receivable.installment_missed #4',
      '2026-05-12 A receivable.bucket_changed 90+',
    ]);
  });

  async function scheduleOf(id: string) {
    const rows = await database.db.selectFrom('installments').selectAll().where('receivable_id', '=', id).execute();
    return {
      installments: rows.map((r) => ({
        seq: r.seq,
        due_date: r.due_date,
        total: r.principal_due + r.interest_due + r.fee_due - r.principal_paid - r.interest_paid - r.fee_paid,
      })),
    };
  }

  async function pay(receivable: string, externalId: string, amount: bigint, day: string) {
    await inDomainTransaction(context, { actor: 'test' }, (unit) =>
      recordPayment(unit, receivable, { externalId, amount: amount.toString(), currency: 'EUR', receivedOn: day }),
    );
  }

  async function countEvents() {
    const row = await database.db
      .selectFrom('wf_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
});

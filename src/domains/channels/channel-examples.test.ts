import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../config/config.js';
import { secretStore } from '../../config/secrets.js';
import { upsertCustomer } from '../customers/customer-service.js';
import { inDomainTransaction } from '../unit-of-work.js';
import type { DomainContext } from '../contract.js';
import { registerDomainActions } from '../../domain-list.js';
import { runCloseOfBusiness } from '../receivables/delinquency/close-of-business.js';
import { recordPayment } from '../receivables/payments.js';
import { createReceivable } from '../receivables/receivable-service.js';
import { DAY, engineHarness, type EngineHarness } from '../../testing/engine-harness.js';
import { startFakeTwilio, type FakeTwilio } from '../../testing/fake-twilio.js';
import { startSmtpTestServer, type SmtpTestServer } from '../../testing/smtp-test-server.js';

/**
 * The channel examples in examples/channels/, deployed as a user deploys them and driven by real
 * receivables: close of business makes an invoice overdue, the reminders go out through a real SMTP
 * server and a Twilio-shaped HTTP server, and a payment cures the next one before its SMS.
 */
const EXAMPLES = path.resolve(import.meta.dirname, '../../../examples/channels');

describe('examples/channels', () => {
  let h: EngineHarness;
  let smtp: SmtpTestServer;
  let twilio: FakeTwilio;
  let context: DomainContext;

  before(async () => {
    smtp = await startSmtpTestServer();
    twilio = await startFakeTwilio();
    h = await engineHarness();
    context = {
      database: h.database,
      clock: h.clock,
      engine: h.engine,
      config: loadConfig({
        env: {},
        overrides: { smtpUrl: smtp.url, smsUrl: twilio.url, smsAccount: twilio.account, smsFrom: '+15005550006' },
      }),
      secrets: secretStore({ SMS_AUTH_TOKEN: twilio.token }),
      publicUrl: () => 'http://127.0.0.1:9',
    };
    registerDomainActions(context);
    for (const file of ['overdue-reminders.yaml', 'invoice-delivery.yaml']) {
      await h.deploy(readFileSync(path.join(EXAMPLES, file), 'utf8'));
    }
    h.clock.set('2026-03-01T10:00:00Z');
    await inDomainTransaction(context, { actor: 'test' }, async (unit) => {
      await upsertCustomer(unit, {
        externalId: 'C-ES',
        name: 'Lucía Pérez',
        email: 'lucia@example.es',
        phone: '+34600111222',
        language: 'es',
        timeZone: 'Europe/Madrid',
      });
      for (const externalId of ['F-1', 'F-2']) {
        await createReceivable(unit, {
          externalId,
          customerExternalId: 'C-ES',
          kind: 'invoice',
          currency: 'EUR',
          issueDate: '2026-02-01',
          amount: '45000',
          dueDate: '2026-03-01',
        });
      }
    });
  });
  after(async () => {
    await h.close();
    await smtp.close();
    await twilio.close();
  });

  test('overdue-reminders: email on overdue, SMS 3 days later; a cure before then stops it', async () => {
    h.clock.set('2026-03-02T09:00:00Z'); // 10:00 in Madrid
    await runCloseOfBusiness(context, { actor: 'test' });
    await h.drain();
    assert.deepEqual(
      smtp.messages.map((m) => m.subject),
      ['Pago vencido: 450,00\u00a0€ de F-1', 'Pago vencido: 450,00\u00a0€ de F-2'],
    );
    // F-2 is paid the next day: cured, so no SMS for it.
    h.clock.set('2026-03-03T09:00:00Z');
    await inDomainTransaction(context, { actor: 'test' }, (unit) =>
      recordPayment(unit, 'F-2', { externalId: 'P-1', amount: '45000', currency: 'EUR', receivedOn: '2026-03-03' }),
    );
    await h.drain();
    await h.advance(2 * DAY);
    const instances = await h.database.db
      .selectFrom('wf_instances')
      .select(['correlation_key', 'status', 'outcome'])
      .where('workflow_key', '=', 'overdue-reminders')
      .orderBy('correlation_key')
      .execute();
    assert.deepEqual(
      instances.map((i) => [i.status, i.outcome]),
      [
        ['completed', 'reminded'],
        ['completed', 'cured'],
      ],
    );
    const texts = [...twilio.messages.values()];
    assert.equal(texts.length, 1);
    assert.equal(texts[0]!.to, '+34600111222');
    assert.equal(texts[0]!.body, 'Lucía Pérez, 450,00 € de F-1 lleva 4 dias vencido. Pague o llamenos.');
  });

  test('invoice-delivery: the invoice goes out with its CSV attached', async () => {
    smtp.messages.length = 0;
    const customer = await h.database.db
      .selectFrom('customers')
      .select('id')
      .where('external_id', '=', 'C-ES')
      .executeTakeFirstOrThrow();
    await h.engine.publish({
      type: 'invoice.delivery.requested',
      key: 'rcv_demo',
      data: {
        receivableId: 'rcv_demo',
        customerId: customer.id,
        total: '9900',
        currency: 'EUR',
        dueDate: '2026-03-15',
      },
      actor: 'test',
    });
    await h.drain();
    assert.equal(smtp.messages.length, 1);
    const mail = smtp.messages[0]!;
    assert.equal(mail.subject, 'Recordatorio: 99,00\u00a0€ vence el 15 de marzo de 2026');
    assert.equal(mail.attachments[0]!.filename, 'invoice-rcv_demo.csv');
    assert.equal(
      mail.attachments[0]!.content.toString('utf8'),
      'receivable,total_minor_units,currency,due_date\nrcv_demo,9900,EUR,2026-03-15',
    );
  });
});

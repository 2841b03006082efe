import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadConfig } from '../../config/config.js';
import { secretStore } from '../../config/secrets.js';
import { upsertCustomer } from '../customers/customer-service.js';
import { inDomainTransaction } from '../unit-of-work.js';
import type { DomainContext } from '../contract.js';
import { registerDomainActions } from '../../domain-list.js';
import { engineHarness, type EngineHarness } from '../../testing/engine-harness.js';
import { startFakeTwilio, type FakeTwilio } from '../../testing/fake-twilio.js';
import { startSmtpTestServer, type SmtpTestServer } from '../../testing/smtp-test-server.js';
import { updateContactPreferences } from './contact-rules/contact-preferences.js';
import { DEFAULT_CONTACT_SETTINGS, writeContactSettings } from './contact-rules/contact-settings.js';

/**
 * email.send and sms.send as a workflow runs them: through a real SMTP server and a real HTTP
 * server playing Twilio, with the contact rules deciding when (and whether) anything goes out.
 */

const HOUR = 3600_000;

const SEND_EMAIL = `
key: send-email
name: Send an email
input: { type: object }
steps:
  - id: send
    type: action
    action: email.send
    retry: { maxAttempts: 3, initialInterval: PT1M }
    with:
      customer: '{{ input.customer }}'
      template: payment_overdue
      ifBlocked: '{{ input.ifBlocked }}'
      data:
        amount: '123456'
        currency: EUR
        reference: Loan L-77
        dpd: 12
      attachments:
        - filename: statement.csv
          contentType: text/csv
          content: "date,amount\\n2026-03-01,1234.56\\n"
`;

const SEND_SMS = `
key: send-sms
name: Send an SMS
input: { type: object }
steps:
  - id: send
    type: action
    action: sms.send
    retry: { maxAttempts: 3, initialInterval: PT1M }
    with:
      customer: '{{ input.customer }}'
      template: payment_overdue
      data: { amount: '5000', currency: CNY, reference: 'INV-9', dpd: 3 }
`;

describe('channels: email and SMS from workflows', () => {
  let h: EngineHarness;
  let smtp: SmtpTestServer;
  let twilio: FakeTwilio;

  before(async () => {
    smtp = await startSmtpTestServer();
    twilio = await startFakeTwilio();
    h = await engineHarness();
    const config = loadConfig({
      env: {},
      overrides: {
        smtpUrl: smtp.url,
        emailFrom: 'Acme Lending <collections@acme.test>',
        smsUrl: twilio.url,
        smsAccount: twilio.account,
        smsFrom: '+15005550006',
      },
    });
    const context: DomainContext = {
      database: h.database,
      clock: h.clock,
      engine: h.engine,
      config,
      secrets: secretStore({ SMS_AUTH_TOKEN: twilio.token }),
      publicUrl: () => 'http://127.0.0.1:9',
    };
    registerDomainActions(context);
    await h.deploy(SEND_EMAIL);
    await h.deploy(SEND_SMS);
    await inDomainTransaction(context, { actor: 'test' }, async (unit) => {
      const base = { email: null, phone: null };
      for (const c of [
        {
          externalId: 'ES-1',
          name: 'Lucía <Pérez>',
          language: 'es',
          timeZone: 'Europe/Madrid',
          email: 'lucia@example.es',
        },
        {
          externalId: 'ZH-1',
          name: '王芳',
          language: 'zh',
          timeZone: 'Asia/Shanghai',
          email: 'wang@example.cn',
          phone: '+8613800138000',
        },
        {
          externalId: 'EN-1',
          name: 'Sam Lee',
          language: 'en',
          timeZone: 'America/New_York',
          email: 'sam@example.com',
          phone: '+12125550100',
        },
        { externalId: 'BAD-1', name: 'Refused', timeZone: 'UTC', email: 'nobody@refuse.test' },
        { externalId: 'SLOW-1', name: 'Greylisted', timeZone: 'UTC', email: 'later@grey.test' },
      ]) {
        await upsertCustomer(unit, { ...base, ...c });
      }
    });
  });
  after(async () => {
    await h.close();
    await smtp.close();
    await twilio.close();
  });
  beforeEach(() => {
    smtp.messages.length = 0;
    smtp.refuse = () => undefined;
  });

  const run = async (workflow: string, input: Record<string, unknown>) => {
    const id = await h.start(workflow, { ifBlocked: 'defer', ...input });
    await h.drain();
    return h.instance(id);
  };
  const messagesOf = (externalId: string) =>
    h.database.db
      .selectFrom('channel_messages')
      .innerJoin('customers', 'customers.id', 'channel_messages.customer_id')
      .select([
        'channel_messages.status',
        'channel_messages.error',
        'channel_messages.locale',
        'channel_messages.segments',
        'channel_messages.encoding',
      ])
      .where('customers.external_id', '=', externalId)
      .orderBy('channel_messages.created_at')
      .execute();

  test('email in the customer’s language, with layout, plain-text part and attachment, through real SMTP', async () => {
    h.clock.set('2026-03-02T10:00:00Z'); // 11:00 in Madrid
    const instance = await run('send-email', { customer: 'ES-1' });
    assert.equal(instance.status, 'completed', JSON.stringify(instance.error));
    assert.equal(smtp.messages.length, 1);
    const mail = smtp.messages[0]!;
    assert.equal(mail.subject, 'Pago vencido: 1234,56\u00a0€ de Loan L-77'); // Intl puts a no-break space before €
    assert.equal(mail.from?.text, '"Acme Lending" <collections@acme.test>');
    assert.equal((Array.isArray(mail.to) ? mail.to[0] : mail.to)?.text, 'lucia@example.es');
    assert.match(mail.messageId ?? '', /^<[0-9a-f]{40}@acme\.test>$/);
    const html = String(mail.html);
    assert.match(html, /<html lang="es">/);
    assert.match(html, /Lucía &lt;Pérez&gt;/, 'customer data is escaped in HTML');
    assert.match(html, /lleva <strong>12 días vencido<\/strong>/);
    assert.match(mail.text ?? '', /Estimado\/a Lucía <Pérez>:/);
    assert.match(mail.text ?? '', /no responda a esta dirección/);
    assert.equal(mail.attachments.length, 1);
    assert.equal(mail.attachments[0]!.filename, 'statement.csv');
    assert.equal(mail.attachments[0]!.content.toString('utf8'), 'date,amount\n2026-03-01,1234.56\n');
    const sent = instance.timeline.find((e) => e.step === 'send' && e.event === 'completed');
    assert.equal((sent?.data as { output: { status: string; locale: string } }).output.status, 'sent');
    assert.deepEqual(await messagesOf('ES-1'), [
      { status: 'sent', error: null, locale: 'es', segments: null, encoding: null },
    ]);
  });

  test('a zh customer gets the zh-CN template', async () => {
    h.clock.set('2026-03-02T03:00:00Z'); // 11:00 in Shanghai
    const instance = await run('send-email', { customer: 'ZH-1' });
    assert.equal(instance.status, 'completed');
    assert.equal(smtp.messages[0]!.subject, '逾期通知：Loan L-77 欠款 €1,234.56');
    assert.match(String(smtp.messages[0]!.html), /<html lang="zh-CN">/);
  });

  test('an SMTP server refusing the recipient (550) fails the step at once; nothing is recorded as sent', async () => {
    h.clock.set('2026-03-02T12:00:00Z');
    smtp.refuse = (address) => (address === 'nobody@refuse.test' ? 550 : undefined);
    const instance = await run('send-email', { customer: 'BAD-1' });
    assert.equal(instance.status, 'failed');
    const failed = instance.timeline.filter((e) => e.step === 'send');
    assert.deepEqual(
      failed.map((e) => [e.event, e.attempt]),
      [['failed', 1]],
    );
    assert.match(JSON.stringify(instance.error), /refused the message permanently.*550/);
    assert.equal(smtp.messages.length, 0);
    assert.deepEqual(await messagesOf('BAD-1'), []);
  });

  test('a temporary refusal (451) is retried with backoff and the mail is delivered once', async () => {
    h.clock.set('2026-03-02T12:00:00Z');
    let refusals = 1;
    smtp.refuse = (address) => (address === 'later@grey.test' && refusals-- > 0 ? 451 : undefined);
    const id = await h.start('send-email', { customer: 'SLOW-1', ifBlocked: 'defer' });
    await h.drain();
    assert.equal((await h.instance(id)).status, 'running');
    await h.advance(60_000);
    const instance = await h.instance(id);
    assert.equal(instance.status, 'completed');
    assert.deepEqual(
      instance.timeline.filter((e) => e.step === 'send').map((e) => e.event),
      ['retry_scheduled', 'completed'],
    );
    assert.equal(smtp.messages.length, 1);
  });

  test('quiet hours in the customer’s time zone defer the send to the morning; nothing goes out meanwhile', async () => {
    h.clock.set('2026-03-03T21:30:00Z'); // 22:30 in Madrid (CET)
    const id = await h.start('send-email', { customer: 'ES-1', ifBlocked: 'defer' });
    await h.drain();
    let instance = await h.instance(id);
    const deferred = instance.timeline.find((e) => e.event === 'deferred');
    assert.deepEqual(deferred?.data && { ...deferred.data, input: undefined }, {
      reason: 'quiet hours 21:00–08:00 Europe/Madrid',
      until: '2026-03-04T07:00:00.000Z',
      input: undefined,
    });
    assert.equal(smtp.messages.length, 0);
    await h.advance(9.5 * HOUR - 1); // 06:59:59.999 UTC = 07:59:59.999 Madrid
    assert.equal(smtp.messages.length, 0);
    await h.advance(1);
    instance = await h.instance(id);
    assert.equal(instance.status, 'completed');
    assert.equal(smtp.messages.length, 1);
  });

  test('a frequency cap defers the next send until the oldest attempt leaves the window', async () => {
    const context = { database: h.database, clock: h.clock, engine: h.engine };
    await inDomainTransaction(context, { actor: 'test' }, (unit) =>
      writeContactSettings(unit, { ...DEFAULT_CONTACT_SETTINGS, frequencyCaps: { email: { max: 2, window: 'P7D' } } }),
    );
    try {
      h.clock.set('2026-03-09T14:00:00Z'); // Monday 10:00 in New York
      assert.equal((await run('send-email', { customer: 'EN-1' })).status, 'completed');
      h.clock.set('2026-03-10T14:00:00Z');
      assert.equal((await run('send-email', { customer: 'EN-1' })).status, 'completed');
      h.clock.set('2026-03-11T14:00:00Z');
      const id = await h.start('send-email', { customer: 'EN-1', ifBlocked: 'defer' });
      await h.drain();
      const deferred = (await h.instance(id)).timeline.find((e) => e.event === 'deferred')?.data as {
        reason: string;
        until: string;
      };
      assert.equal(deferred.reason, 'frequency cap: 2 email contacts per P7D reached');
      assert.equal(deferred.until, '2026-03-16T14:00:00.000Z');
      assert.equal(smtp.messages.length, 2);
      // With skip, a blocked send gives up instead and says why.
      const skipped = await run('send-email', { customer: 'EN-1', ifBlocked: 'skip' });
      assert.equal(skipped.status, 'completed');
      const output = (
        skipped.timeline.find((e) => e.event === 'completed')?.data as { output: Record<string, unknown> }
      ).output;
      assert.deepEqual(
        { ...output, messageId: typeof output.messageId },
        {
          status: 'skipped',
          messageId: 'string',
          channel: 'email',
          reason: 'frequency cap: 2 email contacts per P7D reached',
        },
      );
      await h.advance(5 * 24 * HOUR);
      assert.equal((await h.instance(id)).status, 'completed');
      assert.equal(smtp.messages.length, 3);
    } finally {
      await inDomainTransaction(context, { actor: 'test' }, (unit) =>
        writeContactSettings(unit, DEFAULT_CONTACT_SETTINGS),
      );
    }
  });

  test('do-not-contact and an opt-out skip the send with the reason, and nothing is sent', async () => {
    const context = { database: h.database, clock: h.clock, engine: h.engine };
    h.clock.set('2026-03-20T15:00:00Z');
    await inDomainTransaction(context, { actor: 'collector:ana' }, (unit) =>
      updateContactPreferences(unit, 'ZH-1', { consents: { sms: 'opted_out' }, source: 'STOP reply' }),
    );
    const sms = await run('send-sms', { customer: 'ZH-1' });
    assert.equal(
      (sms.context as { steps: { send: { status: string; reason: string } } }).steps.send.reason,
      'opted out of sms',
    );
    await inDomainTransaction(context, { actor: 'collector:ana' }, (unit) =>
      updateContactPreferences(unit, 'ZH-1', { doNotContact: true, reason: 'legal hold' }),
    );
    const email = await run('send-email', { customer: 'ZH-1' });
    assert.equal(
      (email.context as { steps: { send: { reason: string } } }).steps.send.reason,
      'do not contact: legal hold',
    );
    assert.equal(smtp.messages.length, 0);
    assert.equal([...twilio.messages.values()].filter((m) => m.to === '+8613800138000').length, 0);
    const statuses = (await messagesOf('ZH-1')).map((m) => [m.status, m.error]);
    assert.deepEqual(statuses.slice(-2), [
      ['skipped', 'opted out of sms'],
      ['skipped', 'do not contact: legal hold'],
    ]);
  });

  test('SMS through a Twilio-shaped provider: 500 then 201 delivers exactly one message, UCS-2 counted', async () => {
    h.clock.set('2026-03-23T14:00:00Z');
    twilio.failFirstTo.add('+12125550100');
    const id = await h.start('send-sms', { customer: 'EN-1' });
    await h.drain();
    await h.advance(60_000);
    const instance = await h.instance(id);
    assert.equal(instance.status, 'completed', JSON.stringify(instance.error));
    assert.deepEqual(
      instance.timeline.filter((e) => e.step === 'send').map((e) => e.event),
      ['retry_scheduled', 'completed'],
    );
    const delivered = [...twilio.messages.values()].filter((m) => m.to === '+12125550100');
    assert.equal(delivered.length, 1);
    assert.equal(delivered[0]!.body, 'Sam Lee, CN¥50.00 for INV-9 is 3 days overdue. Please pay or call us.');
    const requests = twilio.requests.filter((r) => r.form.To === '+12125550100');
    assert.equal(requests.length, 2);
    assert.equal(
      requests[0]!.idempotencyKey,
      requests[1]!.idempotencyKey,
      'the retry carries the same idempotency key',
    );
    assert.match(delivered[0]!.statusCallback ?? '', /\/api\/v1\/hooks\/sms\/status\?m=msg_/);
    const rows = await messagesOf('EN-1');
    assert.deepEqual(rows.at(-1), { status: 'sent', error: null, locale: 'en', segments: 1, encoding: 'GSM-7' });
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { startSmtpTestServer, type SmtpTestServer } from '../../testing/smtp-test-server.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/** The channels API as an operator and an integrator use it, against a real server and SMTP server. */

const NOTIFY = `
key: notify-customer
name: Notify a customer
input: { type: object, required: [customer], properties: { customer: { type: string } } }
steps:
  - id: email
    type: action
    action: email.send
    with:
      customer: '{{ input.customer }}'
      template: payment_reminder
      data: { amount: '250000', currency: MXN, reference: Factura F-12, dueDate: '2026-04-01' }
`;

describe('channels API', () => {
  let server: TestServer;
  let smtp: SmtpTestServer;
  const clock = new ManualClock('2026-03-02T16:00:00Z'); // 10:00 in Mexico City

  before(async () => {
    smtp = await startSmtpTestServer();
    server = await startTestServer({ clock, config: { smtpUrl: smtp.url } });
    const created = await server.call('/api/v1/customers', {
      method: 'POST',
      json: {
        externalId: 'MX-1',
        name: 'Ana Gómez',
        email: 'ana@example.mx',
        phone: '+525512345678',
        language: 'es-MX',
        timeZone: 'America/Mexico_City',
      },
    });
    assert.equal(created.status, 201);
  });
  after(async () => {
    await server.close();
    await smtp.close();
  });

  const body = async (response: Response, status: number) => {
    const text = await response.text();
    assert.equal(response.status, status, text);
    return JSON.parse(text) as Record<string, unknown>;
  };

  test('templates: shipped defaults in three languages, a stored override, preview with locale fallback', async () => {
    const list = (await body(await server.call('/api/v1/channels/templates'), 200)).data as Array<
      Record<string, unknown>
    >;
    const reminders = list.filter((t) => t.channel === 'email' && t.name === 'payment_reminder');
    assert.deepEqual(reminders.map((t) => t.locale).sort(), ['en', 'es', 'zh-CN']);

    const bad = await body(
      await server.call('/api/v1/channels/templates/email/payment_reminder/es', {
        method: 'PUT',
        json: { subject: 'Hola', body: '<p>{{ amount | nosuchfilter }}</p>' },
      }),
      400,
    );
    assert.equal((bad.errors as Array<{ field: string }>)[0]!.field, 'body.body');

    const stored = await body(
      await server.call('/api/v1/channels/templates/email/payment_reminder/es', {
        method: 'PUT',
        json: {
          subject: 'Aviso: {{ amount | money: currency }} vence el {{ dueDate | localdate }}',
          body: '<p>Hola {{ customer.name }}, {{ reference }} vence pronto.</p>',
        },
      }),
      200,
    );
    assert.deepEqual([stored.version, stored.source, stored.updatedBy !== null], [1, 'stored', true]);

    const preview = await body(
      await server.call('/api/v1/channels/templates/email/payment_reminder/preview', {
        method: 'POST',
        json: {
          locale: 'es-MX',
          data: { amount: '250000', currency: 'MXN', dueDate: '2026-04-01', customer: { name: 'Ana' } },
        },
      }),
      200,
    );
    assert.equal(preview.locale, 'es');
    assert.equal(preview.subject, 'Aviso: 2500,00\u00a0MXN vence el 1 de abril de 2026');

    const sms = await body(
      await server.call('/api/v1/channels/templates/sms/payment_overdue/preview', {
        method: 'POST',
        json: {
          locale: 'zh',
          data: { amount: '5000', currency: 'CNY', reference: 'INV-9', dpd: 3, customer: { name: '王芳' } },
        },
      }),
      200,
    );
    assert.equal(sms.text, '王芳，INV-9 欠款 ¥50.00 已逾期 3 天，请尽快付款。');
    assert.deepEqual(sms.segments, { encoding: 'UCS-2', segments: 1, characters: [...String(sms.text)].length });

    const audit = await server.database.db
      .selectFrom('audit_log')
      .select(['action', 'entity_id'])
      .where('action', '=', 'template.updated')
      .execute();
    assert.deepEqual(audit, [{ action: 'template.updated', entity_id: 'email/payment_reminder/es' }]);
  });

  test('a workflow emails the customer with the stored template; the message is listed with its status', async () => {
    const deployed = await server.call('/api/v1/workflows', { method: 'POST', json: { source: NOTIFY } });
    assert.equal(deployed.status, 201, await deployed.text());
    const started = await body(
      await server.call('/api/v1/workflows/notify-customer/instances', {
        method: 'POST',
        json: { input: { customer: 'MX-1' } },
      }),
      201,
    );
    const id = String(started.id);
    let instance: Record<string, unknown> = {};
    for (let i = 0; i < 100 && instance.status !== 'completed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      instance = await body(await server.call(`/api/v1/instances/${id}`), 200);
    }
    assert.equal(instance.status, 'completed', JSON.stringify(instance.error));
    assert.equal(smtp.messages.length, 1);
    assert.equal(smtp.messages[0]!.subject, 'Aviso: 2500,00\u00a0MXN vence el 1 de abril de 2026');
    const messages = (await body(await server.call(`/api/v1/channels/messages?instance=${id}`), 200)).data as Array<
      Record<string, unknown>
    >;
    assert.equal(messages.length, 1);
    assert.deepEqual(
      [messages[0]!.channel, messages[0]!.recipient, messages[0]!.locale, messages[0]!.status],
      ['email', 'ana@example.mx', 'es', 'sent'],
    );
    const one = await body(await server.call(`/api/v1/channels/messages/${String(messages[0]!.id)}`), 200);
    assert.match(String(one.bodyText), /Hola Ana Gómez, Factura F-12 vence pronto\./);
    await body(await server.call('/api/v1/channels/messages/msg_nope'), 404);
  });

  test('contact rules and a customer’s preferences: validated, audited, and answered by contact-check', async () => {
    const defaults = await body(await server.call('/api/v1/channels/contact-rules'), 200);
    assert.deepEqual(defaults.quietHours, { start: '21:00', end: '08:00' });

    const bad = await body(
      await server.call('/api/v1/channels/contact-rules', {
        method: 'PUT',
        json: {
          ...defaults,
          quietHours: { start: '25:00', end: '08:00' },
          frequencyCaps: { sms: { max: 3, window: 'week' } },
        },
      }),
      400,
    );
    assert.deepEqual((bad.errors as Array<{ field: string }>).map((e) => e.field).sort(), [
      'body.frequencyCaps.sms.window',
      'body.quietHours.start',
    ]);

    await body(
      await server.call('/api/v1/channels/contact-rules', {
        method: 'PUT',
        json: { ...defaults, noContactDays: ['sunday'] },
      }),
      200,
    );

    const patched = await body(
      await server.call('/api/v1/customers/MX-1/contact-preferences', {
        method: 'PATCH',
        json: { consents: { sms: 'opted_out', email: 'granted' }, source: 'call 2026-03-02' },
      }),
      200,
    );
    assert.equal((patched.consents as Record<string, { status: string }>).sms!.status, 'opted_out');

    const sms = await body(await server.call('/api/v1/customers/MX-1/contact-check?channel=sms'), 200);
    assert.deepEqual(sms, { allowed: false, nextAllowedAt: null, reason: 'opted out of sms' });

    clock.set('2026-03-08T03:30:00Z'); // Saturday 21:30 in Mexico City, then Sunday: no contact
    const email = await body(await server.call('/api/v1/customers/MX-1/contact-check?channel=email'), 200);
    assert.deepEqual(email, {
      allowed: false,
      nextAllowedAt: '2026-03-09T14:00:00.000Z', // Monday 08:00 in Mexico City
      reason: 'quiet hours 21:00–08:00 America/Mexico_City',
    });

    const viewer = await body(
      await server.call('/api/v1/api-keys', { method: 'POST', json: { name: 'viewer', role: 'viewer' } }),
      201,
    );
    const denied = await server.call('/api/v1/customers/MX-1/contact-preferences', {
      method: 'PATCH',
      token: String(viewer.token),
      json: { doNotContact: true },
    });
    assert.equal(denied.status, 403);
    await body(await server.call('/api/v1/customers/NOPE/contact-preferences'), 404);
  });
});

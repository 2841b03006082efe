/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../../api/context.js';
import { loadConfig, type Config } from '../../../config/config.js';
import { ManualClock } from '../../../core/clock.js';
import type { DomainContext } from '../../contract.js';
import { ActionRegistry, type ActionContext, getInstance, type Worker } from '../../../engine/index.js';
import { apiClient, type Body } from '../../../testing/api-client.js';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import { channelsModule } from '../channels-module.js';
import { printable } from './fonts.js';
import { institutionName, letterSendAction, LetterSendInput } from './letter-action.js';
import { letterBlocks, renderLetterPdf } from './pdf-render.js';
import { hasPostalAddress, postalLines } from './postal-address.js';

/**
 * letter.send as a workflow runs it, on a real server: the letter is rendered from the shipped
 * template in the customer's language to a PDF whose text a PDF parser (pdf.js) reads back, stored
 * for the print-and-mail provider with its message and contact attempt, within the contact rules;
 * the provider lists, downloads and marks letters printed over HTTP.
 */

const SEND_LETTER = `
key: send-letter
name: Send a letter
input: { type: object }
steps:
  - id: letter
    type: action
    action: letter.send
    with:
      customer: '{{ input.customer }}'
      template: collections_letter
      ifBlocked: '{{ input.ifBlocked }}'
      data:
        amount: '{{ input.amount }}'
        outstanding: '{{ input.outstanding }}'
        currency: '{{ input.currency }}'
        reference: L-77
        dpd: 12
        dueDate: '2026-02-18'
        deadline: '2026-03-16'
`;

/**
 * Whether channels-module.ts registers letter.send and the letter routes yet; until it does, the
 * test registers them itself (the shipped collections workflow needs letter.send at start-up).
 */
function channelsRegistration(config: Config): { action: boolean; routes: boolean } {
  const probe = new ActionRegistry();
  const context = { engine: { actions: probe }, config } as unknown as DomainContext;
  channelsModule.registerActions?.(context);
  const app = new OpenAPIHono<AppEnv>();
  for (const routes of channelsModule.routes?.(context) ?? []) routes.register(app);
  const paths = app.openAPIRegistry.definitions.flatMap((d) => (d.type === 'route' ? [d.route.path] : []));
  return { action: probe.has('letter.send'), routes: paths.includes('/channels/letters') };
}

/** Every page's text, lines joined by newlines. */
async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
  }
  await doc.destroy();
  return pages.join('\n');
}

/** Text without any whitespace: line wrapping and the spaces pdf.js infers do not matter. */
const squash = (text: string) => text.replace(/\s+/g, '');
const assertHas = (text: string, expected: string) =>
  assert.ok(squash(text).includes(squash(expected)), `expected ${JSON.stringify(expected)} in:\n${text}`);

describe('letters: letter.send renders a PDF for the print-and-mail provider', () => {
  let server: TestServer;
  let worker: Worker;
  const clock = new ManualClock('2026-03-02T10:00:00Z'); // a Monday, 11:00 in Madrid
  const tokens: Record<string, string> = {};
  const customers: Record<string, string> = {};
  const { call, expect } = apiClient(() => server);
  const settings = { emailFrom: 'Acme Lending <collections@acme.test>' };
  const config = loadConfig({ env: {}, overrides: settings });

  before(async () => {
    const registered = channelsRegistration(config);
    assert.ok(registered.routes, 'the channels module mounts /channels/letters');
    const actions = new ActionRegistry();
    if (!registered.action) actions.register(letterSendAction({ config }));
    server = await startTestServer({
      clock,
      worker: false,
      actions,
      config: settings,
    });
    worker = server.engine.createWorker();
    await server.engine.deploy({ source: SEND_LETTER, actor: 'test' });
    for (const [name, role] of [
      ['printshop', 'operator'],
      ['vera', 'viewer'],
    ] as const) {
      tokens[name] = String(expect(await call('POST', '/api-keys', { json: { name, role } }), 201).token);
    }
    for (const c of [
      {
        externalId: 'EN-1',
        name: 'Sam Lee',
        language: 'en',
        timeZone: 'America/New_York',
        address: {
          line1: '1 Main Street',
          line2: 'Apt 4B',
          city: 'New York',
          region: 'NY',
          postalCode: '10001',
          country: 'US',
        },
      },
      {
        externalId: 'ES-1',
        name: 'Lucía Pérez Núñez',
        language: 'es-ES',
        timeZone: 'Europe/Madrid',
        address: { line1: 'Calle Mayor 12, 3º B', city: 'Madrid', postalCode: '28013', country: 'ES' },
      },
      {
        externalId: 'ZH-1',
        name: '王芳',
        language: 'zh',
        timeZone: 'Asia/Shanghai',
        address: { line1: '南山区科技园路1号', city: '深圳市', region: '广东省', postalCode: '518057', country: 'CN' },
      },
      { externalId: 'NOADDR-1', name: 'Nomad', language: 'en', timeZone: 'UTC' },
      {
        externalId: 'HOLD-1',
        name: 'On Hold',
        language: 'en',
        timeZone: 'UTC',
        address: { line1: '2 High Street', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' },
      },
      {
        externalId: 'CAP-1',
        name: 'Capped',
        language: 'es',
        timeZone: 'Europe/Madrid',
        address: { line1: 'Gran Vía 1', city: 'Madrid', postalCode: '28013', country: 'ES' },
      },
    ]) {
      customers[c.externalId] = String(expect(await call('POST', '/customers', { json: c }), 201).id);
    }
  });
  after(async () => {
    await server?.close();
  });

  const letterInput = (customer: string, extra: Record<string, unknown> = {}) => ({
    customer,
    amount: '123456',
    outstanding: '480000',
    currency: 'EUR',
    ifBlocked: 'defer',
    ...extra,
  });
  async function run(input: Record<string, unknown>) {
    const { id } = await server.engine.start({ workflowKey: 'send-letter', input, actor: 'test' });
    await worker.runUntilIdle();
    return getInstance(server.database.db, id);
  }
  const outputOf = (instance: Awaited<ReturnType<typeof run>>) =>
    (instance.context as { steps: { letter: Body } }).steps.letter;
  const download = async (id: string, token?: string) => {
    const res = await server.call(`/api/v1/channels/letters/${id}/pdf`, token ? { token } : {});
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    return new Uint8Array(await res.arrayBuffer());
  };
  const letterIds: string[] = [];

  test('an English letter: a PDF with the name, address, date, heading and formatted amount, a message and an attempt', async () => {
    clock.set('2026-03-02T15:00:00Z'); // 10:00 in New York
    const instance = await run(letterInput('EN-1'));
    clock.set('2026-03-02T10:00:00Z');
    assert.equal(instance.status, 'completed', JSON.stringify(instance.error));
    const output = outputOf(instance);
    assert.equal(output.status, 'sent');
    assert.equal(output.channel, 'letter');
    assert.equal(output.locale, 'en');
    assert.equal(output.to, 'Sam Lee, 1 Main Street, Apt 4B, New York, NY 10001, UNITED STATES');
    assert.match(output.letterId, /^ltr_/);
    letterIds.push(output.letterId);

    const letter = expect(await call('GET', `/channels/letters/${output.letterId}`), 200);
    assert.equal(letter.status, 'ready');
    assert.equal(letter.customerId, customers['EN-1']);
    assert.equal(letter.template, 'collections_letter');
    assert.equal(letter.subject, 'Notice of arrears: €1,234.56 overdue on account L-77');
    assert.equal(letter.pages, 1);
    assert.equal(letter.messageId, output.messageId);
    assert.equal(letter.instanceId, instance.id);
    assert.equal(letter.stepId, 'letter');
    assert.deepEqual(letter.recipient.lines, ['1 Main Street', 'Apt 4B', 'New York, NY 10001', 'UNITED STATES']);

    const pdf = await download(output.letterId);
    assert.equal(Buffer.from(pdf.subarray(0, 5)).toString('latin1'), '%PDF-');
    assert.equal(pdf.length, letter.size);
    const text = await pdfText(pdf);
    for (const expected of [
      'Acme Lending',
      'Sam Lee',
      '1 Main Street',
      'New York, NY 10001',
      'March 2, 2026',
      'Notice of arrears: €1,234.56 overdue on account L-77',
      'Dear Sam Lee,',
      '€1,234.56 on your account L-77 has been unpaid since February 18, 2026',
      'The total outstanding balance of the account is €4,800.00.',
      'by March 16, 2026',
      'Acme Lending · 1/1',
    ]) {
      assertHas(text, expected);
    }

    // The message reports see it, and the frequency caps count it.
    const messages = expect(await call('GET', `/channels/messages?customer=${customers['EN-1']}`), 200).data;
    assert.deepEqual(
      messages.map((m: Body) => [m.channel, m.status, m.recipient, m.providerId, m.subject]),
      [['letter', 'sent', output.to, output.letterId, letter.subject]],
    );
    assert.match(messages[0].bodyText, /^Dear Sam Lee,\n\nOur records show that €1,234\.56 on your account/);
    const attempts = await server.database.db
      .selectFrom('contact_attempts')
      .select(['channel', 'message_id', 'outcome'])
      .where('customer_id', '=', customers['EN-1']!)
      .execute();
    assert.deepEqual(attempts, [{ channel: 'letter', message_id: output.messageId, outcome: 'sent' }]);
  });

  test('a Spanish letter in Spanish: amount, dates and country in the locale', async () => {
    const instance = await run(letterInput('ES-1'));
    assert.equal(instance.status, 'completed', JSON.stringify(instance.error));
    const output = outputOf(instance);
    assert.equal(output.locale, 'es', 'es-ES finds the es template');
    letterIds.push(output.letterId);
    const text = await pdfText(await download(output.letterId, tokens.vera));
    for (const expected of [
      'Lucía Pérez Núñez',
      'Calle Mayor 12, 3º B',
      '28013 Madrid',
      'ESPAÑA',
      '2 de marzo de 2026',
      'Requerimiento de pago: 1234,56 € vencidos en la cuenta L-77',
      'Estimado/a Lucía Pérez Núñez:',
      'el importe de 1234,56 € de su cuenta L-77 está pendiente de pago desde el 18 de febrero de 2026',
      'antes del 16 de marzo de 2026',
      '4800,00 €',
      'Atentamente,',
    ]) {
      assertHas(text, expected);
    }
  });

  test('a Chinese letter in zh-CN, in a CJK font', async () => {
    clock.set('2026-03-02T03:00:00Z'); // 11:00 in Shanghai
    const instance = await run(letterInput('ZH-1', { amount: '5000', outstanding: '20000', currency: 'CNY' }));
    assert.equal(instance.status, 'completed', JSON.stringify(instance.error));
    const output = outputOf(instance);
    assert.equal(output.locale, 'zh-CN', 'zh finds the zh-CN template');
    letterIds.push(output.letterId);
    const text = await pdfText(await download(output.letterId));
    for (const expected of [
      '王芳',
      '南山区科技园路1号',
      '广东省深圳市',
      '518057',
      '中国',
      '2026年3月2日',
      '欠款催收函：账户 L-77 逾期欠款 ¥50.00',
      '尊敬的 王芳：',
      '您账户 L-77 的欠款 ¥50.00 自 2026年2月18日 起仍未支付，现已逾期 12 天。',
      '该账户的未偿还总额为 ¥200.00。',
      '此致',
    ]) {
      assertHas(text, expected);
    }
    clock.set('2026-03-02T10:00:00Z');
  });

  test('a replay of the same step returns the same letter and writes nothing more', async () => {
    const letter = await server.database.db
      .selectFrom('channel_letters')
      .select(['id', 'idempotency_key', 'instance_id', 'step_id', 'message_id'])
      .where('id', '=', letterIds[0]!)
      .executeTakeFirstOrThrow();
    const count = async () => {
      const [letters, messages, attempts] = await Promise.all(
        (['channel_letters', 'channel_messages', 'contact_attempts'] as const).map((table) =>
          server.database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow(),
        ),
      );
      return [letters!.n, messages!.n, attempts!.n].map(Number);
    };
    const before = await count();
    const action = server.engine.actions.get('letter.send')!;
    const input = LetterSendInput.parse({
      customer: 'EN-1',
      template: 'collections_letter',
      data: { amount: '123456', currency: 'EUR', reference: 'L-77', dpd: 12 },
    });
    clock.set('2026-03-02T15:00:00Z');
    const replayed = (await server.database.transaction((tx) =>
      action.run(input, {
        tx,
        instanceId: letter.instance_id!,
        workflowKey: 'send-letter',
        stepId: letter.step_id!,
        attempt: 2,
        idempotencyKey: letter.idempotency_key!,
        clock,
        publish: () => Promise.resolve(),
      } satisfies ActionContext),
    )) as Body;
    clock.set('2026-03-02T10:00:00Z');
    assert.equal(replayed.status, 'sent');
    assert.equal(replayed.letterId, letter.id);
    assert.equal(replayed.messageId, letter.message_id);
    assert.deepEqual(await count(), before);
  });

  test('do-not-contact skips the letter with the reason; nothing is rendered or stored', async () => {
    expect(
      await call('PATCH', `/customers/${customers['HOLD-1']}/contact-preferences`, {
        json: { doNotContact: true, reason: 'legal hold' },
      }),
      200,
    );
    const instance = await run(letterInput('HOLD-1'));
    assert.equal(instance.status, 'completed');
    const output = outputOf(instance);
    assert.deepEqual(
      { ...output, messageId: typeof output.messageId },
      { status: 'skipped', messageId: 'string', channel: 'letter', reason: 'do not contact: legal hold' },
    );
    const letters = expect(await call('GET', `/channels/letters?customer=${customers['HOLD-1']}`), 200);
    assert.deepEqual(letters.data, []);
    const messages = expect(await call('GET', `/channels/messages?customer=${customers['HOLD-1']}`), 200).data;
    assert.deepEqual(
      messages.map((m: Body) => [m.channel, m.status, m.error]),
      [['letter', 'skipped', 'do not contact: legal hold']],
    );
  });

  test('quiet hours defer the letter to the morning; a frequency cap counts letters', async () => {
    clock.set('2026-03-03T21:30:00Z'); // 22:30 in Madrid
    const { id } = await server.engine.start({
      workflowKey: 'send-letter',
      input: letterInput('CAP-1'),
      actor: 'test',
    });
    await worker.runUntilIdle();
    let instance = await getInstance(server.database.db, id);
    assert.equal(instance.status, 'running');
    const deferred = instance.timeline.find((e) => e.event === 'deferred')?.data as Body | undefined;
    assert.equal(deferred?.reason, 'quiet hours 21:00–08:00 Europe/Madrid');
    assert.equal(deferred?.until, '2026-03-04T07:00:00.000Z');
    assert.deepEqual(expect(await call('GET', `/channels/letters?customer=${customers['CAP-1']}`), 200).data, []);
    clock.set('2026-03-04T07:00:00Z');
    await worker.runUntilIdle();
    instance = await getInstance(server.database.db, id);
    assert.equal(instance.status, 'completed', JSON.stringify(instance.error));
    letterIds.push(outputOf(instance).letterId);

    const rules = expect(await call('GET', '/channels/contact-rules'), 200);
    expect(
      await call('PUT', '/channels/contact-rules', {
        json: { ...rules, frequencyCaps: { ...rules.frequencyCaps, letter: { max: 1, window: 'P30D' } } },
      }),
      200,
    );
    try {
      clock.set('2026-03-05T10:00:00Z');
      const capped = await run(letterInput('CAP-1', { ifBlocked: 'skip' }));
      assert.equal(outputOf(capped).reason, 'frequency cap: 1 letter contacts per P30D reached');
    } finally {
      expect(await call('PUT', '/channels/contact-rules', { json: rules }), 200);
      clock.set('2026-03-02T10:00:00Z');
    }
  });

  test('a customer without a postal address fails the step naming with.customer', async () => {
    const instance = await run(letterInput('NOADDR-1'));
    assert.equal(instance.status, 'failed');
    assert.match(JSON.stringify(instance.error), /with\.customer: customer NOADDR-1 has no postal address/);
    assert.deepEqual(
      instance.timeline.filter((e) => e.step === 'letter').map((e) => e.event),
      ['failed'],
    );
  });

  test('a stored letter template overrides the shipped one for its locale', async () => {
    await server.database.db
      .insertInto('message_templates')
      .values({
        channel: 'letter' as never,
        name: 'collections_letter',
        locale: 'es',
        subject: 'Aviso formal {{ reference }}',
        body: 'Hola {{ customer.name }}: debe **{{ amount | money: currency }}**.',
        text_body: null,
        version: 1,
        updated_at: clock.now(),
        updated_by: 'test',
      })
      .execute();
    try {
      const output = outputOf(await run(letterInput('ES-1')));
      letterIds.push(output.letterId);
      const text = await pdfText(await download(output.letterId));
      assertHas(text, 'Aviso formal L-77');
      assertHas(text, 'Hola Lucía Pérez Núñez: debe 1234,56 €.');
    } finally {
      await server.database.db
        .deleteFrom('message_templates')
        .where('channel', '=', 'letter' as never)
        .execute();
    }
  });

  test('the print-and-mail provider lists ready letters page by page, downloads them and marks them printed once', async () => {
    const ready = expect(await call('GET', '/channels/letters?status=ready'), 200);
    assert.deepEqual(
      ready.data.map((l: Body) => l.id),
      [...letterIds].reverse(),
      'newest first',
    );
    assert.equal(ready.next, null);
    const first = expect(await call('GET', '/channels/letters?status=ready&limit=2'), 200);
    assert.equal(first.data.length, 2);
    assert.equal(first.next, first.data[1].id);
    const rest = expect(await call('GET', `/channels/letters?status=ready&limit=2&after=${first.next}`), 200);
    assert.deepEqual(
      [...first.data, ...rest.data].map((l: Body) => l.id).slice(0, 4),
      [...letterIds].reverse().slice(0, 4),
    );
    const mine = expect(await call('GET', `/channels/letters?customer=${customers['ES-1']}`), 200);
    assert.ok(mine.data.length >= 1 && mine.data.every((l: Body) => l.customerId === customers['ES-1']));

    const id = letterIds[0]!;
    // A viewer reads, but may not mark printed.
    expect(await call('GET', `/channels/letters/${id}`, { token: tokens.vera }), 200);
    expect(await call('POST', `/channels/letters/${id}/printed`, { token: tokens.vera }), 403);

    clock.set('2026-03-06T09:00:00Z');
    const printed = expect(await call('POST', `/channels/letters/${id}/printed`, { token: tokens.printshop }), 200);
    assert.equal(printed.status, 'printed');
    assert.equal(printed.printedAt, '2026-03-06T09:00:00.000Z');
    assert.equal(printed.printedBy, 'printshop');
    const again = expect(await call('POST', `/channels/letters/${id}/printed`, { token: tokens.printshop }), 409);
    assert.equal(again.code, 'letter_already_printed');
    expect(await call('POST', '/channels/letters/ltr_nope/printed', { token: tokens.printshop }), 404);
    expect(await call('GET', '/channels/letters/ltr_nope'), 404);
    assert.equal((await server.call('/api/v1/channels/letters/ltr_nope/pdf')).status, 404);

    const stillReady = expect(await call('GET', '/channels/letters?status=ready'), 200);
    assert.ok(!stillReady.data.some((l: Body) => l.id === id));
    const done = expect(await call('GET', '/channels/letters?status=printed'), 200);
    assert.deepEqual(
      done.data.map((l: Body) => l.id),
      [id],
    );
    const audit = await server.database.db
      .selectFrom('audit_log')
      .select(['action', 'entity_id', 'before', 'after'])
      .where('action', '=', 'letter.printed')
      .execute();
    assert.deepEqual(audit, [
      {
        action: 'letter.printed',
        entity_id: id,
        before: { status: 'ready', printedAt: null, printedBy: null },
        after: { status: 'printed', printedAt: '2026-03-06T09:00:00.000Z', printedBy: 'printshop' },
      },
    ]);
  });

  test('the routes are in a valid OpenAPI document', async () => {
    const doc = (await (await server.call('/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    await SwaggerParser.validate(structuredClone(doc) as never);
    for (const path of [
      '/channels/letters',
      '/channels/letters/{id}',
      '/channels/letters/{id}/pdf',
      '/channels/letters/{id}/printed',
    ]) {
      assert.ok(doc.paths[path], `missing ${path}`);
    }
  });
});

describe('letters: layout pieces', () => {
  test('the same letter renders to the same bytes, and long letters get more pages', async () => {
    const layout = {
      locale: 'en',
      institution: 'finflow',
      recipient: { name: 'Sam Lee', lines: ['1 Main Street'] },
      dateText: 'March 2, 2026',
      date: new Date('2026-03-02T10:00:00Z'),
      heading: 'Notice',
      body: 'One **bold** paragraph.\n\n- a\n- b',
    };
    const [a, b] = [await renderLetterPdf(layout), await renderLetterPdf(layout)];
    assert.ok(a.pdf.equals(b.pdf));
    assert.equal(a.pages, 1);
    const long = await renderLetterPdf({
      ...layout,
      body: Array(60).fill('A paragraph of a long letter.').join('\n\n'),
    });
    assert.equal(long.pages, 3);
    const text = await pdfText(long.pdf);
    assertHas(text, 'finflow · 3/3');
  });

  test('body blocks: paragraphs, line breaks and lists', () => {
    assert.deepEqual(letterBlocks('Dear Sam,\n\nFirst line\nsecond line\n\n- one\n- two\n\n\nYours,\nAcme'), [
      { kind: 'paragraph', text: 'Dear Sam,' },
      { kind: 'paragraph', text: 'First line\nsecond line' },
      { kind: 'list', items: ['one', 'two'] },
      { kind: 'paragraph', text: 'Yours,\nAcme' },
    ]);
  });

  test('postal addresses in the destination country’s order, with the country in the letter’s language', () => {
    assert.deepEqual(
      postalLines({ line1: 'Calle Mayor 12', city: 'Madrid', postalCode: '28013', country: 'ES' }, 'es'),
      ['Calle Mayor 12', '28013 Madrid', 'ESPAÑA'],
    );
    assert.deepEqual(
      postalLines({ line1: '2 High Street', city: 'London', postalCode: 'SW1A 1AA', country: 'GB' }, 'en'),
      ['2 High Street', 'London', 'SW1A 1AA', 'UNITED KINGDOM'],
    );
    assert.deepEqual(postalLines({ line1: 'Rue 1', postalCode: '75001', city: 'Paris', region: 'IDF' }, 'en'), [
      'Rue 1',
      '75001 Paris',
      'IDF',
    ]);
    assert.equal(postalLines({ city: 'Madrid', postalCode: '28013' }, 'es'), null, 'no street');
    assert.equal(postalLines({ line1: 'Calle Mayor 12' }, 'es'), null, 'no place');
    assert.equal(postalLines(null, 'es'), null);
    assert.equal(hasPostalAddress({ country: 'ES' }), false);
    assert.equal(hasPostalAddress({ line1: 'Gran Vía 1', postalCode: '28013' }), true);
  });

  test('characters the font lacks become their base letter, a stand-in or ?, never nothing', () => {
    assert.equal(printable('Łukasz Wróbel, Gőz'), 'Lukasz Wróbel, Goz');
    assert.equal(printable('1\u202f234,56\u00a0€'), '1 234,56\u00a0€');
    assert.equal(printable('王芳 א'), '王芳 ?');
  });

  test('the institution: the setting, else the email sender’s name, else finflow', () => {
    assert.equal(institutionName(undefined), 'finflow');
    assert.equal(institutionName(loadConfig({ env: {} })), 'finflow');
    const config = loadConfig({ env: {}, overrides: { emailFrom: '"Acme Lending" <collections@acme.test>' } });
    assert.equal(institutionName(config), 'Acme Lending');
    assert.equal(
      institutionName({ ...config, institutionName: 'Banco Ejemplo, S.A.' } as typeof config),
      'Banco Ejemplo, S.A.',
    );
  });
});

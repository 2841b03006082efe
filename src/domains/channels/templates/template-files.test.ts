import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Liquid } from 'liquidjs';
import { startTestServer, type TestServer } from '../../../testing/test-server.js';
import { NO_FILES, TEMPLATE_LIMITS, checkTemplateSyntax, renderEmail, renderSms } from './render.js';

/**
 * Templates have no file system: include/render/layout are refused on save and on render, the engine's
 * file system knows no files, and a template that loops or grows without end is stopped.
 */

/** A line of package.json that no rendering or error message would contain by chance. */
const FILE_MARK = '"devDependencies"';

const REFERENCES = [
  'package.json',
  './package.json',
  '../package.json',
  '../../../../../../etc/passwd',
  '/etc/passwd',
  path.resolve('package.json'),
  '.git/config',
];
const FILE_TEMPLATES = REFERENCES.flatMap((file) => [
  `{% include "${file}" %}`,
  `{% render '${file}' %}`,
  `{% layout "${file}" %}x`,
  `a {%- liquid\n  include "${file}"\n-%} b`,
]).concat(['{% assign f = "package.json" %}{% include f %}', '{% include package %}', '{%include"package.json"%}']);

describe('templates without a file system', () => {
  let server: TestServer;
  let viewerToken: string;

  before(async () => {
    server = await startTestServer({ worker: false });
    const viewer = await server.call('/api/v1/api-keys', { method: 'POST', json: { name: 'viewer', role: 'viewer' } });
    assert.equal(viewer.status, 201);
    viewerToken = String(((await viewer.json()) as { token: string }).token);
  });
  after(() => server.close());

  const put = (channel: string, name: string, json: Record<string, unknown>) =>
    server.call(`/api/v1/channels/templates/${channel}/${name}/en`, { method: 'PUT', json });
  const preview = (channel: string, name: string) =>
    server.call(`/api/v1/channels/templates/${channel}/${name}/preview`, {
      method: 'POST',
      token: viewerToken,
      json: { locale: 'en', data: { package: 'package.json' } },
    });

  test('include, render and layout of any file are refused on save with 400 naming the field', async () => {
    for (const source of FILE_TEMPLATES) {
      for (const [channel, field, json] of [
        ['sms', 'body.body', { body: source }],
        ['email', 'body.body', { subject: 'Hi', body: source }],
        ['email', 'body.subject', { subject: source, body: '<p>x</p>' }],
        ['email', 'body.textBody', { subject: 'Hi', body: '<p>x</p>', textBody: source }],
        ['letter', 'body.body', { subject: 'Heading', body: source }],
        ['letter', 'body.subject', { subject: source, body: 'x' }],
      ] as const) {
        const response = await put(channel, 'files', json);
        const text = await response.text();
        assert.equal(response.status, 400, `${channel} ${field} ${source}: ${text}`);
        assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
        const problem = JSON.parse(text) as { code: string; errors: Array<{ field: string; message: string }> };
        assert.equal(problem.code, 'validation_failed');
        assert.equal(problem.errors[0]!.field, field);
        assert.match(problem.errors[0]!.message, /not available: templates cannot load other templates or files/);
        assert.ok(!text.includes(FILE_MARK));
      }
    }
    const stored = await server.database.db
      .selectFrom('message_templates')
      .where('name', '=', 'files')
      .selectAll()
      .execute();
    assert.deepEqual(stored, [], 'nothing was stored');
  });

  test('a stored template that bypassed the save check renders no file, in preview or in sending', async () => {
    const now = new Date();
    for (const [index, source] of FILE_TEMPLATES.entries()) {
      for (const channel of ['sms', 'email', 'letter'] as const) {
        await server.database.db
          .insertInto('message_templates')
          .values({
            channel,
            name: `bypass_${index}`,
            locale: 'en',
            subject: channel === 'sms' ? null : source,
            body: source,
            text_body: channel === 'email' ? source : null,
            version: 1,
            updated_at: now,
            updated_by: 'test',
          })
          .execute();
        const response = await preview(channel, `bypass_${index}`);
        const text = await response.text();
        assert.equal(response.status, 400, `${channel} ${source}: ${text}`);
        assert.ok(!text.includes(FILE_MARK), `${channel} ${source} leaked the file: ${text}`);
        assert.match(text, /not available/);
      }
      // The renderers that email.send, sms.send and letter.send call refuse it the same way.
      assert.throws(() => renderSms({ body: source }, { locale: 'en' }), /not available/);
      assert.throws(
        () => renderEmail({ subject: 'x', body: source, textBody: null }, { locale: 'en' }),
        /not available/,
      );
    }
  });

  test('the engine file system knows no files, even where a tag would look one up', async () => {
    // A Liquid with the stock include/render/layout tags but finflow's file system and options.
    const liquid = new Liquid({ fs: NO_FILES, root: [], partials: [], layouts: [], relativeReference: false });
    for (const file of REFERENCES.concat(['constructor', '__proto__'])) {
      for (const source of [`{% include "${file}" %}`, `{% render "${file}" %}`, `{% layout "${file}" %}x`]) {
        let output = '';
        try {
          output = String(await liquid.parseAndRender(source, {}));
        } catch (error) {
          assert.ok(!(error as Error).message.includes(FILE_MARK));
        }
        assert.ok(!output.includes(FILE_MARK), `${source}: ${output}`);
      }
    }
  });

  test('a template that loops without end or renders huge output is stopped by the limits', async () => {
    const endless = [
      // A range that would allocate a billion items: refused by the memory limit at once.
      '{% for i in (1..1000000000) %}x{% endfor %}',
      // Output growing by doubling.
      '{% assign s = "xxxxxxxxxx" %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}{{ s }}',
      // Nested loops of small ranges: 10^12 iterations, stopped by the render time limit.
      '{% for a in (1..10000) %}{% for b in (1..10000) %}{% for c in (1..10000) %}xxxxxxxxxxxxxxxxxxxx{% endfor %}{% endfor %}{% endfor %}',
    ];
    for (const [index, source] of endless.entries()) {
      checkTemplateSyntax(source, 'body.body'); // valid Liquid: the limits act when it renders
      const started = performance.now();
      assert.throws(() => renderSms({ body: source }, { locale: 'en' }), /limit exceeded/);
      assert.ok(performance.now() - started < TEMPLATE_LIMITS.renderLimit * 4, source);

      const stored = await put('sms', `endless_${index}`, { body: source });
      assert.equal(stored.status, 200, await stored.text());
      const response = await preview('sms', `endless_${index}`);
      const text = await response.text();
      assert.equal(response.status, 400, text);
      assert.match(text, /limit exceeded/);
    }
    // A template above the parse limit is refused on save.
    assert.throws(
      () => checkTemplateSyntax('x'.repeat(TEMPLATE_LIMITS.parseLimit + 1), 'body.body'),
      /parse length limit exceeded/,
    );
    // An ordinary template is untouched by the limits.
    assert.equal(renderSms({ body: 'Hello {{ name }}' }, { locale: 'en', name: 'Ana' }), 'Hello Ana');
  });
});

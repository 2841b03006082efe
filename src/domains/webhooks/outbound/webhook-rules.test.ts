import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bodyOf, matchesEventType, payloadOf, type WebhookPayload } from './outbox.js';
import { nextAttemptAt, RETRY_WINDOW_MS } from './retry-schedule.js';
import { generateSecret, secretProblem, signHeaders } from './signing.js';
import { EVENT_TYPE_PATTERN } from './webhook-input.js';

/** The pure rules: signing, event-type patterns, the retry schedule, the body. */

describe('webhook rules', () => {
  test('signs the Standard Webhooks example exactly', () => {
    // The example from the Standard Webhooks / Svix documentation.
    const headers = signHeaders('msg_p5jXN8AQM9LWM0D4loKWxJek', new Date(1614265330 * 1000), '{"test": 2432232314}', [
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    ]);
    assert.deepEqual(headers, {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  test('generated secrets are valid; bad ones are named', () => {
    assert.equal(secretProblem(generateSecret()), undefined);
    assert.equal(secretProblem('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'), undefined);
    assert.match(secretProblem('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw') ?? '', /whsec_/);
    assert.match(secretProblem('whsec_c2hvcnQ=') ?? '', /24 to 64 bytes/);
  });

  test('event type patterns: exact, prefix.* and *', () => {
    assert.ok(matchesEventType(['*'], 'anything.at.all'));
    assert.ok(matchesEventType(['receivable.*'], 'receivable.overdue'));
    assert.ok(matchesEventType(['receivable.*'], 'receivable.dpd.changed'));
    assert.ok(!matchesEventType(['receivable.*'], 'receivables.overdue'));
    assert.ok(!matchesEventType(['receivable.*'], 'receivable'));
    assert.ok(matchesEventType(['a.b', 'customer.created'], 'customer.created'));
    assert.ok(!matchesEventType(['customer.created'], 'customer.created.x'));
    for (const ok of ['*', 'a', 'receivable.*', 'payment_received', 'x-y.z.*']) assert.match(ok, EVENT_TYPE_PATTERN);
    for (const bad of ['', '**', '.x', 'a*', 'a.*.b', 'a b', '*.x']) assert.doesNotMatch(bad, EVENT_TYPE_PATTERN);
  });

  test('retry schedule: 5 s, 5 min, 30 min, 2 h, 5 h, then 10 h, ending exactly 3 days after the first attempt', () => {
    const first = new Date('2026-01-01T00:00:00Z');
    let now = first;
    const gaps: number[] = [];
    for (let failures = 1; ; failures++) {
      const next = nextAttemptAt(first, failures, now);
      if (!next) break;
      gaps.push((next.getTime() - now.getTime()) / 1000);
      now = next;
    }
    assert.deepEqual(gaps, [5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000, 15895]);
    assert.equal(now.getTime() - first.getTime(), RETRY_WINDOW_MS);
  });

  test('the body is the envelope in a fixed order, whatever order jsonb kept', () => {
    const payload = payloadOf({
      id: 'evt_1',
      type: 't.x',
      key: null,
      data: 7,
      publishedAt: '2026-01-01T00:00:00.000Z',
    });
    assert.deepEqual(payload.data, { value: 7 });
    const shuffled = JSON.parse(
      JSON.stringify({ eventId: 'evt_1', key: null, data: { a: 1 }, timestamp: 'T', type: 't' }),
    ) as WebhookPayload;
    assert.equal(bodyOf(shuffled), '{"type":"t","timestamp":"T","data":{"a":1},"key":null,"eventId":"evt_1"}');
  });
});

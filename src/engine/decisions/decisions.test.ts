import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { readAuditLog } from '../../storage/audit/audit-log.js';
import type { Database } from '../../storage/database.js';
import { guardDecision, inputNode, outputNode } from '../../testing/jdm.js';
import { openTestDatabase } from '../../testing/test-database.js';
import { DecisionError, DecisionEvaluator, evaluateContent } from './decision-evaluator.js';
import { getDecision, listDecisions, putDecision, zenErrorMessage } from './decision-store.js';

const ACTOR = 'key_test';
const clock = new ManualClock('2026-03-02T09:00:00Z');

/** A decision table: amount and risk rating → segment, first matching rule wins. */
function segmentTable(largeLimit = 100_000) {
  const table = {
    id: 'segment',
    type: 'decisionTableNode',
    name: 'Segment',
    position: { x: 200, y: 0 },
    content: {
      hitPolicy: 'first',
      inputs: [
        { id: 'amount', field: 'amount', name: 'Amount' },
        { id: 'risk', field: 'riskRating', name: 'Risk rating' },
      ],
      outputs: [{ id: 'segment', field: 'segment', name: 'Segment' }],
      rules: [
        { _id: 'r1', amount: `> ${largeLimit}`, risk: '"high"', segment: '"watch"' },
        { _id: 'r2', amount: `> ${largeLimit}`, risk: '', segment: '"large"' },
        { _id: 'r3', amount: '', risk: '"high"', segment: '"review"' },
        { _id: 'r4', amount: '', risk: '', segment: '"standard"' },
      ],
    },
  };
  return {
    nodes: [inputNode, table, outputNode],
    edges: [
      { id: 'e1', sourceId: 'in', targetId: 'segment' },
      { id: 'e2', sourceId: 'segment', targetId: 'out' },
    ],
  };
}

/** A function node that throws for negative amounts. */
const guarded = guardDecision;

let database: Database;
before(async () => {
  database = await openTestDatabase();
});
after(async () => {
  await database.close();
});

function assertValidationOn(field: string) {
  return (error: unknown) => {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, 'validation_failed');
    assert.equal(error.field, field);
    return true;
  };
}

test('a decision table is stored and evaluated, first matching rule wins', async () => {
  const put = await putDecision(database, { key: 'credit.segment', content: segmentTable(), actor: ACTOR }, clock);
  assert.deepEqual(put, { key: 'credit.segment', version: 1, created: true });

  const evaluator = new DecisionEvaluator();
  const cases: [number, string, string][] = [
    [250_000, 'high', 'watch'],
    [250_000, 'low', 'large'],
    [5_000, 'high', 'review'],
    [5_000, 'low', 'standard'],
  ];
  for (const [amount, riskRating, segment] of cases) {
    const outcome = await evaluator.evaluate(database.db, 'credit.segment', { amount, riskRating });
    assert.equal(outcome.key, 'credit.segment');
    assert.equal(outcome.version, 1);
    assert.deepEqual(outcome.result, { segment });
    assert.match(outcome.performance, /s$/);
  }
  assert.equal(evaluator.cacheSize, 1);

  const stored = await getDecision(database.db, 'credit.segment');
  assert.equal(stored.version, 1);
  assert.equal(stored.createdBy, ACTOR);
  assert.equal(stored.createdAt.toISOString(), '2026-03-02T09:00:00.000Z');
  assert.deepEqual(stored.content, segmentTable());
});

test('re-putting identical content is a no-op; changed content adds a version', async () => {
  await putDecision(database, { key: 'versions', content: segmentTable(), actor: ACTOR }, clock);
  // Key order differs: the canonical checksum does not care.
  const reordered = { edges: segmentTable().edges, nodes: segmentTable().nodes };
  assert.deepEqual(await putDecision(database, { key: 'versions', content: reordered, actor: ACTOR }, clock), {
    key: 'versions',
    version: 1,
    created: false,
  });
  const v2 = await putDecision(database, { key: 'versions', content: segmentTable(1_000), actor: ACTOR }, clock);
  assert.deepEqual(v2, { key: 'versions', version: 2, created: true });

  const evaluator = new DecisionEvaluator();
  const input = { amount: 5_000, riskRating: 'low' };
  assert.deepEqual((await evaluator.evaluate(database.db, 'versions', input)).result, { segment: 'large' });
  const pinned = await evaluator.evaluate(database.db, 'versions', input, 1);
  assert.deepEqual(pinned, { ...pinned, version: 1, result: { segment: 'standard' } });

  assert.equal((await getDecision(database.db, 'versions', 1)).version, 1);
  const listed = (await listDecisions(database.db)).find((d) => d.key === 'versions');
  assert.equal(listed?.version, 2);

  const audit = await readAuditLog(database.db, { entityType: 'decision' });
  const versions = audit.filter((row) => row.entity_id.startsWith('versions@'));
  assert.deepEqual(
    versions.map((row) => [row.action, row.entity_id, row.actor]),
    [
      ['decision.deployed', 'versions@1', ACTOR],
      ['decision.deployed', 'versions@2', ACTOR],
    ],
  );
  assert.deepEqual(versions[1]?.before, {
    key: 'versions',
    version: 1,
    checksum: (await getDecision(database.db, 'versions', 1)).checksum,
  });
});

test('concurrent puts of one new key agree on the versions', async () => {
  const results = await Promise.all(
    [1_000, 2_000, 3_000].map((limit) =>
      putDecision(database, { key: 'race', content: segmentTable(limit), actor: ACTOR }, clock),
    ),
  );
  assert.deepEqual(results.map((r) => r.version).sort(), [1, 2, 3]);
});

test('invalid keys and JDM documents are rejected on their field', async () => {
  const put = (key: string, content: unknown) => putDecision(database, { key, content, actor: ACTOR }, clock);
  await assert.rejects(put('Bad Key', segmentTable()), assertValidationOn('key'));
  await assert.rejects(put('-leading', segmentTable()), assertValidationOn('key'));
  await assert.rejects(put('ok', 'not an object'), assertValidationOn('content'));
  await assert.rejects(put('ok', [segmentTable()]), assertValidationOn('content'));
  await assert.rejects(put('ok', { nodes: [] }), (error: unknown) => {
    assertValidationOn('content')(error);
    assert.match((error as AppError).message, /missing field `edges`/);
    return true;
  });
  const dangling = { nodes: [inputNode], edges: [{ id: 'e', sourceId: 'in', targetId: 'nowhere' }] };
  await assert.rejects(put('ok', dangling), (error: unknown) => {
    assertValidationOn('content')(error);
    const message = (error as AppError).issues[0]?.message ?? '';
    assert.match(message, /missingNode/);
    assert.doesNotMatch(message, /backtrace|\n/i);
    return true;
  });
  await assert.rejects(getDecision(database.db, 'ok'), (error: unknown) => {
    assert.ok(error instanceof AppError);
    assert.equal(error.code, 'not_found');
    return true;
  });
});

test('an error while evaluating becomes a DecisionError with a clean message', async () => {
  await putDecision(database, { key: 'guarded', content: guarded, actor: ACTOR }, clock);
  const evaluator = new DecisionEvaluator();
  assert.deepEqual((await evaluator.evaluate(database.db, 'guarded', { amount: 1 })).result, { ok: true });
  await assert.rejects(evaluator.evaluate(database.db, 'guarded', { amount: -1 }), (error: unknown) => {
    assert.ok(error instanceof DecisionError);
    assert.equal(error.key, 'guarded');
    assert.equal(error.version, 1);
    assert.equal(error.nodeId, 'guard');
    assert.equal(error.code, 'decision_failed');
    assert.equal(error.message, 'decision guarded@1 failed: NodeError in node guard: Error: negative amount');
    return true;
  });
  await assert.rejects(evaluator.evaluate(database.db, 'no-such-decision', {}), /decision no-such-decision not found/);
});

test('evaluateContent runs a document without storing it', async () => {
  const outcome = await evaluateContent(segmentTable(), { amount: 500_000, riskRating: 'high' });
  assert.deepEqual(outcome.result, { segment: 'watch' });

  const expression = {
    nodes: [
      inputNode,
      {
        id: 'calc',
        type: 'expressionNode',
        name: 'Calc',
        position: { x: 200, y: 0 },
        content: { expressions: [{ id: 'x1', key: 'ratio', value: 'amount / ' }] },
      },
      outputNode,
    ],
    edges: [
      { id: 'e1', sourceId: 'in', targetId: 'calc' },
      { id: 'e2', sourceId: 'calc', targetId: 'out' },
    ],
  };
  await assert.rejects(evaluateContent(expression, { amount: 1 }), (error: unknown) => {
    assert.ok(error instanceof DecisionError);
    assert.equal(error.key, null);
    assert.match(error.message, /NodeError in node calc: Failed to evaluate expression/);
    return true;
  });
  await assert.rejects(evaluateContent({ nodes: 'x' }, {}), assertValidationOn('content'));
});

test('the evaluator cache evicts the least recently used decision', async () => {
  await putDecision(database, { key: 'cache-a', content: segmentTable(1), actor: ACTOR }, clock);
  await putDecision(database, { key: 'cache-b', content: segmentTable(2), actor: ACTOR }, clock);
  await putDecision(database, { key: 'cache-c', content: segmentTable(3), actor: ACTOR }, clock);
  const evaluator = new DecisionEvaluator({ maxEntries: 2 });
  for (const key of ['cache-a', 'cache-b', 'cache-a', 'cache-c']) {
    await evaluator.evaluate(database.db, key, { amount: 10 });
  }
  assert.equal(evaluator.cacheSize, 2);
});

test('zen error messages keep the first line and read the JSON', () => {
  assert.deepEqual(zenErrorMessage(new Error('{"type":"cyclicGraph"}\n\nStack backtrace:\n   0: <unknown>')), {
    message: 'cyclicGraph',
    type: 'cyclicGraph',
  });
  assert.deepEqual(zenErrorMessage(new Error('missing field `nodes`')), { message: 'missing field `nodes`' });
});

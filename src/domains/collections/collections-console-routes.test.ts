/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-return --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Body } from '../../testing/api-client.js';
import { collectionsScenario, type CollectionsScenario } from '../../testing/collections-scenario.js';

/**
 * What the console's collections pages ask of the API beyond the casework routes: the case list
 * filtered by bucket, variant, state and the stage reached (with the customer's name and that stage
 * in each row), and a case's strategy with every stage done, next or pending.
 */
describe('collections routes for the console', () => {
  let world: CollectionsScenario;
  const call: CollectionsScenario['call'] = (...args) => world.call(...args);
  const expect: CollectionsScenario['expect'] = (...args) => world.expect(...args);
  const expectProblem: CollectionsScenario['expectProblem'] = (...args) => world.expectProblem(...args);
  let caseId: string;

  before(async () => {
    world = await collectionsScenario({ people: { vera: 'viewer' } });
    expect(
      await call('PUT', '/collections/settings', {
        json: { variants: { 'consumer-low': [{ name: 'champion', share: 100 }] } },
      }),
      200,
    );
    const { receivableId } = await world.loan({ name: 'Filter Fiona', email: 'fiona@example.com', riskRating: 'B' });
    // First due 2026-03-10: 3 days past due on the 13th, when the first email stage runs.
    await world.runUntil('2026-03-13');
    caseId = String((await world.caseOf(receivableId)).id);
  });
  after(() => world?.close());

  const list = async (query: string) =>
    (expect(await call('GET', `/collections/cases?${query}`, { token: world.tokens.vera }), 200).data as Body[]).map(
      (c) => c.id,
    );

  test('the list filters by bucket, variant, state and stage reached, and names customer and stage', async () => {
    const page = expect(await call('GET', '/collections/cases?limit=10'), 200).data as Body[];
    const row = page.find((c) => c.id === caseId);
    assert.ok(row);
    assert.equal(row.customerName, 'Filter Fiona');
    assert.equal(row.lastStage, 'low_email_d3');
    assert.equal(row.account.bucket, '1-30');

    assert.deepEqual(await list('bucket=1-30&variant=champion&state=active&stage=low_email_d3&segment=consumer-low'), [
      caseId,
    ]);
    assert.deepEqual(await list('bucket=31-60'), []);
    assert.deepEqual(await list('variant=challenger'), []);
    assert.deepEqual(await list('state=promised'), []);
    assert.deepEqual(await list('stage=low_call_d30'), []);
    expectProblem(await call('GET', `/collections/cases?stage=${'x'.repeat(81)}`), 400, 'query.stage');
  });

  test("a case's strategy: stages done, the next one with its day, the rest pending", async () => {
    const strategy = expect(
      await call('GET', `/collections/cases/${caseId}/strategy`, { token: world.tokens.vera }),
      200,
    );
    assert.equal(strategy.segment, 'consumer-low');
    assert.equal(strategy.variant, 'champion');
    assert.deepEqual(strategy.decision, { key: 'collections.strategy', version: 1 });
    const stages = strategy.stages as Body[];
    assert.deepEqual(
      stages.slice(0, 3).map((s) => [s.stage, s.status]),
      [
        ['low_email_d3', 'done'],
        ['low_sms_d10', 'next'],
        ['low_email_d20', 'pending'],
      ],
    );
    assert.ok(stages[0]?.ranAt);
    assert.equal(stages[1]?.dueOn, '2026-03-20');
    assert.equal(stages.filter((s) => s.status === 'next').length, 1);
    expect(await call('GET', '/collections/cases/ccase_nope/strategy'), 404);
  });
});

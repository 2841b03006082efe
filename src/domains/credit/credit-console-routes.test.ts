/* eslint-disable @typescript-eslint/no-unsafe-member-access --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { apiClient, type Body } from '../../testing/api-client.js';
import { GOOD_APPLICATION_TERMS } from '../../testing/credit-application-body.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

/**
 * What the console's credit pages ask of the API: the application list filtered by product (beside
 * status), and — the browser test's premise — that with no bureau configured an application of
 * 15 000.00 is referred for review at authority level 2 (credit-managers), its open task found by
 * the application's workflow instance.
 */
describe('credit routes for the console', () => {
  let server: TestServer;
  const { call, expect, expectProblem } = apiClient(() => server);

  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  const submit = async (n: number, terms: Body) =>
    expect(
      await call('POST', '/credit/applications', {
        key: `console-${n}`,
        json: {
          ...GOOD_APPLICATION_TERMS,
          applicant: { externalId: `CON-${n}`, name: `Console Applicant ${n}`, dateOfBirth: '1980-01-01' },
          ...terms,
        },
      }),
      201,
    );

  test('the list filters by product and status', async () => {
    const loan = await submit(1, { amount: '1500000', termMonths: 36, monthlyIncome: '600000' });
    const line = await submit(2, { product: 'credit-line', amount: '400000', termMonths: 36 });
    const ids = async (query: string) =>
      (expect(await call('GET', `/credit/applications?${query}`), 200).data as Body[]).map((a) => String(a.id));
    assert.deepEqual(await ids('product=personal-loan'), [loan.id]);
    assert.deepEqual(await ids('product=credit-line'), [line.id]);
    assert.deepEqual(await ids('product=nope'), []);
    expectProblem(await call('GET', `/credit/applications?product=${'p'.repeat(101)}`), 400, 'query.product');

    // Without a bureau, 15 000.00 is referred to a credit manager (level 2).
    let app: Body = loan;
    for (let i = 0; i < 100 && app.status !== 'in_review'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      app = expect(await call('GET', `/credit/applications/${loan.id}`), 200);
    }
    assert.equal(app.status, 'in_review');
    assert.equal(app.authority.level, 2);
    assert.deepEqual(await ids('status=in_review&product=personal-loan'), [loan.id]);
    const tasks = expect(await call('GET', `/tasks?status=open&instanceId=${app.instanceId}`), 200).data as Body[];
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]?.queue, 'credit-managers');
  });
});

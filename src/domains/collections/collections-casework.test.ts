/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call --
   response bodies are read field by field and each read is asserted */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { addDays } from '../receivables/schedule/due-dates.js';
import type { Body } from '../../testing/api-client.js';
import {
  collectionsScenario,
  shortStrategy,
  type Account,
  type CollectionsScenario,
} from '../../testing/collections-scenario.js';

/**
 * Working a case end to end through the HTTP API: disputes (partial, full, invalid, valid with a
 * credit note that cures the account), payment plans (within the collector's authority, above it
 * with four-eyes approval, kept and broken), hardship (risk and customer care at once, forbearance),
 * agency placement (by API to a real HTTP server, and by export file; recoveries, commission,
 * recall) and write-off (approved by the queue its amount falls to, posted to the ledger). The
 * strategy deployed here is short, so each kind of stage comes within days.
 */

interface AgencyCall {
  headers: IncomingHttpHeaders;
  body: Body;
}

/** consumer-low, champion: email d1 · letter d2 · call d4 · placement d6 · write-off d10. */
const SHORT_STRATEGY = shortStrategy('Short test strategy', [
  ['t_email_d1', 1, 'email', 'payment_overdue'],
  ['t_letter_d2', 2, 'letter', 'collections_letter'],
  ['t_call_d4', 4, 'call', null],
  ['t_placement_d6', 6, 'placement', null],
  ['t_write_off_d10', 10, 'write_off', null],
]);

describe('collections: working a case', () => {
  let world: CollectionsScenario;
  let agency: Server;
  let agencyUrl = '';
  const agencyCalls: AgencyCall[] = [];
  const call: CollectionsScenario['call'] = (...args) => world.call(...args);
  const expect: CollectionsScenario['expect'] = (...args) => world.expect(...args);
  const expectProblem: CollectionsScenario['expectProblem'] = (...args) => world.expectProblem(...args);
  const address = { line1: 'Calle Mayor 1', city: 'Madrid', postalCode: '28013', country: 'ES' };
  let n = 0;
  const account = (): Promise<Account> => {
    n += 1;
    return world.loan({
      name: `Work Case ${n}`,
      email: `work${n}@example.com`,
      phone: `+3460000${String(n).padStart(4, '0')}`,
      language: 'en',
      riskRating: 'A',
      address,
    });
  };
  const stagesOf = (detail: Body) => (detail.stages as Body[]).map((s) => s.stage);
  /** Collectors answer every open call on the case with "no answer", so the strategy moves on. */
  async function answerCalls(detail: Body): Promise<number> {
    const tasks = (await world.openTasks(`instanceId=${detail.instanceId}`)).filter((t) => t.step === 'call');
    for (const task of tasks) {
      const who = task.assignee ?? 'colin';
      expect(
        await call('POST', `/tasks/${task.id}/complete`, { token: world.tokens[who]!, json: { outcome: 'no_answer' } }),
        200,
      );
    }
    await world.drain();
    return tasks.length;
  }

  before(async () => {
    agency = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        agencyCalls.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Body });
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ reference: `AG-${agencyCalls.length}` }));
      });
    });
    await new Promise<void>((resolve) => agency.listen(0, '127.0.0.1', resolve));
    agencyUrl = `http://127.0.0.1:${(agency.address() as AddressInfo).port}/placements`;
    world = await collectionsScenario({
      people: {
        colin: 'operator',
        cleo: 'operator',
        sam: 'operator',
        max: 'operator',
        rita: 'operator',
        cara: 'operator',
      },
    });
    for (const [queue, members] of Object.entries({
      'collections-supervisors': ['sam', 'cleo'],
      'collections-managers': ['max'],
      risk: ['rita'],
      'customer-care': ['cara'],
    })) {
      const reply = await call('PUT', `/queues/${queue}`, { json: { members } });
      assert.ok([200, 201].includes(reply.status), JSON.stringify(reply.body));
    }
    expect(await call('PUT', '/decisions/collections.strategy', { json: SHORT_STRATEGY }), 201);
    expect(
      await call('PUT', '/collections/settings', {
        json: {
          collectors: [{ user: 'colin', languages: ['en'] }],
          variants: { 'consumer-low': [{ name: 'champion', share: 100 }] },
          agencies: [{ name: 'acme-recoveries', commissionRate: '0.25', url: agencyUrl }],
        },
      }),
      200,
    );
  });
  after(async () => {
    await world?.close();
    await new Promise<void>((resolve) => agency?.close(() => resolve()));
  });

  test('stages of every kind: email, letter (PDF), call, placement by API with recoveries and recall, write-off with approval', async () => {
    const { receivableId } = await account();
    const due = addDays(world.today(), 8);
    await world.runUntil(addDays(due, 2));
    let detail = await world.caseOf(receivableId);
    assert.deepEqual(
      detail.decisions.map((d: Body) => `${d.key}@${d.version}`),
      ['collections.segment@1', 'collections.strategy@2'],
    );
    assert.deepEqual(stagesOf(detail), ['t_email_d1', 't_letter_d2']);
    const letters = expect(await call('GET', `/channels/letters?customer=${detail.customerId}`), 200).data as Body[];
    assert.equal(letters.length, 1, 'the letter is stored for the print provider');
    const pdf = await world.server.call(`/api/v1/channels/letters/${letters[0]!.id}/pdf`);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
      '%PDF-',
    );

    await world.runUntil(addDays(due, 4));
    assert.equal(await answerCalls(detail), 1, 'the call on day 4');
    await world.runUntil(addDays(due, 6));
    assert.equal(agencyCalls.length, 1, 'placed with the agency by API on day 6');
    const placed = agencyCalls[0]!;
    assert.ok(placed.headers['idempotency-key'], 'the placement carries an Idempotency-Key');
    assert.equal(placed.body.caseId, detail.id);
    assert.equal(placed.body.customer.name, 'Work Case 1');
    assert.equal(placed.body.account.reference, detail.account.externalId);
    detail = await world.caseOf(receivableId);
    assert.equal(detail.state, 'placed');
    assert.equal(detail.placements.length, 1);
    assert.equal(detail.placements[0].agency, 'acme-recoveries');

    // The agency collects 10 000: its recovery; commission 25 %.
    await world.pay(receivableId, '10000');
    await world.runUntil(addDays(due, 12));
    detail = await world.caseOf(receivableId);
    assert.equal(detail.state, 'placed', 'no stage while the agency works the account');
    assert.deepEqual(stagesOf(detail), ['t_email_d1', 't_letter_d2', 't_call_d4', 't_placement_d6']);
    assert.equal(detail.placements[0].recovered, '10000');
    assert.equal(detail.placements[0].commission, '2500');
    const recalled = expect(
      await call('POST', `/collections/cases/${detail.id}/placements/${detail.placements[0].id}/recall`, {
        json: { reason: 'no progress' },
      }),
      200,
    );
    assert.equal(recalled.status, 'recalled');
    expect(
      await call('POST', `/collections/cases/${detail.id}/placements/${detail.placements[0].id}/recall`, {
        json: { reason: 'again' },
      }),
      409,
    );
    await world.drain();

    // Recalled: the strategy resumes with the write-off stage, which needs approval.
    detail = await world.caseOf(receivableId);
    assert.equal(detail.state, 'awaiting_approval');
    assert.equal(detail.writeOffs.length, 1);
    const proposal = detail.writeOffs[0];
    assert.equal(proposal.status, 'pending_approval');
    const tasks = await world.openTasks(`instanceId=${detail.instanceId}`);
    const approval = tasks.find((t) => t.step === 'approve');
    assert.ok(approval, 'an approval task');
    assert.equal(approval.queue, proposal.approvalQueue);
    expect(
      await call('POST', `/tasks/${approval.id}/complete`, {
        token: world.tokens[approval.assignee ?? 'max']!,
        json: { outcome: 'approve', data: { comment: 'uncollectable' } },
      }),
      200,
    );
    await world.drain();
    detail = await world.caseOf(receivableId);
    assert.equal(detail.status, 'closed', JSON.stringify({ w: detail.writeOffs, t: detail.timeline.slice(-6) }));
    assert.equal(detail.outcome, 'written_off');
    assert.equal(detail.writeOffs[0].status, 'approved');
    const receivable = expect(await call('GET', `/receivables/${receivableId}`), 200);
    assert.equal(receivable.status, 'written_off');
    assert.equal(receivable.outstanding, '0');
    const losses = expect(await call('GET', '/ledger/accounts?code=losses:write_offs&currency=EUR'), 200);
    assert.equal(losses.data.length, 1, 'the write-off is a loss in the ledger');
  });

  test('disputes: a partial one lowers what is chased; a full one pauses; invalid resumes; valid credits and cures', async () => {
    const { receivableId } = await account();
    const due = addDays(world.today(), 8);
    await world.runUntil(addDays(due, 1));
    let detail = await world.caseOf(receivableId);
    const path = `/collections/cases/${detail.id}/disputes`;
    expectProblem(await call('POST', path, { json: { reason: 'x', amount: '99999999' } }), 422, 'body.amount');
    expectProblem(await call('POST', path, { json: { reason: '' } }), 400, 'body.reason');
    const full = expect(await call('POST', path, { json: { reason: 'I never received the goods' } }), 201);
    assert.equal(full.amount, '88849', 'default: the whole overdue amount');
    expect(await call('POST', path, { json: { reason: 'again' } }), 409);
    await world.runUntil(addDays(due, 3));
    detail = await world.caseOf(receivableId);
    assert.equal(detail.state, 'disputed');
    assert.deepEqual(stagesOf(detail), ['t_email_d1'], 'no letter while everything overdue is disputed');

    expect(
      await call('POST', `${path}/${full.id}/resolve`, { json: { outcome: 'invalid', note: 'delivery confirmed' } }),
      200,
    );
    await world.drain();
    detail = await world.caseOf(receivableId);
    assert.deepEqual(stagesOf(detail), ['t_email_d1', 't_letter_d2'], 'dunning resumes');

    const partial = expect(await call('POST', path, { json: { reason: 'fee charged twice', amount: '40000' } }), 201);
    await world.drain();
    detail = await world.caseOf(receivableId);
    assert.equal(detail.state, 'partly_disputed');
    expectProblem(
      await call('POST', `${path}/${partial.id}/resolve`, {
        json: { outcome: 'valid', note: 'x', creditAmount: '40001' },
      }),
      422,
      'body.creditAmount',
    );
    const before = expect(await call('GET', `/receivables/${receivableId}`), 200);
    const credited = expect(
      await call('POST', `${path}/${partial.id}/resolve`, { json: { outcome: 'valid', note: 'duplicate fee' } }),
      200,
    );
    assert.equal(credited.status, 'valid');
    const receivable = expect(await call('GET', `/receivables/${receivableId}`), 200);
    assert.equal(BigInt(before.totalDue) - BigInt(receivable.totalDue), 40_000n, 'the credit note takes 400.00 off');
    assert.equal(BigInt(before.outstanding) - BigInt(receivable.outstanding), 40_000n);
    // The credit note leaves 48 849 overdue; paying that cures the account and closes the case.
    await world.pay(receivableId, '48849');
    await world.drain();
    detail = await world.caseOf(receivableId);
    assert.equal(detail.status, 'closed');
    assert.equal(detail.outcome, 'cured');
  });

  test('plans: within authority it starts at once; above it a supervisor approves (not the proposer); kept or broken', async () => {
    const small = await world.loan(
      { name: 'Plan Small', email: 'ps@example.com', language: 'en', riskRating: 'A' },
      '400000',
    );
    const big = await account();
    const due = addDays(world.today(), 8);
    await world.runUntil(addDays(due, 1));
    const smallCase = await world.caseOf(small.receivableId);
    const bigCase = await world.caseOf(big.receivableId);
    const plan = (caseId: string, installments: Body[], token?: string) =>
      call('POST', `/collections/cases/${caseId}/plans`, {
        key: randomUUID(),
        json: { installments },
        ...(token ? { token } : {}),
      });
    const overdueSmall = BigInt(smallCase.openedOverdue);
    expectProblem(
      await plan(smallCase.id, [{ date: addDays(world.today(), 5), amount: '100' }]),
      422,
      'body.installments',
    );
    expectProblem(
      await plan(smallCase.id, [
        { date: addDays(world.today(), 5), amount: '20000' },
        { date: addDays(world.today(), 4), amount: '20000' },
      ]),
      422,
      'body.installments.1.date',
    );
    const half = String(overdueSmall / 2n);
    const smallPlan = expect(
      await plan(smallCase.id, [
        { date: addDays(world.today(), 5), amount: half },
        { date: addDays(world.today(), 12), amount: String(overdueSmall - BigInt(half)) },
      ]),
      201,
    );
    assert.equal(smallPlan.status, 'active', 'within the collector’s authority');
    expect(await plan(smallCase.id, [{ date: addDays(world.today(), 5), amount: '40000' }]), 409);

    const bigPlan = expect(
      await plan(bigCase.id, [{ date: addDays(world.today(), 7), amount: '88849' }], world.tokens.cleo),
      201,
    );
    assert.equal(bigPlan.status, 'pending_approval');
    assert.equal(bigPlan.approvalQueue, 'collections-supervisors');
    await world.drain();
    const approval = (await world.openTasks(`instanceId=${bigCase.instanceId}`)).find((t) => t.step === 'approve');
    assert.ok(approval);
    assert.deepEqual(approval.excludedUsers, ['cleo'], 'the proposer may not approve');
    assert.equal(approval.assignee, 'sam');
    expect(
      await call('POST', `/tasks/${approval.id}/complete`, {
        token: world.tokens.cleo!,
        json: { outcome: 'approve', data: { comment: 'ok' } },
      }),
      409,
    );
    expect(
      await call('POST', `/tasks/${approval.id}/complete`, {
        token: world.tokens.sam!,
        json: { outcome: 'approve', data: { comment: 'affordable' } },
      }),
      200,
    );
    await world.drain();
    assert.equal((await world.caseOf(big.receivableId)).state, 'plan');
    // Big plan: paid on its date → the account is cured and the case closes, the plan kept.
    await world.runUntil(addDays(world.today(), 7));
    await world.pay(big.receivableId, '88849');
    await world.drain();
    let detail = await world.caseOf(big.receivableId);
    assert.equal(detail.status, 'closed');
    assert.equal(detail.plans[0].status, 'kept');

    // Small plan: the first installment paid (day 7 ≥ its day 5), the second missed → broken after grace.
    await world.pay(small.receivableId, half);
    detail = await world.caseOf(small.receivableId);
    assert.equal(detail.plans[0].status, 'active');
    // The second installment's checkpoint: its date (proposal + 12) + 3 grace days + 1.
    await world.runUntil(addDays(world.today(), 8));
    assert.equal((await world.caseOf(small.receivableId)).plans[0].status, 'active');
    await world.runUntil(addDays(world.today(), 1));
    detail = await world.caseOf(small.receivableId);
    assert.equal(detail.plans[0].status, 'broken');
    assert.notEqual(detail.state, 'plan', 'the strategy resumes');
  });

  test('hardship: risk and customer care get it at once; dunning pauses; forbearance holds it', async () => {
    const { receivableId } = await account();
    const due = addDays(world.today(), 8);
    await world.runUntil(addDays(due, 1));
    let detail = await world.caseOf(receivableId);
    const path = `/collections/cases/${detail.id}/hardship`;
    expectProblem(
      await call('POST', path, { json: { circumstance: 'boredom', notes: 'x' } }),
      400,
      'body.circumstance',
    );
    expect(
      await call('POST', path, {
        token: world.tokens.colin!,
        json: { circumstance: 'bereavement', notes: 'Spouse died last month; asks for time.' },
      }),
      201,
    );
    expect(await call('POST', path, { json: { circumstance: 'illness', notes: 'again' } }), 409);
    await world.drain();
    const risk = await world.openTasks('queue=risk');
    const care = await world.openTasks('queue=customer-care');
    const mine = (tasks: Body[]) => tasks.filter((t) => t.data?.caseId === detail.id);
    assert.equal(mine(risk).length, 1, 'a risk review');
    assert.equal(mine(care).length, 1, 'a customer-care contact, at the same time');
    assert.match(mine(risk)[0]!.data.notes, /Spouse died/);
    await world.runUntil(addDays(due, 3));
    detail = await world.caseOf(receivableId);
    assert.equal(detail.state, 'hardship');
    assert.deepEqual(stagesOf(detail), ['t_email_d1'], 'nothing sent while risk reviews');

    expect(
      await call('POST', `/tasks/${mine(risk)[0]!.id}/complete`, {
        token: world.tokens.rita!,
        json: { outcome: 'forbear', data: { days: 5, comment: 'bereavement policy' } },
      }),
      200,
    );
    expect(
      await call('POST', `/tasks/${mine(care)[0]!.id}/complete`, {
        token: world.tokens.cara!,
        json: { outcome: 'done' },
      }),
      200,
    );
    await world.drain();
    detail = await world.caseOf(receivableId);
    assert.equal(detail.hardships[0].status, 'forborne');
    assert.equal(detail.state, 'forborne');
    await world.runUntil(addDays(world.today(), 4));
    assert.deepEqual(stagesOf(await world.caseOf(receivableId)), ['t_email_d1']);
    await world.runUntil(addDays(world.today(), 2));
    assert.deepEqual(
      stagesOf(await world.caseOf(receivableId)).slice(0, 2),
      ['t_email_d1', 't_letter_d2'],
      'dunning resumes when the forbearance ends',
    );
  });

  test('an agency without an API takes the export file', async () => {
    expect(
      await call('PUT', '/collections/settings', {
        json: { agencies: [{ name: 'file-agency', commissionRate: '0.3' }] },
      }),
      200,
    );
    const { receivableId, ext } = await account();
    const due = addDays(world.today(), 8);
    await world.runUntil(addDays(due, 4));
    await answerCalls(await world.caseOf(receivableId));
    await world.runUntil(addDays(due, 6));
    const detail = await world.caseOf(receivableId);
    assert.equal(detail.state, 'placed');
    const csv = await world.server.call('/api/v1/collections/placements/export?agency=file-agency');
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    assert.equal(
      lines[0],
      'placement_id,placed_at,case_id,account,currency,placed_amount,outstanding,dpd,commission_rate,customer,name,email,phone,address,language',
    );
    assert.ok(
      lines.some((l) => l.includes(ext) && l.includes('""line1"":""Calle Mayor 1""')),
      lines.join('\n'),
    );
    expect(await call('GET', '/collections/placements/export?agency=file-agency&format=json'), 200);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PlanRow } from '../plans.js';
import type { PromiseRow } from '../promises.js';
import type { StageMove } from './moves.js';
import { nextMove, routeStage, type CaseFacts, type DunningSituation } from './next-move.js';
import type { Stage } from './strategy-stages.js';

/**
 * The dunning strategy's decision on plain data: no database, no clock. Each situation below is one
 * rule of `nextMove`; a change to the order of the rules or to what they decide fails here.
 */

const TODAY = '2026-03-20';
const NOW = new Date(`${TODAY}T09:00:00.000Z`);

const STAGES: Stage[] = [
  { stage: 'reminder', seq: 0, dpd: 3, kind: 'email', template: 'reminder', fee: null },
  { stage: 'sms', seq: 1, dpd: 10, kind: 'sms', template: 'sms-reminder', fee: null },
  { stage: 'call', seq: 2, dpd: 20, kind: 'call', template: null, fee: null },
];

function facts(overrides: Partial<CaseFacts> = {}): CaseFacts {
  return {
    settings: { stageGapHours: 24, planGraceDays: 2, promiseGraceDays: 1 },
    plan: undefined,
    writeOff: undefined,
    hardshipOpen: false,
    forbearUntil: null,
    placed: false,
    promise: undefined,
    overdue: 5_000n,
    dispute: undefined,
    stages: STAGES,
    stagesRun: [],
    sendSlot: null,
    ...overrides,
  };
}

/** An account 12 days past due (oldest unpaid 2026-03-08), 20 000 outstanding, 1 000 paid so far. */
function situation(overrides: Partial<CaseFacts> = {}, caseOverrides: Partial<DunningSituation['theCase']> = {}) {
  return {
    today: TODAY,
    now: NOW,
    theCase: {
      id: 'ccase_1',
      status: 'open',
      customer_id: 'cust_1',
      segment: 'standard',
      last_stage_at: null,
      ...caseOverrides,
    },
    account: {
      status: 'open',
      oldestUnpaid: '2026-03-08',
      totalPaid: 1_000n,
      outstanding: 20_000n,
      externalId: 'INV-1',
      currency: 'EUR',
    },
    facts: facts(overrides),
  } satisfies DunningSituation;
}

function plan(overrides: Partial<PlanRow>): PlanRow {
  return {
    id: 'cplan_1',
    case_id: 'ccase_1',
    schedule: [
      { date: '2026-03-10', amount: '2000' },
      { date: '2026-04-10', amount: '3000' },
    ],
    total: 5_000n,
    status: 'active',
    approval_queue: null,
    baseline_paid: 0n,
    proposed_by: 'alice',
    proposed_at: new Date('2026-03-01T00:00:00Z'),
    decided_by: null,
    decided_at: null,
    resolved_at: null,
    ...overrides,
  };
}

function promise(overrides: Partial<PromiseRow>): PromiseRow {
  return {
    id: 'cprom_1',
    case_id: 'ccase_1',
    customer_id: 'cust_1',
    amount: 3_000n,
    currency: 'EUR',
    promised_date: '2026-03-25',
    status: 'open',
    baseline_paid: 1_000n,
    paid_amount: 0n,
    collector: null,
    segment: 'standard',
    created_by: 'alice',
    created_at: new Date('2026-03-15T00:00:00Z'),
    resolved_at: null,
    ...overrides,
  };
}

describe('nextMove: what the dunning strategy decides', () => {
  test('a closed case, or an account no longer overdue, waits with no state change', () => {
    assert.deepEqual(nextMove({ ...situation(), theCase: { ...situation().theCase, status: 'closed' } }), {
      kind: 'wait',
      state: null,
      until: null,
      reason: 'case closed',
      next: null,
      settle: [],
    });
    const cured = situation();
    cured.account.oldestUnpaid = TODAY;
    assert.equal(nextMove({ ...cured, facts: null }).reason, 'not overdue');
  });

  test('an approval owed comes before any pause', () => {
    const move = nextMove(
      situation({ plan: plan({ status: 'pending_approval', approval_queue: 'managers' }), hardshipOpen: true }),
    );
    assert.equal(move.kind, 'approval');
    assert.equal(move.state, 'awaiting_approval');
    assert.equal(move.kind === 'approval' && move.approval.queue, 'managers');
    assert.equal(move.reason, 'plan cplan_1 awaits approval');
  });

  test('hardship and forbearance pause the case', () => {
    assert.deepEqual(
      [nextMove(situation({ hardshipOpen: true })).state, nextMove(situation({ hardshipOpen: true })).reason],
      ['hardship', 'hardship under review'],
    );
    const until = new Date('2026-04-01T00:00:00.000Z');
    const forborne = nextMove(situation({ forbearUntil: until }));
    assert.equal(forborne.state, 'forborne');
    assert.equal(forborne.kind === 'wait' && forborne.until, until.toISOString());
  });

  test('a running plan pauses until its next checkpoint; a broken one is settled and dunning goes on', () => {
    const onTrack = nextMove(situation({ plan: plan({ baseline_paid: -1_000n }) }));
    assert.deepEqual(onTrack, {
      kind: 'wait',
      state: 'plan',
      until: '2026-04-13T00:00:00.000Z',
      reason: 'payment plan cplan_1',
      next: null,
      settle: [],
    });
    const behind = plan({ baseline_paid: 0n }); // 1 000 paid of 2 000 due by the 2026-03-13 checkpoint
    const broken = nextMove(situation({ plan: behind }));
    assert.deepEqual(broken.settle, [{ kind: 'plan', plan: behind, status: 'broken', paid: 1_000n }]);
    assert.equal(broken.kind, 'stage');
  });

  test('a placement pauses; a promise pauses until its date plus grace, and a kept one is settled', () => {
    assert.equal(nextMove(situation({ placed: true })).state, 'placed');
    const open = nextMove(situation({ promise: promise({}) }));
    assert.equal(open.state, 'promised');
    assert.equal(open.kind === 'wait' && open.until, '2026-03-27T00:00:00.000Z');
    assert.equal(open.reason, 'promise to pay 3000 by 2026-03-25');
    const kept = promise({ baseline_paid: -2_000n });
    assert.deepEqual(nextMove(situation({ promise: kept })).settle, [
      { kind: 'promise', promise: kept, status: 'kept', paid: 3_000n },
    ]);
  });

  test('a dispute covering what is overdue pauses; a smaller one leaves the rest to chase', () => {
    assert.equal(nextMove(situation({ dispute: { id: 'cdisp_1', amount: 5_000n } })).state, 'disputed');
    const partly = nextMove(situation({ dispute: { id: 'cdisp_1', amount: 2_000n } }));
    assert.equal(partly.state, 'partly_disputed');
    assert.equal(partly.kind === 'stage' && partly.data.amount, '3000');
  });

  test('the first stage not yet run is due once its days past due are reached', () => {
    const move = nextMove(situation({ stagesRun: ['reminder'] }));
    assert.equal(move.kind, 'stage');
    assert.equal(move.state, 'active');
    assert.deepEqual(move.kind === 'stage' && move.data, {
      caseId: 'ccase_1',
      amount: '5000',
      outstanding: '20000',
      currency: 'EUR',
      reference: 'INV-1',
      dpd: 12,
      dueDate: '2026-03-08',
      deadline: '2026-03-30',
    });
    assert.equal(move.kind === 'stage' && move.stage.stage, 'sms');
  });

  test('a stage not yet due, or too soon after the previous one, waits for its moment', () => {
    const early = nextMove(situation({ stagesRun: ['reminder', 'sms'] }));
    assert.deepEqual(early, {
      kind: 'wait',
      state: 'active',
      until: '2026-03-28T00:00:00.000Z',
      reason: 'next stage call',
      next: 'call',
      settle: [],
    });
    const gap = nextMove(
      situation({ stagesRun: ['reminder'] }, { last_stage_at: new Date('2026-03-20T06:00:00.000Z') }),
    );
    assert.equal(gap.kind === 'wait' && gap.until, '2026-03-21T06:00:00.000Z');
    const slot = nextMove(situation({ stagesRun: [], sendSlot: { hour: 18, timeZone: 'Europe/Berlin' } }));
    assert.equal(slot.kind, 'stage'); // 2026-03-11 18:00 in Berlin is long past
  });

  test('every stage run: the strategy is complete', () => {
    assert.equal(nextMove(situation({ stagesRun: ['reminder', 'sms', 'call'] })).state, 'strategy_complete');
  });
});

describe('routeStage: how a due stage goes out', () => {
  const due = nextMove(situation({ stagesRun: ['reminder'] })) as StageMove;

  test('a message needs its channel configured and an address', () => {
    assert.deepEqual(routeStage(due, { message: { ready: false, contact: null } }).route, {
      channel: 'internal',
      skip: 'sms is not configured',
    });
    const noPhone = { email: 'a@example.com', phone: null, address: null };
    assert.deepEqual(routeStage(due, { message: { ready: true, contact: noPhone } }).route, {
      channel: 'internal',
      skip: 'the customer has no phone number',
    });
    const phone = { ...noPhone, phone: '+4915112345678' };
    assert.deepEqual(routeStage(due, { message: { ready: true, contact: phone } }).route, { channel: 'sms' });
  });

  test('a call the contact rules forbid is skipped; an allowed one becomes a task for the collector', () => {
    const call = { ...due, stage: STAGES[2]! };
    const customer = { name: 'Ada' };
    const refused = routeStage(call, {
      call: {
        customer,
        rule: { allowed: false, kind: 'skip', reason: 'do not contact' },
        assignee: null,
        context: null,
      },
    });
    assert.deepEqual(refused.route, { channel: 'internal', skip: 'do not contact' });
    const allowed = routeStage(call, {
      call: { customer, rule: { allowed: true }, assignee: 'bob', context: { stages: [] } },
    });
    assert.equal(allowed.route?.channel, 'call');
    assert.equal(allowed.route?.assignee, 'bob');
    assert.equal(allowed.route?.task?.title, 'Call Ada about INV-1: 12 days past due');
  });
});

// First: the server's modules load @hono/zod-openapi before any zod schema that a route extends.
import { startSimulationWorld, type SimulationWorld } from './world.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { addDays } from '../../domains/receivables/schedule/due-dates.js';
import { onPostgres, openTestDatabase } from '../test-database.js';
import { pickVariant } from '../../domains/collections/cases/open-case.js';
import { DEFAULT_COLLECTIONS_SETTINGS } from '../../domains/collections/collections-settings.js';
import { SIMULATION_COLLECTORS, simulatePortfolio, type SimulationResult } from './simulate.js';
import { strategyStages, type Stage } from '../../domains/collections/dunning/strategy-stages.js';

/**
 * The proof of collections at scale: a seeded portfolio of 10 000 accounts driven through 120 days
 * of fake time by the simulator (src/testing/collections-simulation), on the real server, workflow, policy
 * and channels, then checked over everything finflow stored:
 *
 * - every case ran its strategy's stages (at the version it pinned) in order, each once, 24 h apart,
 *   none after the case closed and none while a promise or a plan paused it;
 * - every account that is paid or current has its cases closed (paid/cured) and their workflows
 *   completed; nothing failed;
 * - every message sent was sent outside quiet hours in the customer's time zone, and no customer got
 *   more than the frequency caps allow in any rolling 7 days; each message stage sent exactly one
 *   message, which the SMTP server or the SMS provider received;
 * - promises and plans are what the collectors and customers did, resolved as the payments say;
 * - champion/challenger shares are within 3 standard errors of the configured 20 %;
 * - the KPI report's cure, promise-kept and recovery figures equal the same figures computed here
 *   from the raw engine events and the simulator's own record of payments.
 *
 * `npm test` runs it at 800 accounts, so the whole suite stays within its time budget on a 2-core
 * machine; `npm run test:simulation` runs the full proof at 10 000 accounts (about 6 minutes on
 * PostgreSQL and 10 on PGlite here; CI runs both; docs/collections-simulation.md).
 * FINFLOW_SIM_ACCOUNTS and FINFLOW_SIM_DAYS set the size.
 */

const ACCOUNTS = Number(process.env.FINFLOW_SIM_ACCOUNTS ?? 800);
const DAYS = Number(process.env.FINFLOW_SIM_DAYS ?? 120);
const SEED = 20_260_302;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The shipped contact rules (docs/channels.md): quiet 21:00-08:00 local, caps per rolling 7 days. */
const QUIET_START = 21 * 60;
const QUIET_END = 8 * 60;
const CAPS: Record<string, number> = { email: 7, sms: 3 };
const CAP_WINDOW = 7 * DAY;

type Row = Record<string, unknown>;

const ms = (value: unknown): number => (value instanceof Date ? value : new Date(String(value))).getTime();
const big = (value: unknown): bigint => BigInt(String(value));

/** numerator ÷ denominator to 4 places, half up, in integers (as a reader would by hand). */
function ratio4(numerator: bigint, denominator: bigint): string | null {
  if (denominator === 0n) return null;
  const scaled = (numerator * 100_000n) / denominator;
  const rounded = (scaled + 5n) / 10n;
  return `${rounded / 10_000n}.${(rounded % 10_000n).toString().padStart(4, '0')}`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
/** Minutes after local midnight in a time zone. */
function localMinutes(at: Date, timeZone: string): number {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, format);
  }
  const parts = format.formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return part('hour') * 60 + part('minute');
}

describe(`collections simulation: ${ACCOUNTS} accounts, ${DAYS} days (${onPostgres() ? 'PostgreSQL' : 'PGlite'})`, () => {
  let world: SimulationWorld;
  let sim: SimulationResult;
  let mine: Set<string>;
  const rows = async (query: ReturnType<typeof sql>) => (await query.execute(world.server.database.db)).rows as Row[];

  before(
    async () => {
      const database = await openTestDatabase();
      world = await startSimulationWorld(database);
      sim = await simulatePortfolio(
        { database, engine: world.server.engine, clock: world.clock },
        {
          seed: SEED,
          accounts: ACCOUNTS,
          days: DAYS,
          log: (line) => console.log(`# ${line}`),
          logEvery: 20,
        },
      );
      mine = new Set(sim.receivableIds);
    },
    { timeout: 3_600_000 },
  );
  after(() => world?.close());

  test('nothing failed: no failed instance or token, one open case per receivable at most', async () => {
    const failed = await rows(sql`SELECT id, workflow_key, error FROM wf_instances WHERE status = 'failed'`);
    assert.deepEqual(failed, [], 'failed instances');
    const tokens = await rows(sql`SELECT instance_id, step_id FROM wf_tokens WHERE status = 'failed'`);
    assert.deepEqual(tokens, [], 'failed tokens');
    const open = await rows(sql`SELECT receivable_id, count(*)::int AS n FROM collection_cases
      WHERE status = 'open' GROUP BY receivable_id HAVING count(*) > 1`);
    assert.deepEqual(open, []);
    assert.deepEqual(
      sim.plans.filter((p) => p.refused),
      [],
      'every payment plan a collector proposed was taken',
    );
  });

  test('stages: the pinned strategy in order, each once, a day apart, never after the close or during a pause', async () => {
    const cases =
      await rows(sql`SELECT id, receivable_id, segment, variant, strategy_version, status, opened_at, closed_at
      FROM collection_cases ORDER BY id`);
    const runs = await rows(sql`SELECT case_id, stage, kind, seq, ran_at, result FROM collection_stage_runs
      ORDER BY case_id, ran_at, seq`);
    const promises = await rows(sql`SELECT case_id, created_at, resolved_at FROM collection_promises`);
    const plans = await rows(sql`SELECT case_id, proposed_at, decided_at, resolved_at, status FROM collection_plans`);
    const runsOf = group(runs, 'case_id');
    const pauses = new Map<string, Array<{ from: number; to: number; what: string }>>();
    const pause = (caseId: string, from: number, to: number, what: string) => {
      const list = pauses.get(caseId) ?? [];
      list.push({ from, to, what });
      pauses.set(caseId, list);
    };
    for (const p of promises) {
      pause(String(p.case_id), ms(p.created_at), p.resolved_at ? ms(p.resolved_at) : Infinity, 'promise');
    }
    for (const p of plans) {
      const end = p.resolved_at ? ms(p.resolved_at) : p.status === 'rejected' ? ms(p.decided_at) : Infinity;
      pause(String(p.case_id), ms(p.proposed_at), end, 'plan');
    }

    const strategies = new Map<string, Stage[]>();
    const evaluator = world.server.engine.services.decisions;
    let stagesRun = 0;
    let skipped = 0;
    const resumed: Record<string, number> = { promise: 0, plan: 0 };
    for (const k of cases) {
      assert.ok(mine.has(String(k.receivable_id)), `case ${String(k.id)} is of a simulated account`);
      const key = `${String(k.segment)}|${String(k.variant)}|${String(k.strategy_version)}`;
      let stages = strategies.get(key);
      if (!stages) {
        stages = (
          await strategyStages(
            world.server.database.db,
            evaluator,
            { segment: String(k.segment), variant: String(k.variant) },
            Number(k.strategy_version),
          )
        ).stages;
        strategies.set(key, stages);
      }
      const ran = runsOf.get(String(k.id)) ?? [];
      const where = `case ${String(k.id)} (${key})`;
      ran.forEach((run, i) => {
        const at = ms(run.ran_at);
        assert.equal(run.seq, i, `${where}: stage #${i} has seq ${String(run.seq)} (in order, none skipped)`);
        assert.equal(run.stage, stages[i]!.stage, `${where}: stage #${i} is the strategy's`);
        assert.equal(run.kind, stages[i]!.kind, `${where}: stage #${i} kind`);
        assert.ok(at >= ms(k.opened_at), `${where}: ${String(run.stage)} before the case opened`);
        if (k.closed_at) assert.ok(at <= ms(k.closed_at), `${where}: ${String(run.stage)} ran after the case closed`);
        if (i > 0) {
          const gap = at - ms(ran[i - 1]!.ran_at);
          assert.ok(
            gap >= DEFAULT_COLLECTIONS_SETTINGS.stageGapHours * HOUR,
            `${where}: ${String(run.stage)} ${gap} ms after the one before`,
          );
        }
        for (const p of pauses.get(String(k.id)) ?? []) {
          assert.ok(!(at > p.from && at < p.to), `${where}: ${String(run.stage)} ran during a ${p.what}`);
          if (at >= p.to) resumed[p.what]! += 1;
        }
        const result = (run.result ?? {}) as Row;
        if (typeof result.skipped === 'string') {
          skipped += 1;
          // Every customer has an email address and a phone; only letters (no postal address) and
          // placements (no agency configured) can be skipped.
          assert.ok(
            ['letter', 'placement'].includes(String(run.kind)),
            `${where}: ${String(run.stage)} skipped: ${result.skipped}`,
          );
        } else if (['email', 'sms', 'final_notice'].includes(String(run.kind))) {
          assert.equal(result.status, 'sent', `${where}: ${String(run.stage)} result ${JSON.stringify(result)}`);
        }
      });
      stagesRun += ran.length;
    }
    const ranEvents = await rows(sql`SELECT count(*)::int AS n FROM wf_events WHERE type = 'collections.stage.ran'`);
    assert.equal(ranEvents[0]!.n, stagesRun, 'one collections.stage.ran event per stage run');
    assert.ok(resumed.promise! > 0, 'some strategy resumed after a promise was resolved');
    assert.ok(resumed.plan! > 0, 'some strategy resumed after a plan was broken');
    console.log(
      `# stages: ${stagesRun} run over ${cases.length} cases (${skipped} recorded as skipped; ${resumed.promise} after a promise, ${resumed.plan} after a plan)`,
    );
  });

  test('paid or current accounts have every case closed as paid or cured, with its workflow completed', async () => {
    const cases = await rows(sql`SELECT k.id, k.status, k.outcome, k.state, i.status AS instance_status,
        r.status AS receivable_status, r.dpd,
        EXISTS (SELECT 1 FROM collection_promises p WHERE p.case_id = k.id AND p.status = 'open') AS promised,
        EXISTS (SELECT 1 FROM collection_plans p WHERE p.case_id = k.id AND p.status = 'active') AS planned
      FROM collection_cases k
      JOIN wf_instances i ON i.id = k.instance_id
      JOIN receivables r ON r.id = k.receivable_id`);
    const settled = (k: Row) => k.receivable_status === 'paid' || Number(k.dpd) === 0;
    let closed = 0;
    for (const k of cases) {
      const where = `case ${String(k.id)}`;
      if (k.status === 'closed') {
        closed += 1;
        assert.ok(
          ['paid', 'cured', 'written_off'].includes(String(k.outcome)),
          `${where}: outcome ${String(k.outcome)}`,
        );
        assert.equal(k.instance_status, 'completed', `${where}: its workflow`);
        continue;
      }
      assert.ok(
        !settled(k),
        `${where} is open on a receivable ${String(k.receivable_status)} at ${String(k.dpd)} days`,
      );
      assert.equal(k.instance_status, 'running', `${where}: its workflow`);
      assert.equal(
        k.state === 'promised',
        Boolean(k.promised),
        `${where}: state ${String(k.state)} and an open promise`,
      );
      assert.equal(k.state === 'plan', Boolean(k.planned), `${where}: state ${String(k.state)} and an active plan`);
    }
    // Accounts the simulator paid in full (every invoice paid, every late installment in) end paid or current.
    const paidInvoices = await rows(
      sql`SELECT count(*)::int AS n FROM receivables WHERE kind = 'invoice' AND status = 'paid'`,
    );
    const invoiceCases =
      await rows(sql`SELECT count(*)::int AS n FROM collection_cases k JOIN receivables r ON r.id = k.receivable_id
      WHERE r.kind = 'invoice' AND k.outcome = 'paid'`);
    console.log(
      `# cases: ${cases.length}, closed ${closed}; invoices paid ${String(paidInvoices[0]!.n)}, invoice cases closed paid ${String(invoiceCases[0]!.n)}`,
    );
    assert.ok(closed > 0);
  });

  test('messages: never in quiet hours, never over the frequency caps, each stage sent once and received', async () => {
    const messages = await rows(sql`SELECT m.customer_id, m.channel, m.created_at, c.time_zone
      FROM channel_messages m JOIN customers c ON c.id = m.customer_id
      WHERE m.status IN ('sent', 'delivered') AND m.channel IN ('email', 'sms', 'letter')
      ORDER BY m.customer_id, m.channel, m.created_at`);
    const counts: Record<string, number> = {};
    for (const m of messages) {
      const at = new Date(ms(m.created_at));
      const local = localMinutes(at, String(m.time_zone));
      assert.ok(
        local >= QUIET_END && local < QUIET_START,
        `${String(m.channel)} to ${String(m.customer_id)} at ${at.toISOString()}: ${Math.floor(local / 60)}:${local % 60} in ${String(m.time_zone)}`,
      );
      counts[String(m.channel)] = (counts[String(m.channel)] ?? 0) + 1;
    }
    for (const [key, list] of group(messages, 'customer_id')) {
      for (const [channel, sends] of group(list, 'channel')) {
        const cap = CAPS[channel];
        if (cap === undefined) continue;
        const times = sends.map((s) => ms(s.created_at));
        let from = 0;
        for (let i = 0; i < times.length; i++) {
          while (times[from]! <= times[i]! - CAP_WINDOW) from += 1;
          assert.ok(
            i - from + 1 <= cap,
            `${channel} to ${key}: ${i - from + 1} in the 7 days up to ${new Date(times[i]!).toISOString()}`,
          );
        }
      }
    }
    const stageSends = await rows(sql`SELECT s.kind, count(*)::int AS n FROM collection_stage_runs s
      WHERE s.result->>'status' = 'sent' GROUP BY s.kind`);
    const byKind = Object.fromEntries(stageSends.map((r) => [String(r.kind), Number(r.n)]));
    const byWorkflow = await rows(sql`SELECT i.workflow_key, m.channel, count(*)::int AS n,
        count(DISTINCT i.id)::int AS instances
      FROM channel_messages m JOIN wf_instances i ON i.id = m.instance_id
      WHERE m.status IN ('sent', 'delivered') GROUP BY 1, 2`);
    const sent = (workflow: string, channel: string) =>
      byWorkflow.find((r) => r.workflow_key === workflow && r.channel === channel) ?? { n: 0, instances: 0 };
    assert.equal(
      sent('collections-case', 'email').n,
      (byKind.email ?? 0) + (byKind.final_notice ?? 0),
      'one email per email stage',
    );
    assert.equal(sent('collections-case', 'sms').n, byKind.sms ?? 0, 'one SMS per SMS stage');
    for (const r of byWorkflow.filter((w) => w.workflow_key !== 'collections-case')) {
      assert.equal(r.n, r.instances, `${String(r.workflow_key)}: one ${String(r.channel)} per instance`);
    }
    const reminders = await rows(sql`SELECT correlation_key, count(*)::int AS n FROM wf_instances
      WHERE workflow_key = 'collections-pre-due-reminder' GROUP BY 1 HAVING count(*) > 1`);
    assert.deepEqual(reminders, [], 'one pre-due reminder per receivable and due date');
    assert.equal(world.smtp.recipients.length, counts.email ?? 0, 'the SMTP server received every email once');
    assert.equal(world.twilio.messages.size, counts.sms ?? 0, 'the SMS provider took every SMS once');
    const deferred =
      await rows(sql`SELECT CASE WHEN data->>'reason' LIKE 'frequency cap%' THEN 'cap' ELSE 'quiet' END AS why,
        count(*)::int AS n
      FROM wf_history WHERE event = 'deferred' GROUP BY 1`);
    const why = Object.fromEntries(deferred.map((r) => [String(r.why), Number(r.n)]));
    assert.ok((why.quiet ?? 0) > 0, 'quiet hours deferred some messages');
    console.log(
      `# messages: ${counts.email ?? 0} emails, ${counts.sms ?? 0} SMS (${byWorkflow.map((r) => `${String(r.workflow_key)} ${String(r.channel)} ${String(r.n)}`).join(', ')}); deferred ${why.quiet ?? 0} times by quiet hours, ${why.cap ?? 0} by a cap`,
    );
  });

  test('promises and plans: what the collectors agreed, resolved by the payments', async () => {
    const stored = await rows(
      sql`SELECT id, case_id, amount, promised_date, status, collector FROM collection_promises`,
    );
    assert.equal(stored.length, sim.promises.length, 'one promise per promise made on a call');
    const byCase = group(stored, 'case_id');
    const grace = DEFAULT_COLLECTIONS_SETTINGS.promiseGraceDays;
    const tally: Record<string, number> = {};
    for (const made of sim.promises) {
      const match = (byCase.get(made.caseId) ?? []).find(
        (p) => big(p.amount) === made.amount && p.promised_date === made.date,
      );
      assert.ok(match, `promise of ${made.amount} by ${made.date} on case ${made.caseId}`);
      assert.equal(match.collector, made.collector);
      const decided = addDays(made.date, grace + 1) <= sim.end;
      const expected = made.keep ? (made.date <= sim.end ? 'kept' : 'open') : decided ? 'broken' : 'open';
      assert.equal(match.status, expected, `promise ${String(match.id)} (kept by the customer: ${made.keep})`);
      tally[expected] = (tally[expected] ?? 0) + 1;
    }
    const plans = await rows(
      sql`SELECT case_id, schedule, status, proposed_by, decided_by, approval_queue FROM collection_plans`,
    );
    assert.equal(plans.length, sim.plans.length, 'one plan per plan proposed');
    const planned = new Map(plans.map((p) => [String(p.case_id), p]));
    const approvals = sim.tasks.filter((t) => t.step === 'approve');
    const planTally: Record<string, number> = {};
    for (const proposal of sim.plans) {
      const plan = planned.get(proposal.caseId);
      assert.ok(plan, `plan on case ${proposal.caseId}`);
      assert.deepEqual(
        plan.schedule,
        proposal.installments.map((line) => ({ date: line.date, amount: line.amount.toString() })),
      );
      const last = proposal.installments.at(-1)!.date;
      const checked = addDays(last, DEFAULT_COLLECTIONS_SETTINGS.planGraceDays + 1) <= sim.end;
      const expected = proposal.keep
        ? last <= sim.end
          ? ['kept']
          : ['active', 'kept']
        : checked
          ? ['broken']
          : ['active'];
      assert.ok(
        expected.includes(String(plan.status)),
        `plan on case ${proposal.caseId} (kept by the customer: ${proposal.keep}): ${String(plan.status)}`,
      );
      planTally[String(plan.status)] = (planTally[String(plan.status)] ?? 0) + 1;
      if (plan.approval_queue !== null) {
        assert.ok(
          approvals.some((t) => t.caseId === proposal.caseId),
          `an approval task for ${proposal.caseId}`,
        );
        assert.notEqual(plan.decided_by, plan.proposed_by, 'four eyes');
      }
    }
    // Calls go to the collector who speaks the customer's language (b2b to its collector).
    const calls = await rows(sql`SELECT t.completed_by, c.language, k.segment FROM wf_tasks t
      JOIN collection_cases k ON k.instance_id = t.instance_id JOIN customers c ON c.id = k.customer_id
      WHERE t.step_id = 'call' AND t.status = 'completed' AND t.escalated_at IS NULL`);
    for (const c of calls) {
      const collector = SIMULATION_COLLECTORS.find((x) => x.user === c.completed_by);
      assert.ok(collector, `call completed by ${String(c.completed_by)}`);
      assert.ok(collector.segments.includes(String(c.segment)), `${collector.user} works ${String(c.segment)}`);
      if (c.segment !== 'b2b') assert.ok(collector.languages.includes(String(c.language).split('-')[0]!));
    }
    console.log(
      `# promises: ${sim.promises.length} (${JSON.stringify(tally)}); plans: ${sim.plans.length} (${JSON.stringify(planTally)}), ${approvals.length} approved by a supervisor; calls: ${calls.length}`,
    );
  });

  test('champion/challenger: consumer-low accounts split 80/20 within 3 standard errors, by the hash', async () => {
    const cases = await rows(
      sql`SELECT receivable_id, variant, segment FROM collection_cases WHERE segment = 'consumer-low'`,
    );
    const variants = DEFAULT_COLLECTIONS_SETTINGS.variants['consumer-low']!;
    const byAccount = new Map<string, string>();
    for (const k of cases) {
      assert.equal(k.variant, pickVariant(String(k.receivable_id), 'consumer-low', variants));
      byAccount.set(String(k.receivable_id), String(k.variant));
    }
    const n = byAccount.size;
    const challengers = [...byAccount.values()].filter((v) => v === 'challenger').length;
    const share = challengers / n;
    const se = Math.sqrt((0.2 * 0.8) / n);
    console.log(
      `# champion/challenger: ${challengers} of ${n} consumer-low accounts = ${(share * 100).toFixed(1)} % (±${(3 * se * 100).toFixed(1)})`,
    );
    // At the suite's 800 accounts about 15 consumer-low accounts fall overdue (3 SE ≈ 30 points); the
    // 10 000-account run (npm run test:simulation) tightens the same bound to about 9 points.
    assert.ok(n >= 10, `enough consumer-low accounts (${n})`);
    assert.ok(Math.abs(share - 0.2) <= 3 * se, `challenger share ${share} vs 0.2 ± ${3 * se}`);
  });

  test('KPIs: cure, promise-kept and recovery rates equal an independent count from events and payments', async () => {
    const events = await rows(sql`SELECT type, key, data, published_at FROM wf_events
      WHERE type IN ('collections.case.opened', 'collections.case.closed', 'collections.promise.kept', 'collections.promise.broken')
      ORDER BY published_at, id`);
    const opened = new Map<string, { receivableId: string; at: number; overdue: bigint }>();
    const closed = new Map<string, { outcome: string; recovered: bigint; at: number }>();
    let kept = 0;
    let broken = 0;
    for (const e of events) {
      const data = e.data as Row;
      if (e.type === 'collections.case.opened') {
        opened.set(String(data.caseId), {
          receivableId: String(data.receivableId),
          at: ms(e.published_at),
          overdue: big(data.overdueAmount),
        });
      } else if (e.type === 'collections.case.closed') {
        closed.set(String(data.caseId), {
          outcome: String(data.outcome),
          recovered: big(data.recovered),
          at: ms(e.published_at),
        });
      } else if (e.type === 'collections.promise.kept') kept += 1;
      else broken += 1;
    }
    const accountOf = new Map(sim.receivableIds.map((id, index) => [id, sim.accounts[index]!]));
    const paymentsOf = group(sim.payments, 'receivableId');
    const perCurrency = new Map<string, { cases: number; recovered: bigint; overdue: bigint }>();
    let cured = 0;
    for (const [caseId, open] of opened) {
      const close = closed.get(caseId);
      if (close && (close.outcome === 'cured' || close.outcome === 'paid')) cured += 1;
      // Recovered: what the simulated customer paid on the receivable after the case opened (until it closed).
      const recovered = (paymentsOf.get(open.receivableId) ?? [])
        .filter((p) => p.postedAt.getTime() > open.at && (!close || p.postedAt.getTime() <= close.at))
        .reduce((sum, p) => sum + p.amount, 0n);
      if (close) assert.equal(close.recovered, recovered, `case ${caseId}: recovered`);
      const currency = accountOf.get(open.receivableId)!.currency;
      const c = perCurrency.get(currency) ?? { cases: 0, recovered: 0n, overdue: 0n };
      c.cases += 1;
      c.recovered += recovered;
      c.overdue += open.overdue;
      perCurrency.set(currency, c);
    }

    const report = (await world.get(`/collections/reports/kpis?from=${sim.start}&to=${sim.end}`)) as {
      cureRate: { cured: number; opened: number; rate: number | null };
      promiseKeptRate: { overall: { kept: number; broken: number; rate: number | null } };
      recoveryRate: Array<{
        currency: string;
        cases: number;
        recovered: string;
        openedOverdue: string;
        rate: string | null;
      }>;
    };
    assert.deepEqual(
      { opened: report.cureRate.opened, cured: report.cureRate.cured },
      { opened: opened.size, cured },
      'cure rate counts',
    );
    assert.equal(report.cureRate.rate, Math.round((cured / opened.size) * 10_000) / 10_000);
    assert.deepEqual(
      { kept: report.promiseKeptRate.overall.kept, broken: report.promiseKeptRate.overall.broken },
      { kept, broken },
      'promise-kept counts',
    );
    const expected = [...perCurrency.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, c]) => ({
        currency,
        cases: c.cases,
        recovered: c.recovered.toString(),
        openedOverdue: c.overdue.toString(),
        rate: ratio4(c.recovered, c.overdue),
      }));
    assert.deepEqual(report.recoveryRate, expected, 'recovery rate per currency');
    console.log(
      `# KPIs: cure ${cured}/${opened.size} = ${String(report.cureRate.rate)}; promises kept ${kept}, broken ${broken} = ${String(report.promiseKeptRate.overall.rate)}; recovery ${expected.map((e) => `${e.currency} ${e.rate}`).join(', ')}`,
    );
  });

  test('report: timings and counts', async () => {
    const [counts] = await rows(sql`SELECT
        (SELECT count(*)::int FROM collection_cases) AS cases,
        (SELECT count(*)::int FROM channel_messages WHERE status IN ('sent', 'delivered')) AS messages,
        (SELECT count(*)::int FROM wf_tasks) AS tasks,
        (SELECT count(*)::int FROM wf_history WHERE event = 'completed') AS transitions`);
    const t = sim.timings;
    const s = (x: number) => (x / 1000).toFixed(1);
    console.log(
      `# ${sim.accounts.length} accounts, ${sim.days.length} days on ${onPostgres() ? 'PostgreSQL' : 'PGlite'}: ${String(counts!.cases)} cases, ${String(counts!.messages)} messages, ${String(counts!.tasks)} tasks, ${String(counts!.transitions)} step transitions, ${sim.payments.length} payments`,
    );
    console.log(
      `# ${s(t.totalMs)} s: load ${s(t.loadMs)} s (payments ahead ${s(t.aheadMs)} s), days ${s(t.daysMs)} s (payments ${s(t.paymentsMs)}, worker ${s(t.workerMs)}, tasks ${s(t.tasksMs)}, close of business ${s(t.cobMs)})`,
    );
    assert.equal(sim.days.length, DAYS);
  });
});

function group<T>(list: T[], key: keyof T): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of list) {
    const k = String(item[key]);
    const bucket = map.get(k);
    if (bucket) bucket.push(item);
    else map.set(k, [item]);
  }
  return map;
}

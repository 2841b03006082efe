import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { AppError, type FieldIssue } from '../../core/errors.js';
import { ActionRegistry } from '../actions.js';
import { compileDefinition, indexSteps } from './compile.js';
import { validateInput } from './input-schema.js';
import type { TaskStep, WorkflowDefinition } from './types.js';

const actions = new ActionRegistry()
  .register({ name: 'context.set', input: z.unknown(), run: () => Promise.resolve({}) })
  .register({ name: 'email.send', input: z.unknown(), run: () => Promise.resolve({}) });

const compile = (source: string, format?: 'yaml' | 'json') => compileDefinition(source, { actions, format });

function issuesOf(source: string): FieldIssue[] {
  try {
    compile(source);
  } catch (error) {
    assert.ok(error instanceof AppError, String(error));
    assert.equal(error.code, 'validation_failed');
    return error.issues;
  }
  return assert.fail('expected the definition to be rejected');
}

/** The issue for `field`; with `line`, also checks where it points. */
function issueAt(issues: FieldIssue[], field: string, line?: number): FieldIssue {
  const found = issues.find((issue) => issue.field === field);
  assert.ok(found, `no issue for ${field} in ${JSON.stringify(issues, null, 1)}`);
  if (line !== undefined) assert.equal(found.line, line, `line of ${field}`);
  return found;
}

/** A document whose steps start on line 4. */
const withSteps = (...lines: string[]): string => ['key: t', 'name: T', 'steps:', ...lines].join('\n');

const EXAMPLE = `key: invoice-dunning
name: Invoice dunning
version: 7
triggers:
  - event: invoice.overdue
    filter: "data.amount > 0"
    correlationKey: "data.invoiceId"
  - schedule: "0 9 * * 1-5"
    timezone: Europe/Madrid
input:
  type: object
  required: [invoiceId]
  properties: { invoiceId: { type: string }, amount: { type: integer } }
steps:
  - id: segment
    type: decide
    decision: dunning-segment
    input: { amount: "{{ input.amount }}" }
  - id: route
    type: switch
    cases:
      - when: "steps.segment.risk == 'high'"
        next: call_collector
    default: remind
  - id: remind
    type: action
    action: context.set
    with: { note: "Reminder for {{ input.invoiceId }}" }
    retry: { maxAttempts: 5, initialInterval: PT1S }
  - id: pause
    type: wait
    duration: P7D
  - id: paid
    type: waitFor
    event: payment.received
    correlation: input.invoiceId
    timeout: P3D
    onTimeout: call_collector
    next: done
  - id: call_collector
    type: task
    queue: collectors
    title: "Call about {{ input.invoiceId }}"
    outcomes: [promised, unreachable]
    routes: { promised: done }
    assign: { strategy: round-robin }
    due: P1D
    escalate: { queue: supervisors }
  - id: checks
    type: parallel
    branches:
      - id: a
        steps:
          - { id: a1, type: wait, businessDays: 2, calendar: ES }
      - id: b
        steps:
          - { id: b1, type: call, workflow: other-flow, input: { x: 1 } }
          - { id: b2, type: action, action: email.send }
  - id: review
    type: task
    queue: ops
    title: Review
  - id: done
    type: end
    outcome: paid
    output: { invoice: "{{ input.invoiceId }}" }
`;

describe('compileDefinition: valid documents', () => {
  test('a YAML document with every step kind compiles, with defaults applied', () => {
    const { definition, format } = compile(EXAMPLE);
    assert.equal(format, 'yaml');
    assert.equal(definition.key, 'invoice-dunning');
    assert.equal(definition.version, undefined, 'the version is assigned on deploy');
    assert.deepEqual(definition.triggers, [
      { event: 'invoice.overdue', filter: 'data.amount > 0', correlationKey: 'data.invoiceId' },
      { schedule: '0 9 * * 1-5', timezone: 'Europe/Madrid' },
    ]);
    assert.deepEqual(
      definition.steps.map((s) => s.type),
      ['decide', 'switch', 'action', 'wait', 'waitFor', 'task', 'parallel', 'task', 'end'],
    );
    const checks = definition.steps[6];
    assert.equal(checks?.type === 'parallel' && checks.join, 'all');
    const review = definition.steps[7] as TaskStep;
    assert.deepEqual(review.outcomes, ['done']);
    assert.deepEqual(review.assign, { strategy: 'unassigned' });
    assert.deepEqual((definition.steps[5] as TaskStep).assign, { strategy: 'round-robin' });
  });

  test('the step index gives the following step and the branch of nested steps', () => {
    const { steps } = compile(EXAMPLE);
    assert.equal(steps.size, 12);
    assert.equal(steps.get('segment')?.following, 'route');
    assert.equal(steps.get('checks')?.following, 'review');
    assert.equal(steps.get('done')?.following, undefined);
    assert.equal(steps.get('done')?.branch, undefined);
    assert.deepEqual(steps.get('a1'), {
      step: { id: 'a1', type: 'wait', businessDays: 2, calendar: 'ES' },
      following: undefined,
      branch: { parallelStepId: 'checks', branchId: 'a' },
    });
    assert.equal(steps.get('b1')?.following, 'b2');
    assert.deepEqual(steps.get('b2')?.branch, { parallelStepId: 'checks', branchId: 'b' });
  });

  test('indexSteps works on a definition loaded as plain data', () => {
    const definition = JSON.parse(JSON.stringify(compile(EXAMPLE).definition)) as WorkflowDefinition;
    const index = indexSteps(definition);
    assert.deepEqual([...index.keys()], [...compile(EXAMPLE).steps.keys()]);
    assert.equal(index.get('pause')?.following, 'paid');
  });

  test('triggers default to a manual start', () => {
    const { definition } = compile(withSteps('  - { id: done, type: end, outcome: ok }'));
    assert.deepEqual(definition.triggers, [{ manual: true }]);
  });

  test('JSON source works, detected by its opening brace', () => {
    const source = JSON.stringify(
      {
        key: 'json-flow',
        name: 'JSON flow',
        steps: [
          { id: 'set', type: 'action', action: 'context.set', with: { a: '{{ input.a }}' } },
          { id: 'done', type: 'end', outcome: 'ok' },
        ],
      },
      null,
      2,
    );
    const { definition, format, steps } = compile(`\n  ${source}`);
    assert.equal(format, 'json');
    assert.equal(definition.steps.length, 2);
    assert.equal(steps.get('set')?.following, 'done');
  });

  test('loops that pass through a waiting step are allowed', () => {
    compile(
      withSteps(
        '  - { id: check, type: action, action: context.set }',
        '  - { id: pause, type: wait, duration: PT1H }',
        '  - { id: again, type: switch, cases: [{ when: "true", next: check }], default: done }',
        '  - { id: done, type: end, outcome: ok }',
      ),
    );
  });
});

describe('compileDefinition: issues', () => {
  test('syntax errors carry their line', () => {
    const issues = issuesOf('key: t\nname: T\nsteps:\n  - id: [a\n  - b\n');
    assert.equal(issues[0]?.field, 'source');
    assert.ok(typeof issues[0]?.line === 'number' && issues[0].line >= 4);
    issueAt(issuesOf('{\n  "key": "t",\n  "key": "u"\n}'), 'source', 3);
  });

  test('shape errors name the step by id and point at the line', () => {
    const issues = issuesOf(
      withSteps(
        '  - id: review', // 4
        '    type: task',
        '    titel: Review', // 6: a typo
        '  - id: b',
        '    type: teleport', // 8
        '  - id: 9lives', // 9
        '    type: end',
        '    outcome: ok',
      ),
    );
    assert.equal(issueAt(issues, 'steps.review.titel', 6).message, 'is not a known field');
    assert.equal(issueAt(issues, 'steps.review.queue', 4).message, 'is required');
    assert.match(issueAt(issues, 'steps.b.type', 8).message, /must be one of: action, decide/);
    assert.match(issueAt(issues, 'steps[2].id', 9).message, /identifier/);
  });

  test('top-level fields are checked', () => {
    const issues = issuesOf('key: Bad Key\nsteps: []\ncolour: blue\n');
    issueAt(issues, 'key', 1);
    issueAt(issues, 'name', 1);
    issueAt(issues, 'steps', 2);
    issueAt(issues, 'colour', 3);
  });

  test('duplicate step ids are found across branches; branch ids within a parallel step', () => {
    const issues = issuesOf(
      withSteps(
        '  - id: x', // 4
        '    type: parallel',
        '    branches:',
        '      - id: a',
        '        steps: [{ id: y, type: wait, duration: PT1M }]',
        '      - id: a', // 9
        '        steps:',
        '          - { id: x, type: wait, duration: PT1M }', // 11
      ),
    );
    assert.match(issueAt(issues, 'steps.x.id', 11).message, /"x" is used twice/);
    assert.match(issueAt(issues, 'steps.x.branches[1].id', 9).message, /"a" is used twice/);
  });

  test('references must name a step of the same list', () => {
    const issues = issuesOf(
      withSteps(
        '  - { id: start, type: action, action: context.set, next: a1 }', // 4
        '  - id: fork', // 5
        '    type: parallel',
        '    branches:',
        '      - id: a',
        '        steps:',
        '          - { id: a1, type: action, action: context.set, next: done }', // 10
        '          - { id: a2, type: action, action: context.set, next: b1 }', // 11
        '      - id: b',
        '        steps:',
        '          - { id: b1, type: wait, duration: PT1M, next: ghost }', // 14
        '  - id: route', // 15
        '    type: switch',
        '    cases:',
        '      - { when: "true", next: done }',
        '      - { when: "false", next: nowhere }', // 19
        '    default: nothing', // 20
        '  - id: ask', // 21
        '    type: task',
        '    queue: q',
        '    title: t',
        '    outcomes: [yes, no]',
        '    routes: { yes: done, no: missing }', // 26
        '    due: P1D',
        '    escalate: { next: lost }', // 28
        '  - { id: hear, type: waitFor, event: e, timeout: P1D, onTimeout: gone }', // 29
        '  - { id: done, type: end, outcome: ok }',
      ),
    );
    assert.match(issueAt(issues, 'steps.start.next', 4).message, /"a1" is in branch a of parallel step fork/);
    assert.match(issueAt(issues, 'steps.a1.next', 10).message, /"done" is in the top-level steps/);
    assert.match(issueAt(issues, 'steps.a2.next', 11).message, /"b1" is in branch b of parallel step fork/);
    assert.equal(issueAt(issues, 'steps.b1.next', 14).message, 'no step "ghost" exists');
    issueAt(issues, 'steps.route.cases[1].next', 19);
    issueAt(issues, 'steps.route.default', 20);
    issueAt(issues, 'steps.ask.routes.no', 26);
    issueAt(issues, 'steps.ask.escalate.next', 28);
    issueAt(issues, 'steps.hear.onTimeout', 29);
    assert.equal(issues.length, 9, JSON.stringify(issues, null, 1));
  });

  test('task routes must be outcomes; an escalation queue must not be empty', () => {
    const issues = issuesOf(
      withSteps(
        '  - id: ask',
        '    type: task',
        '    queue: q',
        '    title: t',
        '    routes: { approved: done }', // 8: outcomes default to [done]
        '    due: P1D',
        '    escalate: { queue: "" }', // 10
        '  - { id: done, type: end, outcome: ok }',
      ),
    );
    assert.match(issueAt(issues, 'steps.ask.routes.approved', 8).message, /not an outcome.*done/);
    assert.equal(issueAt(issues, 'steps.ask.escalate.queue', 10).message, 'must not be empty');
  });

  test('actions must be registered; the message lists the known ones', () => {
    const issues = issuesOf(withSteps('  - { id: pay, type: action, action: ledger.post }'));
    assert.equal(
      issueAt(issues, 'steps.pay.action', 4).message,
      'unknown action "ledger.post"; known actions: context.set, email.send',
    );
  });

  test('expressions and template placeholders must parse', () => {
    const issues = issuesOf(
      [
        'key: t',
        'name: T',
        'triggers:',
        '  - event: e',
        '    filter: "data.amount >"', // 5
        '    correlationKey: "(("', // 6
        '    input: { a: "{{ event. }}" }', // 7
        'steps:',
        '  - { id: s, type: switch, cases: [{ when: "a ==", next: e }], default: e }', // 9
        '  - { id: w, type: wait, until: "d(" }', // 10
        '  - { id: f, type: waitFor, event: x, correlation: "1 +", filter: "and" }', // 11
        '  - { id: d, type: decide, decision: x, input: { v: "{{ 1 + }}" } }', // 12
        '  - id: notify', // 13
        '    type: action',
        '    action: email.send',
        '    with:',
        '      to: "{{ input.email }}"',
        '      subject: "Invoice {{ input.id + }} is due"', // 18
        '      lines: ["ok", "{{ }}"]', // 19
        '  - { id: t, type: task, queue: q, title: "{{ ( }}", data: { x: "{{ ] }}" } }', // 20
        '  - { id: c, type: call, workflow: w, input: { y: "{{ , }}" } }', // 21
        '  - { id: e, type: end, outcome: ok, output: { z: "{{ - }}" } }', // 22
      ].join('\n'),
    );
    issueAt(issues, 'triggers[0].filter', 5);
    issueAt(issues, 'triggers[0].correlationKey', 6);
    issueAt(issues, 'triggers[0].input.a', 7);
    assert.match(issueAt(issues, 'steps.s.cases[0].when', 9).message, /^invalid expression: /);
    issueAt(issues, 'steps.w.until', 10);
    issueAt(issues, 'steps.f.correlation', 11);
    issueAt(issues, 'steps.f.filter', 11);
    issueAt(issues, 'steps.d.input.v', 12);
    assert.match(
      issueAt(issues, 'steps.notify.with.subject', 18).message,
      /^invalid expression \{\{ input\.id \+ \}\}/,
    );
    assert.match(issueAt(issues, 'steps.notify.with.lines[1]', 19).message, /expression is empty/);
    issueAt(issues, 'steps.t.title', 20);
    issueAt(issues, 'steps.t.data.x', 20);
    issueAt(issues, 'steps.c.input.y', 21);
    issueAt(issues, 'steps.e.output.z', 22);
    assert.equal(issues.length, 14, JSON.stringify(issues, null, 1));
  });

  test('durations, retry policy and wait forms are checked', () => {
    const issues = issuesOf(
      withSteps(
        '  - { id: w1, type: wait, duration: 7 days }', // 4
        '  - { id: w2, type: wait }', // 5
        '  - { id: w3, type: wait, duration: P1D, businessDays: 2 }', // 6
        '  - { id: w4, type: wait, businessDays: 366 }', // 7
        '  - { id: f, type: waitFor, event: x, timeout: PT0S }', // 8
        '  - { id: t, type: task, queue: q, title: t, due: P-1D }', // 9
        '  - id: a', // 10
        '    type: action',
        '    action: context.set',
        '    retry:',
        '      maxAttempts: 101', // 14
        '      initialInterval: soon', // 15
        '      maxInterval: PT0S', // 16
        '  - { id: b, type: action, action: context.set, retry: { maxAttempts: 1.5 } }', // 17
      ),
    );
    assert.match(issueAt(issues, 'steps.w1.duration', 4).message, /ISO 8601 duration/);
    assert.match(issueAt(issues, 'steps.w2', 5).message, /needs one of duration, until or businessDays/);
    assert.match(issueAt(issues, 'steps.w3', 6).message, /exactly one.*not duration and businessDays/);
    issueAt(issues, 'steps.w4.businessDays', 7);
    assert.equal(issueAt(issues, 'steps.f.timeout', 8).message, 'must be longer than zero');
    issueAt(issues, 'steps.t.due', 9);
    assert.equal(issueAt(issues, 'steps.a.retry.maxAttempts', 14).message, 'must be 1 to 100');
    issueAt(issues, 'steps.a.retry.initialInterval', 15);
    issueAt(issues, 'steps.a.retry.maxInterval', 16);
    assert.equal(issueAt(issues, 'steps.b.retry.maxAttempts', 17).message, 'must be an integer');
  });

  test('schedule and event triggers are checked', () => {
    const issues = issuesOf(
      [
        'key: t',
        'name: T',
        'triggers:',
        '  - schedule: "61 * * * *"', // 4
        '    timezone: Mars/Olympus', // 5
        '  - event: ""', // 6
        '  - { schedule: "0 9 * * *", event: x }', // 7
        'steps:',
        '  - { id: done, type: end, outcome: ok }',
      ].join('\n'),
    );
    assert.match(issueAt(issues, 'triggers[0].schedule', 4).message, /cron.*minute/);
    assert.match(issueAt(issues, 'triggers[0].timezone', 5).message, /IANA time zone/);
    assert.equal(issueAt(issues, 'triggers[1].event', 6).message, 'must not be empty');
    assert.match(issueAt(issues, 'triggers[2]', 7).message, /both event and schedule/);
  });

  test('the input JSON Schema must compile', () => {
    const issues = issuesOf(
      ['key: t', 'name: T', 'input:', '  type: objekt', 'steps:', '  - { id: done, type: end, outcome: ok }'].join(
        '\n',
      ),
    );
    assert.match(issueAt(issues, 'input', 3).message, /^is not a valid JSON Schema/);
  });

  test('each loop without a waiting step is reported once, at its first step', () => {
    const issues = issuesOf(
      withSteps(
        '  - { id: a, type: action, action: context.set }', // 4
        '  - { id: b, type: switch, cases: [{ when: "true", next: a }], default: c }', // 5
        '  - { id: c, type: decide, decision: d, next: c }', // 6
        '  - { id: d, type: action, action: context.set }',
      ),
    );
    const loops = issues.filter((issue) => issue.message.startsWith('loops without waiting'));
    assert.equal(loops.length, 2, JSON.stringify(issues, null, 1));
    assert.match(issueAt(issues, 'steps.a', 4).message, /^loops without waiting: a → b → a;/);
    assert.match(issueAt(issues, 'steps.c', 6).message, /^loops without waiting: c → c;/);
  });

  test('a parallel step reaches its branches, and a branch end goes nowhere', () => {
    const issues = issuesOf(
      withSteps(
        '  - id: p', // 4
        '    type: parallel',
        '    branches:',
        '      - id: a',
        '        steps:',
        '          - { id: a1, type: action, action: context.set }',
        '          - { id: a2, type: switch, cases: [{ when: "true", next: a1 }], default: a3 }',
        '          - { id: a3, type: end, outcome: ok }',
        '  - { id: back, type: action, action: context.set, next: p }',
      ),
    );
    assert.match(issueAt(issues, 'steps.a1').message, /a1 → a2 → a1/);
    assert.match(issueAt(issues, 'steps.p', 4).message, /p → back → p/);
    assert.equal(issues.length, 2);
  });

  test('problems anywhere in the document are reported together, in document order', () => {
    const issues = issuesOf(
      withSteps(
        '  - { id: a, type: action, action: nope, with: { x: "{{ ) }}" } }', // 4
        '  - { id: b, type: wait, duration: soon, next: zzz }', // 5
        '  - { id: c, type: end, outcome: ok, extra: 1 }', // 6
      ),
    );
    assert.deepEqual(
      issues.map((issue) => [issue.field, issue.line]),
      [
        ['steps.a.with.x', 4],
        ['steps.a.action', 4],
        ['steps.b.duration', 5],
        ['steps.b.next', 5],
        ['steps.c.extra', 6],
      ],
    );
  });

  test('JSON issues carry lines too', () => {
    const source = `{
  "key": "t",
  "name": "T",
  "steps": [
    { "id": "a", "type": "action", "action": "context.set", "next": "b" },
    {
      "id": "c",
      "type": "wait",
      "duration": "P0D"
    }
  ]
}`;
    const issues = issuesOf(source);
    issueAt(issues, 'steps.a.next', 5);
    issueAt(issues, 'steps.c.duration', 9);
  });
});

describe('validateInput', () => {
  const schema = {
    type: 'object',
    required: ['customerId'],
    additionalProperties: false,
    properties: {
      customerId: { type: 'string' },
      amount: { type: 'integer' },
      channel: { enum: ['email', 'sms'] },
      lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
      dueDate: { type: 'string', format: 'date' },
    },
  };

  test('reports each failing field under input', () => {
    const issues = validateInput(schema, {
      amount: 1.5,
      channel: 'fax',
      lines: [{ sku: 'a' }, { sku: 2 }],
      dueDate: '2026-02-30',
      colour: 'red',
    });
    assert.deepEqual(
      issues.sort((a, b) => a.field.localeCompare(b.field)),
      [
        { field: 'input.amount', message: 'must be integer' },
        { field: 'input.channel', message: 'must be one of: "email", "sms"' },
        { field: 'input.colour', message: 'is not an allowed field' },
        { field: 'input.customerId', message: 'is required' },
        { field: 'input.dueDate', message: 'must match format "date"' },
        { field: 'input.lines[1].sku', message: 'must be string' },
      ],
    );
  });

  test('valid input and a missing schema pass', () => {
    assert.deepEqual(validateInput(schema, { customerId: 'c1', amount: 5, dueDate: '2026-02-28' }), []);
    assert.deepEqual(validateInput(undefined, 'anything'), []);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { AppError } from '../../../core/errors.js';
import type { Allocation, Component, InstallmentOutstanding, Waterfall } from './waterfall.js';
import { allocatePayment, COMPONENTS, DEFAULT_WATERFALL, parseWaterfall } from './waterfall.js';

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as AppError).field;
  }
  assert.fail('expected an error');
}

const inst = (seq: number, dueDate: string, fee: bigint, interest: bigint, principal: bigint) => ({
  seq,
  dueDate,
  fee,
  interest,
  principal,
});

// Installments 1 and 2 are due on 2026-03-05, installment 3 is not yet. Total outstanding 34 500.
const LOAN: InstallmentOutstanding[] = [
  inst(1, '2026-01-31', 500n, 1_000n, 10_000n),
  inst(2, '2026-02-28', 500n, 900n, 10_100n),
  inst(3, '2026-03-31', 500n, 800n, 10_200n),
];
const AS_OF = '2026-03-05';
const INSTALLMENT_FIRST: Waterfall = DEFAULT_WATERFALL;
const COMPONENT_FIRST: Waterfall = { order: ['fee', 'interest', 'principal'], mode: 'component_first' };

const a = (seq: number, component: Component, amount: bigint): Allocation => ({ seq, component, amount });

describe('allocatePayment, installment_first', () => {
  test('pays the oldest due installment completely, in order, before the next', () => {
    assert.deepEqual(allocatePayment(12_000n, LOAN, INSTALLMENT_FIRST, AS_OF), {
      allocations: [a(1, 'fee', 500n), a(1, 'interest', 1_000n), a(1, 'principal', 10_000n), a(2, 'fee', 500n)],
      unallocated: 0n,
    });
  });

  test('a partial payment stops inside a component', () => {
    assert.deepEqual(allocatePayment(300n, LOAN, INSTALLMENT_FIRST, AS_OF), {
      allocations: [a(1, 'fee', 300n)],
      unallocated: 0n,
    });
    assert.deepEqual(allocatePayment(1_700n, LOAN, INSTALLMENT_FIRST, AS_OF).allocations, [
      a(1, 'fee', 500n),
      a(1, 'interest', 1_000n),
      a(1, 'principal', 200n),
    ]);
  });

  test('what is left after the due installments prepays the next installment, in order', () => {
    assert.deepEqual(allocatePayment(24_000n, LOAN, INSTALLMENT_FIRST, AS_OF).allocations, [
      a(1, 'fee', 500n),
      a(1, 'interest', 1_000n),
      a(1, 'principal', 10_000n),
      a(2, 'fee', 500n),
      a(2, 'interest', 900n),
      a(2, 'principal', 10_100n),
      a(3, 'fee', 500n),
      a(3, 'interest', 500n),
    ]);
  });

  test('exact payoff leaves nothing unallocated; an overpayment is returned as unallocated', () => {
    const exact = allocatePayment(34_500n, LOAN, INSTALLMENT_FIRST, AS_OF);
    assert.equal(exact.unallocated, 0n);
    assert.equal(exact.allocations.length, 9);
    const over = allocatePayment(35_000n, LOAN, INSTALLMENT_FIRST, AS_OF);
    assert.equal(over.unallocated, 500n);
    assert.deepEqual(over.allocations, exact.allocations);
  });

  test('the waterfall order decides the components: principal first', () => {
    const order: Waterfall = { order: ['principal', 'interest', 'fee'], mode: 'installment_first' };
    assert.deepEqual(allocatePayment(11_200n, LOAN, order, AS_OF).allocations, [
      a(1, 'principal', 10_000n),
      a(1, 'interest', 1_000n),
      a(1, 'fee', 200n),
    ]);
  });

  test('an installment due exactly on asOf is due; nothing due means the payment prepays', () => {
    assert.deepEqual(allocatePayment(600n, LOAN, INSTALLMENT_FIRST, '2026-01-31').allocations, [
      a(1, 'fee', 500n),
      a(1, 'interest', 100n),
    ]);
    assert.deepEqual(allocatePayment(600n, LOAN, INSTALLMENT_FIRST, '2025-12-01').allocations, [
      a(1, 'fee', 500n),
      a(1, 'interest', 100n),
    ]);
  });
});

describe('allocatePayment, component_first', () => {
  test('the first component of every due installment, oldest first, then the next component', () => {
    assert.deepEqual(allocatePayment(12_000n, LOAN, COMPONENT_FIRST, AS_OF), {
      allocations: [
        a(1, 'fee', 500n),
        a(2, 'fee', 500n),
        a(1, 'interest', 1_000n),
        a(2, 'interest', 900n),
        a(1, 'principal', 9_100n),
      ],
      unallocated: 0n,
    });
  });

  test('a partial payment covers the first component across installments', () => {
    assert.deepEqual(allocatePayment(700n, LOAN, COMPONENT_FIRST, AS_OF).allocations, [
      a(1, 'fee', 500n),
      a(2, 'fee', 200n),
    ]);
  });

  test('not-yet-due installments are prepaid installment by installment, as in installment_first', () => {
    assert.deepEqual(allocatePayment(24_000n, LOAN, COMPONENT_FIRST, AS_OF).allocations, [
      a(1, 'fee', 500n),
      a(2, 'fee', 500n),
      a(1, 'interest', 1_000n),
      a(2, 'interest', 900n),
      a(1, 'principal', 10_000n),
      a(2, 'principal', 10_100n),
      a(3, 'fee', 500n),
      a(3, 'interest', 500n),
    ]);
    const over = allocatePayment(40_000n, LOAN, COMPONENT_FIRST, AS_OF);
    assert.equal(over.unallocated, 5_500n);
  });
});

describe('allocatePayment, edge cases', () => {
  test('input order does not matter: installments sort by due date, then seq', () => {
    const shuffled = [LOAN[2]!, LOAN[0]!, LOAN[1]!];
    for (const w of [INSTALLMENT_FIRST, COMPONENT_FIRST]) {
      assert.deepEqual(allocatePayment(24_000n, shuffled, w, AS_OF), allocatePayment(24_000n, LOAN, w, AS_OF));
    }
    // Same due date: the lower seq goes first.
    const sameDay = [inst(7, '2026-01-31', 0n, 0n, 100n), inst(6, '2026-01-31', 0n, 0n, 100n)];
    assert.deepEqual(allocatePayment(150n, sameDay, INSTALLMENT_FIRST, AS_OF).allocations, [
      a(6, 'principal', 100n),
      a(7, 'principal', 50n),
    ]);
  });

  test('zero amounts are never allocated: paid components are skipped, a zero payment allocates nothing', () => {
    const partlyPaid = [inst(1, '2026-01-31', 0n, 0n, 400n), inst(2, '2026-02-28', 0n, 50n, 0n)];
    assert.deepEqual(allocatePayment(1_000n, partlyPaid, COMPONENT_FIRST, AS_OF), {
      allocations: [a(2, 'interest', 50n), a(1, 'principal', 400n)],
      unallocated: 550n,
    });
    assert.deepEqual(allocatePayment(0n, LOAN, INSTALLMENT_FIRST, AS_OF), { allocations: [], unallocated: 0n });
    assert.deepEqual(allocatePayment(10n, [], INSTALLMENT_FIRST, AS_OF), { allocations: [], unallocated: 10n });
  });

  test('bad input is a validation error naming the field', () => {
    assert.equal(
      fieldOf(() => allocatePayment(-1n, LOAN, INSTALLMENT_FIRST, AS_OF)),
      'amount',
    );
    assert.equal(
      fieldOf(() => allocatePayment(1n, LOAN, INSTALLMENT_FIRST, '2026-02-30')),
      'asOf',
    );
    assert.equal(
      fieldOf(() => allocatePayment(1n, [LOAN[0]!, { ...LOAN[1]!, interest: -1n }], INSTALLMENT_FIRST, AS_OF)),
      'installments[1].interest',
    );
    assert.equal(
      fieldOf(() => allocatePayment(1n, [LOAN[0]!, LOAN[0]!], INSTALLMENT_FIRST, AS_OF)),
      'installments[1].seq',
    );
    assert.equal(
      fieldOf(() => allocatePayment(1n, [{ ...LOAN[0]!, dueDate: '31.01.2026' }], INSTALLMENT_FIRST, AS_OF)),
      'installments[0].dueDate',
    );
    const broken = { order: ['fee', 'fee', 'principal'], mode: 'installment_first' } as Waterfall;
    assert.equal(
      fieldOf(() => allocatePayment(1n, LOAN, broken, AS_OF)),
      'waterfall.order',
    );
  });
});

describe('parseWaterfall', () => {
  test('valid values, defaults, and a fresh object every time', () => {
    assert.deepEqual(parseWaterfall(undefined), { order: ['fee', 'interest', 'principal'], mode: 'installment_first' });
    assert.deepEqual(parseWaterfall({ mode: 'component_first' }), {
      order: ['fee', 'interest', 'principal'],
      mode: 'component_first',
    });
    assert.deepEqual(parseWaterfall({ order: ['principal', 'fee', 'interest'] }), {
      order: ['principal', 'fee', 'interest'],
      mode: 'installment_first',
    });
    const parsed = parseWaterfall(undefined);
    parsed.order.reverse();
    assert.deepEqual(DEFAULT_WATERFALL.order, ['fee', 'interest', 'principal']);
    assert.ok(Object.isFrozen(DEFAULT_WATERFALL) && Object.isFrozen(DEFAULT_WATERFALL.order));
  });

  test('errors name the field, under a caller-given prefix', () => {
    const bad: [unknown, string][] = [
      [{ order: ['fee', 'interest'] }, 'waterfall.order'],
      [{ order: ['fee', 'interest', 'interest'] }, 'waterfall.order'],
      [{ order: ['fee', 'interest', 'principal', 'penalty'] }, 'waterfall.order'],
      [{ order: 'fee,interest,principal' }, 'waterfall.order'],
      [{ mode: 'oldest_first' }, 'waterfall.mode'],
      [{ mode: 1 }, 'waterfall.mode'],
      [{ order: ['fee', 'interest', 'principal'], priority: 1 }, 'waterfall.priority'],
      [null, 'waterfall'],
      ['fee,interest,principal', 'waterfall'],
      [[], 'waterfall'],
    ];
    for (const [value, field] of bad)
      assert.equal(
        fieldOf(() => parseWaterfall(value)),
        field,
        JSON.stringify(value),
      );
    assert.equal(
      fieldOf(() => parseWaterfall({ mode: 'x' }, 'body.waterfall')),
      'body.waterfall.mode',
    );
  });
});

// --- properties -------------------------------------------------------------------------------

const DATES = ['2026-01-31', '2026-02-28', '2026-03-05', '2026-03-31', '2026-04-30'];
const amountArb = fc.oneof(fc.constant(0n), fc.bigInt({ min: 0n, max: 5_000n }));
const installmentsArb = fc.uniqueArray(
  fc.record({
    seq: fc.integer({ min: 1, max: 30 }),
    dueDate: fc.constantFrom(...DATES),
    fee: amountArb,
    interest: amountArb,
    principal: amountArb,
  }),
  { maxLength: 8, selector: (i) => i.seq },
);
const waterfallArb: fc.Arbitrary<Waterfall> = fc.record({
  order: fc.shuffledSubarray([...COMPONENTS], { minLength: 3, maxLength: 3 }),
  mode: fc.constantFrom('installment_first' as const, 'component_first' as const),
});
const scenarioArb = fc
  .tuple(installmentsArb, waterfallArb, fc.constantFrom(...DATES, '2025-12-31', '2026-12-31'))
  .chain(([installments, waterfall, asOf]) => {
    const total = installments.reduce((s, i) => s + i.fee + i.interest + i.principal, 0n);
    return fc.record({
      installments: fc.constant(installments),
      shuffled: fc.shuffledSubarray(installments, { minLength: installments.length, maxLength: installments.length }),
      waterfall: fc.constant(waterfall),
      asOf: fc.constant(asOf),
      amount: fc.oneof(fc.bigInt({ min: 0n, max: total }), fc.bigInt({ min: 0n, max: total + 1_000n })),
    });
  });

const key = (seq: number, c: Component): string => `${seq}:${c}`;

describe('allocatePayment invariants (fast-check)', () => {
  test('conservation, bounds, greediness and the waterfall priorities', () => {
    fc.assert(
      fc.property(scenarioArb, ({ installments, shuffled, waterfall, asOf, amount }) => {
        const { allocations, unallocated } = allocatePayment(amount, installments, waterfall, asOf);

        // Σ allocations + unallocated = amount; nothing is left unallocated while anything is owed.
        const allocated = allocations.reduce((s, x) => s + x.amount, 0n);
        assert.equal(allocated + unallocated, amount);
        const owed = installments.reduce((s, i) => s + i.fee + i.interest + i.principal, 0n);
        assert.equal(unallocated, amount > owed ? amount - owed : 0n);

        // Every allocation is positive, at most the component's outstanding, and (seq, component) appears once.
        const paid = new Map<string, bigint>();
        for (const x of allocations) {
          assert.ok(x.amount > 0n);
          assert.ok(!paid.has(key(x.seq, x.component)));
          paid.set(key(x.seq, x.component), x.amount);
          const target = installments.find((i) => i.seq === x.seq);
          assert.ok(target);
          assert.ok(x.amount <= target[x.component]);
        }
        const settled = (i: InstallmentOutstanding, c: Component): boolean => (paid.get(key(i.seq, c)) ?? 0n) === i[c];
        const fullyPaid = (i: InstallmentOutstanding): boolean => COMPONENTS.every((c) => settled(i, c));

        const sorted = [...installments].sort((x, y) =>
          x.dueDate < y.dueDate ? -1 : x.dueDate > y.dueDate ? 1 : x.seq - y.seq,
        );
        const pos = new Map(sorted.map((i, n) => [i.seq, n]));
        const isDue = (i: InstallmentOutstanding): boolean => i.dueDate <= asOf;

        for (const x of allocations) {
          const j = pos.get(x.seq)!;
          const target = sorted[j]!;
          const earlierComponents = waterfall.order.slice(0, waterfall.order.indexOf(x.component));
          if (waterfall.mode === 'installment_first' || !isDue(target)) {
            // Nothing goes to an installment while an earlier one (due, or prepaid ahead of it) is still owing,
            // nor to a component while an earlier component of the same installment is still owing.
            assert.ok(sorted.slice(0, j).every(fullyPaid), `earlier installments settled before seq ${x.seq}`);
            assert.ok(earlierComponents.every((c) => settled(target, c)));
          } else {
            // component_first: every due installment has its earlier components settled, and every earlier
            // due installment has this component settled.
            const due = sorted.filter(isDue);
            assert.ok(due.every((i) => earlierComponents.every((c) => settled(i, c))));
            assert.ok(due.filter((i) => pos.get(i.seq)! < j).every((i) => settled(i, x.component)));
          }
        }

        // The order installments are passed in does not matter.
        assert.deepEqual(allocatePayment(amount, shuffled, waterfall, asOf), { allocations, unallocated });
      }),
      { numRuns: 1_000 },
    );
  });
});

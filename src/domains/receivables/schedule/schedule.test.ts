import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import type { AppError } from '../../../core/errors.js';
import { addDays, addMonthsClamped, daysBetween, endOfMonth, isCalendarDate } from './due-dates.js';
import { dueDateFromTerms, invoiceLines, invoiceSchedule } from './invoice-amounts.js';
import type { LoanMethod, LoanTerms, ScheduledInstallment } from './loan-schedule.js';
import { annuityPayment, loanSchedule } from './loan-schedule.js';

/**
 * Expected amortization tables, computed independently with Python's `decimal` module. The fixture
 * carries the exact Python program that produced it (`_provenance.python`); rows are
 * [seq, dueDate, principalDue, interestDue, feeDue] with amounts as decimal strings of minor units.
 */
interface FixtureCase {
  name: string;
  principal: string;
  annualRate: string;
  termMonths: number;
  method: LoanMethod;
  firstDueDate: string;
  currency: string;
  fees?: { upfront?: string; perInstallment?: string };
  levelPayment?: string;
  rows: [number, string, string, string, string][];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/amortization-tables.json', import.meta.url), 'utf8')) as {
  cases: FixtureCase[];
};

function termsOf(c: FixtureCase): LoanTerms {
  const terms: LoanTerms = {
    principal: BigInt(c.principal),
    annualRate: c.annualRate,
    termMonths: c.termMonths,
    method: c.method,
    firstDueDate: c.firstDueDate,
    currency: c.currency,
  };
  if (c.fees) {
    terms.fees = {};
    if (c.fees.upfront !== undefined) terms.fees.upfront = BigInt(c.fees.upfront);
    if (c.fees.perInstallment !== undefined) terms.fees.perInstallment = BigInt(c.fees.perInstallment);
  }
  return terms;
}

function findCase(prefix: string): FixtureCase {
  const c = fixture.cases.find((x) => x.name.startsWith(prefix));
  assert.ok(c, `fixture case "${prefix}" exists`);
  return c;
}

const payment = (i: ScheduledInstallment): bigint => i.principalDue + i.interestDue;
const sumPrincipal = (s: ScheduledInstallment[]): bigint => s.reduce((a, i) => a + i.principalDue, 0n);

/** Field of the first issue of a thrown AppError. */
function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as AppError).field;
  }
  assert.fail('expected an error');
}

const base: LoanTerms = {
  principal: 1_000_000n,
  annualRate: '0.12',
  termMonths: 12,
  method: 'annuity',
  firstDueDate: '2026-02-15',
  currency: 'EUR',
};

describe('loanSchedule against independently computed tables (Python decimal)', () => {
  for (const c of fixture.cases) {
    test(c.name, () => {
      const schedule = loanSchedule(termsOf(c));
      const expected = c.rows.map(([seq, dueDate, p, i, f]) => ({
        seq,
        dueDate,
        principalDue: BigInt(p),
        interestDue: BigInt(i),
        feeDue: BigInt(f),
      }));
      assert.deepEqual(schedule, expected);
      assert.equal(sumPrincipal(schedule), BigInt(c.principal));
      if (c.levelPayment !== undefined) {
        assert.equal(annuityPayment(BigInt(c.principal), c.annualRate, c.termMonths), BigInt(c.levelPayment));
      }
    });
  }

  test('the fixture covers every case the schedule must be checked on', () => {
    const names = fixture.cases.map((c) => c.name);
    for (const prefix of ['EUR 10 000.00, 12 % p.a., 12 months, annuity', 'JPY', 'USD 300 000.00 mortgage']) {
      assert.ok(
        names.some((n) => n.startsWith(prefix)),
        prefix,
      );
    }
    assert.ok(fixture.cases.some((c) => c.annualRate === '0'));
    assert.ok(fixture.cases.some((c) => c.method === 'equal_principal'));
    assert.ok(fixture.cases.some((c) => c.firstDueDate.endsWith('-01-31')));
  });
});

describe('loanSchedule, known values', () => {
  test('10 000.00 EUR at 12 % over 12 months: level payment 888.49, last payment absorbs the rounding', () => {
    const s = loanSchedule(base);
    assert.equal(annuityPayment(1_000_000n, '0.12', 12), 88_849n);
    assert.deepEqual(s.slice(0, 11).map(payment), Array<bigint>(11).fill(88_849n));
    assert.equal(s[0]!.interestDue, 10_000n); // 1 % of 10 000.00
    assert.equal(payment(s[11]!), 88_847n);
    assert.equal(sumPrincipal(s), 1_000_000n);
  });

  test('equal principal: floor(P / n) each month, remainder on the last, interest on the declining balance', () => {
    const s = loanSchedule({ ...base, method: 'equal_principal' });
    assert.deepEqual(
      s.slice(0, 11).map((i) => i.principalDue),
      Array<bigint>(11).fill(83_333n),
    );
    assert.equal(s[11]!.principalDue, 83_337n);
    assert.deepEqual(
      s.slice(0, 3).map((i) => i.interestDue),
      [10_000n, 9_167n, 8_333n],
    );
  });

  test('a 360-month 4.5 % mortgage of 300 000.00: level payment 1 520.06 and Σ principal = P', () => {
    const s = loanSchedule({
      ...base,
      principal: 30_000_000n,
      annualRate: '0.045',
      termMonths: 360,
      currency: 'USD',
      firstDueDate: '2026-07-01',
    });
    assert.equal(s.length, 360);
    assert.equal(annuityPayment(30_000_000n, '0.045', 360), 152_006n);
    assert.ok(s.slice(0, 359).every((i) => payment(i) === 152_006n));
    assert.equal(sumPrincipal(s), 30_000_000n);
    assert.equal(s[359]!.dueDate, '2056-06-01');
  });

  test('a 0 % loan charges no interest and repays P exactly; the annuity is round-half-up(P / n)', () => {
    const annuity = loanSchedule({ ...base, principal: 100_000n, annualRate: '0', termMonths: 7 });
    assert.ok(annuity.every((i) => i.interestDue === 0n));
    assert.deepEqual(
      annuity.map((i) => i.principalDue),
      [14_286n, 14_286n, 14_286n, 14_286n, 14_286n, 14_286n, 14_284n],
    );
    const single = loanSchedule({ ...base, annualRate: '0', termMonths: 1 });
    assert.deepEqual(single, [
      { seq: 1, dueDate: '2026-02-15', principalDue: 1_000_000n, interestDue: 0n, feeDue: 0n },
    ]);
  });

  test('JPY has no minor unit: every amount is whole yen', () => {
    const s = loanSchedule({ ...base, principal: 1_000_000n, annualRate: '0.035', termMonths: 24, currency: 'JPY' });
    assert.equal(annuityPayment(1_000_000n, '0.035', 24), 43_203n);
    assert.equal(s[0]!.interestDue, 2_917n); // 1 000 000 × 0.035 / 12 = 2 916.67 → 2 917
    assert.equal(sumPrincipal(s), 1_000_000n);
  });

  test('due dates clamp to month end from the ORIGINAL day: Jan 31 → Feb 29 → Mar 31 → Apr 30', () => {
    const s = loanSchedule({ ...base, firstDueDate: '2024-01-31', termMonths: 14 });
    assert.deepEqual(
      s.map((i) => i.dueDate),
      [
        '2024-01-31',
        '2024-02-29',
        '2024-03-31',
        '2024-04-30',
        '2024-05-31',
        '2024-06-30',
        '2024-07-31',
        '2024-08-31',
        '2024-09-30',
        '2024-10-31',
        '2024-11-30',
        '2024-12-31',
        '2025-01-31',
        '2025-02-28',
      ],
    );
  });

  test('fees: upfront on the first installment, per-installment fee on every one', () => {
    const s = loanSchedule({ ...base, termMonths: 3, fees: { upfront: 5_000n, perInstallment: 250n } });
    assert.deepEqual(
      s.map((i) => i.feeDue),
      [5_250n, 250n, 250n],
    );
    const noPerInstallment = loanSchedule({ ...base, termMonths: 3, fees: { upfront: 100n } });
    assert.deepEqual(
      noPerInstallment.map((i) => i.feeDue),
      [100n, 0n, 0n],
    );
  });

  test('the last annuity payment can differ from the level payment by more than n minor units', () => {
    // 300 000.00 at 8 % over 30 years: the rounding of A (≤ 0.5 minor unit) compounds for 360 months;
    // the Python table agrees (fixture case "EUR 300 000.00, 8 %"). The bound that does hold is
    // |last − A| < S_n = ((1 + r)^n − 1) / r, which is n when r = 0.
    const s = loanSchedule({ ...base, principal: 30_000_000n, annualRate: '0.08', termMonths: 360 });
    const a = annuityPayment(30_000_000n, '0.08', 360);
    assert.equal(a, 220_129n);
    assert.equal(payment(s[359]!) - a, 620n);
    const python = findCase('EUR 300 000.00, 8 %');
    assert.equal(python.levelPayment, '220129');
    assert.deepEqual(python.rows[359]!.slice(2, 4), ['219287', '1462']); // 2 192.87 + 14.62 = 2 207.49
    assert.ok(620 < Number(annuityFactor('0.08', 360)));
  });

  test('decimal rates are exact: a rate that is not a binary fraction gives the Python result', () => {
    // 0.1 / 12 is not representable in binary floating point; 100.00 at 10 % → 0.8333… → 1 minor unit.
    const s = loanSchedule({ ...base, principal: 10_000n, annualRate: '0.1', termMonths: 2 });
    assert.equal(s[0]!.interestDue, 83n);
  });
});

describe('loanSchedule input validation names the field', () => {
  const cases: [string, Partial<Record<keyof LoanTerms, unknown>>][] = [
    ['principal', { principal: 0n }],
    ['principal', { principal: -5n }],
    ['principal', { principal: 100 }],
    ['annualRate', { annualRate: '10' }],
    ['annualRate', { annualRate: '-0.1' }],
    ['annualRate', { annualRate: '1e-2' }],
    ['annualRate', { annualRate: '12%' }],
    ['annualRate', { annualRate: 0.12 }],
    ['annualRate', { annualRate: '' }],
    ['termMonths', { termMonths: 0 }],
    ['termMonths', { termMonths: 601 }],
    ['termMonths', { termMonths: 1.5 }],
    ['method', { method: 'bullet' }],
    ['firstDueDate', { firstDueDate: '2026-02-30' }],
    ['firstDueDate', { firstDueDate: '2026-2-3' }],
    ['firstDueDate', { firstDueDate: '2026-02-03T00:00:00Z' }],
    ['currency', { currency: 'XYZ' }],
    ['currency', { currency: 'eur' }],
    ['fees.upfront', { fees: { upfront: -1n } }],
    ['fees.perInstallment', { fees: { perInstallment: 5 } }],
    ['fees', { fees: null }],
  ];
  for (const [field, patch] of cases) {
    test(`${field}: ${JSON.stringify(patch, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`, () => {
      assert.equal(
        fieldOf(() => loanSchedule({ ...base, ...patch } as LoanTerms)),
        field,
      );
    });
  }

  test('limits that are allowed: rate 0 and 9.99…, 1 and 600 months, BHD', () => {
    assert.equal(loanSchedule({ ...base, annualRate: '9.999', termMonths: 1 }).length, 1);
    assert.equal(loanSchedule({ ...base, termMonths: 600 }).length, 600);
    assert.equal(sumPrincipal(loanSchedule({ ...base, currency: 'BHD' })), 1_000_000n);
  });

  test('every invalid field is reported at once', () => {
    try {
      loanSchedule({ ...base, principal: 0n, termMonths: 0 });
      assert.fail('expected an error');
    } catch (e) {
      const err = e as AppError;
      assert.equal(err.code, 'validation_failed');
      assert.equal(err.status, 400);
      assert.deepEqual(
        err.issues.map((i) => i.field),
        ['principal', 'termMonths'],
      );
    }
  });
});

/** S_n = ((1 + r)^n − 1) / r with r = annualRate / 12 (n when r = 0), computed with decimal.js. */
function annuityFactor(annualRate: string, n: number): Decimal {
  const D = Decimal.clone({ precision: 50 });
  const r = new D(annualRate).div(12);
  return r.isZero() ? new D(n) : r.plus(1).pow(n).minus(1).div(r);
}

const rateArb = fc
  .oneof(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 99_999 }))
  .map((k) => `${Math.floor(k / 10_000)}.${String(k % 10_000).padStart(4, '0')}`);
const dateArb = fc
  .date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const termsArb: fc.Arbitrary<LoanTerms> = fc.record({
  principal: fc.oneof(fc.bigInt({ min: 1n, max: 10_000n }), fc.bigInt({ min: 1n, max: 10n ** 12n })),
  annualRate: rateArb,
  termMonths: fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 600 })),
  method: fc.constantFrom<LoanMethod>('annuity', 'equal_principal'),
  firstDueDate: dateArb,
  currency: fc.constantFrom('EUR', 'JPY', 'BHD', 'USD'),
});

describe('loanSchedule invariants (fast-check)', () => {
  test('Σ principal = P exactly, amounts ≥ 0, one installment per month, due dates strictly increasing', () => {
    fc.assert(
      fc.property(termsArb, (terms) => {
        const s = loanSchedule(terms);
        assert.equal(s.length, terms.termMonths);
        assert.equal(sumPrincipal(s), terms.principal);
        s.forEach((inst, i) => {
          assert.equal(inst.seq, i + 1);
          assert.ok(inst.principalDue >= 0n && inst.interestDue >= 0n && inst.feeDue === 0n);
          assert.ok(isCalendarDate(inst.dueDate));
          assert.equal(inst.dueDate, addMonthsClamped(terms.firstDueDate, i));
          if (i > 0) assert.ok(s[i - 1]!.dueDate < inst.dueDate);
        });
      }),
      { numRuns: 300 },
    );
  });

  test('equal principal: floor(P / n) on every installment but the last, which also takes the remainder', () => {
    fc.assert(
      fc.property(termsArb, (t) => {
        const terms = { ...t, method: 'equal_principal' as const };
        const s = loanSchedule(terms);
        const n = BigInt(terms.termMonths);
        const each = terms.principal / n;
        assert.ok(s.slice(0, -1).every((i) => i.principalDue === each));
        assert.equal(s.at(-1)!.principalDue, each + (terms.principal - each * n));
      }),
      { numRuns: 200 },
    );
  });

  test('annuity: level payments, the last differing by less than S_n (= n at 0 %), or an early payoff', () => {
    fc.assert(
      fc.property(termsArb, (t) => {
        const terms = { ...t, method: 'annuity' as const };
        const s = loanSchedule(terms);
        const a = annuityPayment(terms.principal, terms.annualRate, terms.termMonths);
        const n = terms.termMonths;
        let paid = 0n;
        let payoff = -1; // index of the installment that brought the balance to 0
        s.forEach((inst, i) => {
          paid += inst.principalDue;
          if (payoff < 0 && paid === terms.principal) payoff = i;
        });
        if (payoff === n - 1) {
          // The normal case: every payment but the last is exactly A.
          assert.ok(s.slice(0, -1).every((i) => payment(i) === a));
          const diff = payment(s[n - 1]!) - a;
          const bound = annuityFactor(terms.annualRate, n);
          assert.ok(
            bound.gt((diff < 0n ? -diff : diff).toString()),
            `|last − A| = ${diff} < S_n = ${bound.toString()}`,
          );
          if (terms.annualRate.replace(/[0.]/g, '') === '') assert.ok(diff > -BigInt(n) && diff < BigInt(n));
        } else {
          // A (rounded up) repaid the loan early: level payments until the payoff installment, nothing after.
          assert.ok(payoff >= 0 && payoff < n - 1);
          assert.ok(s.slice(0, payoff).every((i) => payment(i) === a));
          assert.ok(payment(s[payoff]!) <= a);
          assert.ok(s.slice(payoff + 1).every((i) => i.principalDue === 0n && i.interestDue === 0n));
        }
      }),
      { numRuns: 300 },
    );
  });

  test('a schedule is a pure function of its terms', () => {
    fc.assert(
      fc.property(termsArb, (terms) => {
        assert.deepEqual(loanSchedule(terms), loanSchedule({ ...terms }));
      }),
      { numRuns: 50 },
    );
  });
});

describe('due dates', () => {
  test('addMonthsClamped clamps to month end and handles leap years and negative months', () => {
    assert.equal(addMonthsClamped('2024-01-31', 1), '2024-02-29');
    assert.equal(addMonthsClamped('2023-01-31', 1), '2023-02-28');
    assert.equal(addMonthsClamped('2024-01-31', 2), '2024-03-31');
    assert.equal(addMonthsClamped('2024-02-29', 12), '2025-02-28');
    assert.equal(addMonthsClamped('2024-02-29', 48), '2028-02-29');
    assert.equal(addMonthsClamped('2024-03-31', -1), '2024-02-29');
    assert.equal(addMonthsClamped('2024-05-15', 0), '2024-05-15');
    assert.equal(addMonthsClamped('2024-12-31', 1), '2025-01-31');
  });

  test('addDays and daysBetween count calendar days, unaffected by daylight saving', () => {
    assert.equal(addDays('2024-02-28', 1), '2024-02-29');
    assert.equal(addDays('2024-03-01', -1), '2024-02-29');
    assert.equal(addDays('2024-12-31', 1), '2025-01-01');
    assert.equal(daysBetween('2024-03-30', '2024-04-01'), 2); // across the EU DST change
    assert.equal(daysBetween('2024-10-26', '2024-10-28'), 2);
    assert.equal(daysBetween('2024-01-01', '2025-01-01'), 366);
    assert.equal(daysBetween('2025-01-01', '2024-01-01'), -366);
    assert.equal(daysBetween('2024-05-05', '2024-05-05'), 0);
    assert.equal(endOfMonth('2024-02-10'), '2024-02-29');
  });

  test('addDays and daysBetween agree (fast-check)', () => {
    fc.assert(
      fc.property(dateArb, fc.integer({ min: -20_000, max: 20_000 }), (d, k) => {
        const e = addDays(d, k);
        assert.equal(daysBetween(d, e), k);
        assert.equal(addDays(e, -k), d);
      }),
    );
  });

  test('bad dates and counts are validation errors naming the field', () => {
    assert.equal(
      fieldOf(() => addDays('2024-13-01', 1)),
      'date',
    );
    assert.equal(
      fieldOf(() => addMonthsClamped('2024-01-01', 1.5)),
      'months',
    );
    assert.equal(
      fieldOf(() => daysBetween('2024-01-01', 'tomorrow')),
      'to',
    );
    assert.equal(isCalendarDate('2024-02-30'), false);
    assert.equal(isCalendarDate('2024-02-29'), true);
  });
});

describe('invoiceLines', () => {
  test('amount = round-half-up(quantity × unitPrice × (1 + taxRate)); total is the sum of line amounts', () => {
    const { lines, total } = invoiceLines([
      { description: 'Consulting', quantity: '3', unitPrice: 333n, taxRate: '0.21' }, // 1208.79 → 1209
      { description: 'Half hour', quantity: '1.5', unitPrice: 999n }, // 1498.5 → 1499 (half up)
      { description: 'Fraction', quantity: '0.333', unitPrice: 100n }, // 33.3 → 33
      { description: 'Taxed tie', quantity: '1', unitPrice: 50n, taxRate: '0.21' }, // 60.5 → 61
      { description: 'Free', quantity: '2', unitPrice: 0n, taxRate: '0.21' },
      { description: 'Reduced VAT', quantity: '7', unitPrice: 1_999n, taxRate: '0.07' }, // 14972.51 → 14973
    ]);
    assert.deepEqual(
      lines.map((l) => [l.lineNo, l.amount]),
      [
        [1, 1_209n],
        [2, 1_499n],
        [3, 33n],
        [4, 61n],
        [5, 0n],
        [6, 14_973n],
      ],
    );
    assert.equal(total, 1_209n + 1_499n + 33n + 61n + 14_973n);
    assert.equal(lines[0]!.description, 'Consulting');
    assert.equal(lines[0]!.taxRate, '0.21');
  });

  test('exact beyond 2^53 and with long decimal quantities', () => {
    const { total } = invoiceLines([{ description: 'Big', quantity: '1000000', unitPrice: 9_007_199_254_740_993n }]);
    assert.equal(total, 9_007_199_254_740_993_000_000n);
    const { lines } = invoiceLines([{ description: 'x', quantity: '0.0000000005', unitPrice: 1_000_000_000n }]);
    assert.equal(lines[0]!.amount, 1n); // 0.5 → 1
  });

  test('bad lines are validation errors naming lines[i].field', () => {
    const ok = { description: 'ok', quantity: '1', unitPrice: 100n };
    const bad: [string, object][] = [
      ['lines[2].quantity', { ...ok, quantity: '0' }],
      ['lines[2].quantity', { ...ok, quantity: '-1' }],
      ['lines[2].quantity', { ...ok, quantity: '1e3' }],
      ['lines[2].quantity', { ...ok, quantity: 2 }],
      ['lines[2].unitPrice', { ...ok, unitPrice: -1n }],
      ['lines[2].unitPrice', { ...ok, unitPrice: 100 }],
      ['lines[2].taxRate', { ...ok, taxRate: '21' }],
      ['lines[2].taxRate', { ...ok, taxRate: '-0.1' }],
      ['lines[2].taxRate', { ...ok, taxRate: 0.21 }],
      ['lines[2].description', { ...ok, description: '  ' }],
    ];
    for (const [field, line] of bad) {
      assert.equal(
        fieldOf(() => invoiceLines([ok, ok, line as typeof ok])),
        field,
        JSON.stringify(line, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
      );
    }
    assert.equal(
      fieldOf(() => invoiceLines([])),
      'lines',
    );
  });
});

describe('invoiceSchedule', () => {
  test('one installment carrying the whole total as principal', () => {
    assert.deepEqual(invoiceSchedule(12_345n, '2026-03-31'), [
      { seq: 1, dueDate: '2026-03-31', principalDue: 12_345n, interestDue: 0n, feeDue: 0n },
    ]);
    assert.equal(
      fieldOf(() => invoiceSchedule(0n, '2026-03-31')),
      'total',
    );
    assert.equal(
      fieldOf(() => invoiceSchedule(1n, '31/03/2026')),
      'dueDate',
    );
  });
});

describe('dueDateFromTerms', () => {
  test('the supported terms', () => {
    const examples: [string, string, string][] = [
      ['2026-01-15', 'due on receipt', '2026-01-15'],
      ['2026-01-15', '  Due  On Receipt ', '2026-01-15'],
      ['2026-01-15', 'net 30', '2026-02-14'],
      ['2026-01-15', 'NET30', '2026-02-14'],
      ['2026-01-15', 'Net 0', '2026-01-15'],
      ['2024-02-15', 'net 14', '2024-02-29'],
      ['2026-12-20', 'net 15', '2027-01-04'],
      ['2026-01-15', 'eom', '2026-01-31'],
      ['2024-02-03', 'EOM', '2024-02-29'],
      ['2026-01-15', '30 eom', '2026-02-28'], // Jan 15 + 30 = Feb 14 → end of February
      ['2026-01-15', 'net 30 eom', '2026-02-28'],
      ['2026-01-31', '30 EOM', '2026-03-31'], // Jan 31 + 30 = Mar 2 → end of March
      ['2026-01-15', '0 eom', '2026-01-31'],
    ];
    for (const [issue, terms, due] of examples) assert.equal(dueDateFromTerms(issue, terms), due, terms);
  });

  test('anything else is a validation error naming paymentTerms', () => {
    for (const terms of ['net', 'net -5', 'net 30 days', '2/10 net 30', 'cod', '', 'net 99999', 'eom 30', 'net 3651']) {
      assert.equal(
        fieldOf(() => dueDateFromTerms('2026-01-15', terms)),
        'paymentTerms',
        terms,
      );
    }
    assert.equal(dueDateFromTerms('2026-01-15', 'net 3650'), '2036-01-13');
    assert.equal(
      fieldOf(() => dueDateFromTerms('2026-1-15', 'net 30')),
      'issueDate',
    );
  });
});

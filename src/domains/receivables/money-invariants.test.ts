import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { sql } from 'kysely';
import { ManualClock } from '../../core/clock.js';
import { upsertCustomer } from '../customers/customer-service.js';
import { inDomainTransaction } from '../unit-of-work.js';
import type { DomainContext } from '../contract.js';
import { registerDomainActions } from '../../domain-list.js';
import { Engine } from '../../engine/index.js';
import { AppError } from '../../core/errors.js';
import type { Database } from '../../storage/database.js';
import { openTestDatabase } from '../../testing/test-database.js';
import { chargeFee } from './fees.js';
import { recordPayment, reversePayment } from './payments.js';
import { createReceivable } from './receivable-service.js';
import { ACCOUNTS } from './receivable-ledger.js';

/**
 * Property: for any sequence of disbursements (loans), invoices, payments (partial, exact, over),
 * reversals and fees, money is never created or lost —
 *   - the ledger balances (debits = credits per currency);
 *   - the no-overdraft customer-credit account never goes below zero and equals the credits held;
 *   - schedules and allocations reconcile to the cent: every installment's paid amounts equal the
 *     allocations of the payments still standing, and the ledger's receivable accounts equal what
 *     the schedules still say is owed.
 */

type Op =
  | { kind: 'loan'; principal: number; rate: number; term: number; method: 'annuity' | 'equal_principal' }
  | { kind: 'invoice'; amount: number }
  | { kind: 'pay'; target: number; amount: number }
  | { kind: 'reverse'; target: number }
  | { kind: 'fee'; target: number; amount: number }
  | { kind: 'day'; days: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('loan' as const),
    principal: fc.integer({ min: 1, max: 5_000_000 }),
    rate: fc.integer({ min: 0, max: 3000 }),
    term: fc.integer({ min: 1, max: 24 }),
    method: fc.constantFrom('annuity' as const, 'equal_principal' as const),
  }),
  fc.record({ kind: fc.constant('invoice' as const), amount: fc.integer({ min: 1, max: 1_000_000 }) }),
  fc.record({ kind: fc.constant('pay' as const), target: fc.nat(), amount: fc.integer({ min: 1, max: 3_000_000 }) }),
  fc.record({ kind: fc.constant('pay' as const), target: fc.nat(), amount: fc.integer({ min: 1, max: 3_000_000 }) }),
  fc.record({ kind: fc.constant('reverse' as const), target: fc.nat() }),
  fc.record({ kind: fc.constant('fee' as const), target: fc.nat(), amount: fc.integer({ min: 1, max: 10_000 }) }),
  fc.record({ kind: fc.constant('day' as const), days: fc.integer({ min: 1, max: 40 }) }),
);

describe('money invariants (property)', () => {
  let database: Database;
  let context: DomainContext;
  const clock = new ManualClock('2026-01-01T09:00:00Z');
  let run = 0;

  before(async () => {
    database = await openTestDatabase();
    context = { database, clock, engine: new Engine({ database, clock }) };
    registerDomainActions(context);
  });
  after(() => database.close());

  test('random sequences of disbursements, payments, reversals and fees keep the books whole', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 14 }), async (ops) => {
        run += 1;
        const customer = `PC-${run}`;
        const receivables: string[] = [];
        const payments: string[] = [];
        await inDomainTransaction(context, { actor: 'test' }, (unit) =>
          upsertCustomer(unit, { externalId: customer, name: customer }),
        );
        for (const [i, op] of ops.entries()) {
          const day = clock.now().toISOString().slice(0, 10);
          await inDomainTransaction(context, { actor: 'test' }, async (unit) => {
            switch (op.kind) {
              case 'loan':
              case 'invoice': {
                const { receivable } = await createReceivable(unit, {
                  externalId: `${customer}-R${i}`,
                  customerExternalId: customer,
                  currency: 'EUR',
                  issueDate: day,
                  ...(op.kind === 'loan'
                    ? {
                        kind: 'loan',
                        principal: String(op.principal),
                        annualRate: (op.rate / 10_000).toFixed(4),
                        termMonths: op.term,
                        method: op.method,
                        firstDueDate: day,
                      }
                    : { kind: 'invoice', amount: String(op.amount), dueDate: day }),
                });
                receivables.push(receivable.id);
                return;
              }
              case 'pay': {
                if (!receivables.length) return;
                const { payment } = await recordPayment(unit, receivables[op.target % receivables.length]!, {
                  externalId: `${customer}-P${i}`,
                  amount: String(op.amount),
                  currency: 'EUR',
                  receivedOn: day,
                });
                payments.push(payment.id);
                return;
              }
              case 'reverse':
                if (!payments.length) return;
                await reversePayment(unit, payments[op.target % payments.length]!, 'returned');
                return;
              case 'fee':
                if (!receivables.length) return;
                await chargeFee(unit, receivables[op.target % receivables.length]!, {
                  kind: 'late_fee',
                  amount: BigInt(op.amount),
                }).catch((error: unknown) => {
                  // Fees go on open receivables only; a paid one refuses cleanly.
                  if (!(error instanceof AppError && error.code === 'receivable_not_open')) throw error;
                });
                return;
              case 'day':
                clock.advance(op.days * 86_400_000);
            }
          });
        }
        await checkBooks(database);
      }),
      { numRuns: 25 },
    );
  });
});

async function checkBooks(database: Database) {
  const db = database.db;
  const accounts = await db.selectFrom('ledger_accounts').selectAll().execute();
  const debits = accounts.reduce((s, a) => s + a.debits_posted, 0n);
  const credits = accounts.reduce((s, a) => s + a.credits_posted, 0n);
  assert.equal(debits, credits, 'trial balance');
  const balance = (code: string) => {
    const a = accounts.find((x) => x.code === code && x.currency === 'EUR');
    if (!a) return 0n;
    return a.normal_side === 'debit' ? a.debits_posted - a.credits_posted : a.credits_posted - a.debits_posted;
  };

  const sums = await sql<Record<string, string>>`
    SELECT COALESCE(SUM(principal_due - principal_paid), 0) AS principal_owed,
           COALESCE(SUM(fee_due - fee_paid), 0) AS fees_owed,
           COALESCE(SUM(interest_paid), 0) AS interest_paid
    FROM installments`.execute(db);
  const s = sums.rows[0]!;
  assert.equal(balance(ACCOUNTS.principal.code), BigInt(s.principal_owed!), 'principal owed');
  assert.equal(balance(ACCOUNTS.fees.code), BigInt(s.fees_owed!), 'fees owed');
  assert.equal(balance(ACCOUNTS.interestIncome.code), BigInt(s.interest_paid!), 'interest collected');

  const standing = await sql<{ amount: string }>`
    SELECT COALESCE(SUM(amount), 0) AS amount FROM receivable_payments WHERE status = 'posted'`.execute(db);
  assert.equal(balance(ACCOUNTS.cash.code), BigInt(standing.rows[0]!.amount), 'cash = payments standing');

  const credit = balance(ACCOUNTS.customerCredit.code);
  assert.ok(credit >= 0n, 'customer credit never negative');
  const held = await sql<{ amount: string }>`
    SELECT COALESCE(SUM((credit_balances->>'EUR')::bigint), 0) AS amount FROM customers`.execute(db);
  assert.equal(credit, BigInt(held.rows[0]!.amount), 'customer credit = credits held');

  // Every installment component: paid = allocations of payments still standing.
  const mismatches = await sql<{ receivable_id: string }>`
    WITH alloc AS (
      SELECT a.receivable_id, a.installment_seq AS seq,
             SUM(a.amount) FILTER (WHERE a.component = 'principal') AS principal,
             SUM(a.amount) FILTER (WHERE a.component = 'interest') AS interest,
             SUM(a.amount) FILTER (WHERE a.component = 'fee') AS fee
      FROM payment_allocations a JOIN receivable_payments p ON p.id = a.payment_id AND p.status = 'posted'
      GROUP BY 1, 2)
    SELECT i.receivable_id FROM installments i LEFT JOIN alloc USING (receivable_id, seq)
    WHERE i.principal_paid <> COALESCE(alloc.principal, 0) OR i.interest_paid <> COALESCE(alloc.interest, 0)
       OR i.fee_paid <> COALESCE(alloc.fee, 0)`.execute(db);
  assert.deepEqual(mismatches.rows, [], 'installments reconcile with allocations');

  const totals = await sql<{ id: string }>`
    SELECT r.id FROM receivables r JOIN (
      SELECT receivable_id, SUM(principal_due + interest_due + fee_due) AS due,
             SUM(principal_paid + interest_paid + fee_paid) AS paid,
             SUM(principal_due) AS principal
      FROM installments GROUP BY receivable_id) i ON i.receivable_id = r.id
    WHERE r.total_due <> i.due OR r.total_paid <> i.paid OR r.outstanding <> i.due - i.paid
       OR (r.kind = 'loan' AND i.principal <> r.principal)
       OR (r.status = 'paid') <> (i.due = i.paid)`.execute(db);
  assert.deepEqual(totals.rows, [], 'receivable totals reconcile with their schedules');
}

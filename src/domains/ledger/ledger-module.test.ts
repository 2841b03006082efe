import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DOMAINS } from '../../domain-list.js';
import { engineHarness, type EngineHarness } from '../../testing/engine-harness.js';
import { ledgerModule } from './ledger-module.js';
import { inDomainTransaction, type DomainWork } from '../unit-of-work.js';
import { createAccount } from './accounts.js';
import { postJournal } from './journal.js';
import type { LedgerAccount } from './ledger-model.js';
import { getTransfer, listTransfers } from './ledger-queries.js';

/** The workflow steps `ledger.post` and `ledger.expire`, run by the engine in the step's transaction. */

const CHARGE = `
key: charge-fee
name: Charge a fee
input:
  type: object
  required: [customer, amount]
  properties:
    customer: { type: string }
    amount: { type: integer }
steps:
  - id: charge
    type: action
    action: ledger.post
    with:
      journalId: "fee-{{ input.customer }}"
      reason: "late fee"
      transfers:
        - id: "fee-{{ input.customer }}.fee"
          debitAccountCode: wallet
          creditAccountCode: income:fees
          amount: "{{ input.amount }}"
          currency: EUR
          reference: "{{ instance.id }}"
        - debitAccountCode: wallet
          creditAccountCode: income:fees
          amount: "1"
          currency: EUR
  - { id: done, type: end, outcome: charged, output: "{{ steps.charge }}" }
`;

const EXPIRE = `
key: ledger-expire
name: Expire ledger holds
steps:
  - { id: expire, type: action, action: ledger.expire }
  - { id: done, type: end, outcome: expired, output: "{{ steps.expire }}" }
`;

let h: EngineHarness;
const inTx = <T>(work: (unit: DomainWork) => Promise<T>) =>
  inDomainTransaction({ database: h.database, clock: h.clock, engine: h.engine }, { actor: 'test' }, work);
let wallet: LedgerAccount;
let fees: LedgerAccount;
let cash: LedgerAccount;

before(async () => {
  h = await engineHarness();
  const context = { database: h.database, clock: h.clock, engine: h.engine };
  ledgerModule.registerActions!(context);
  ledgerModule.registerActions!(context); // idempotent: one registry may serve several engines
  [wallet, fees, cash] = await inTx(async (unit) => [
    await createAccount(
      unit,
      { code: 'wallet', currency: 'EUR', normalSide: 'credit', debitsMustNotExceedCredits: true },
      'test',
    ),
    await createAccount(unit, { code: 'income:fees', currency: 'EUR', normalSide: 'credit' }, 'test'),
    await createAccount(unit, { code: 'cash', currency: 'EUR', normalSide: 'debit' }, 'test'),
  ]);
  await inTx((unit) =>
    postJournal(unit, {
      transfers: [{ id: 'fund', debitAccountId: cash.id, creditAccountId: wallet.id, amount: 1_000n, currency: 'EUR' }],
      actor: 'test',
    }),
  );
  await h.deploy(CHARGE);
  await h.deploy(EXPIRE);
});
after(() => h.close());

describe('ledger actions', () => {
  test('the ledger module is registered in the domain list', () => {
    assert.ok(DOMAINS.includes(ledgerModule));
    assert.ok(h.engine.actions.has('ledger.post') && h.engine.actions.has('ledger.expire'));
  });

  test('ledger.post posts a journal in the step transaction, as the workflow', async () => {
    const id = await h.start('charge-fee', { customer: 'c1', amount: 250 });
    await h.drain();
    const instance = await h.instance(id);
    assert.equal(instance.status, 'completed', JSON.stringify(instance.error));
    const output = instance.output as { journalId: string; created: boolean; transferIds: string[] };
    assert.equal(output.journalId, 'fee-c1');
    assert.equal(output.created, true);
    assert.equal(output.transferIds[0], 'fee-c1.fee');
    assert.match(output.transferIds[1]!, new RegExp(`^${id}:`)); // default id: the step's idempotency key
    const fee = await getTransfer(h.database.db, 'fee-c1.fee');
    assert.deepEqual(
      [fee.amount, fee.debitAccountId, fee.creditAccountId, fee.reference, fee.postedBy],
      [250n, wallet.id, fees.id, id, `workflow:${id}`],
    );
    assert.equal((await listTransfers(h.database.db, { accountId: fees.id })).length, 2);
  });

  test('a refusal by the ledger fails the step at once, writing nothing', async () => {
    const id = await h.start('charge-fee', { customer: 'c2', amount: 5_000 });
    await h.drain();
    const instance = await h.instance(id);
    assert.equal(instance.status, 'failed');
    assert.match((instance.error as { message: string }).message, /^balance_limit_exceeded: /);
    assert.equal((instance.error as { attempt: number }).attempt, 1);
    assert.equal((await listTransfers(h.database.db, { journalId: 'fee-c2' })).length, 0);
  });

  test('the workflows in docs/ledger.md deploy', async () => {
    const doc = readFileSync(new URL('../../../docs/ledger.md', import.meta.url), 'utf8');
    const sources = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    assert.equal(sources.length, 2);
    for (const source of sources) await h.deploy(source);
  });

  test('ledger.expire releases the holds that are due', async () => {
    await inTx((unit) =>
      postJournal(unit, {
        transfers: [
          {
            id: 'hold',
            debitAccountId: wallet.id,
            creditAccountId: fees.id,
            amount: 10n,
            currency: 'EUR',
            pending: true,
            expiresAt: new Date(h.clock.now().getTime() + 60_000),
          },
        ],
        actor: 'test',
      }),
    );
    h.clock.advance(120_000);
    const id = await h.start('ledger-expire');
    await h.drain();
    const instance = await h.instance(id);
    assert.deepEqual(instance.output, { expired: 1 });
    const expiry = await getTransfer(h.database.db, 'hold.expired');
    assert.equal(expiry.postedBy, `workflow:${id}`);
  });
});

// Issue 22's payment flow in a real Chromium against a real SFTP server: a treasurer uploads a
// supplier run (three payments) on the Payment runs tab, an approver — another person — approves
// them in the inbox with the keyboard, the treasurer batches them and releases the batch from its
// page, and the pain.001 lands on the bank's SFTP server (XSD-valid). The bank's pain.002 rejects one
// transaction (collected over SFTP); a camt.053 uploaded on the statements tab books the other two
// and two customer payments — one quoting the invoice's RF reference, one only name and amount —
// which pay their overdue receivables and close their collection cases.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { validateAgainstXsd } from '../../src/adapters/iso20022/index.js';
import { APPROVAL_MATRIX_KEY, approvalMatrixJdm } from '../../src/domains/payments/policy/approval-matrix.js';
import { receivableCreditorReference } from '../../src/domains/treasury/reconciliation/creditor-reference.js';
import { switchOffAnomalyChecks } from '../../src/testing/anomaly-checks-off.js';
import { camt053 } from '../../src/testing/camt053-file.js';
import { pain002 } from '../../src/testing/pain002-file.js';
import {
  generateSshKeyPair,
  sftpConnection,
  startSftpTestServer,
  type SftpTestServer,
} from '../../src/testing/sftp-server.js';
import { testTmpDir } from '../../src/testing/test-database.js';
import {
  assertAccessible,
  choose,
  launchBrowser,
  newContext,
  screenshot,
  signIn,
  startConsoleServer,
  type ConsoleServer,
} from './harness.js';

/** An API answer, read only where the test needs it. */
interface Body {
  [field: string]: unknown;
  id: string;
  status: string;
  data: Body[];
  changes: Body[];
  tasks: Body[];
  payments: Body[];
  token: string;
}

const IBAN = 'DE89370400440532013000';
const day = (offset = 0) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

let server: ConsoleServer;
let sftp: SftpTestServer;
let browser: Browser;
let treasurer: { context: BrowserContext; page: Page };
let maker: Body; // the treasurer's API key
let account: Body;
const suppliers: Body[] = [];
let runPayments: Body[] = []; // the run's payments in file order: paid, refused, paid
const invoices = { rf: `FLOW${Date.now() % 1_000_000}`, name: `FLOW-N-${Date.now() % 1_000_000}` };
const cases: Record<string, string> = {};

async function call(method: string, path: string, json?: unknown, token?: string): Promise<Body> {
  const res = await server.call(`/api/v1${path}`, {
    method,
    ...(json !== undefined ? { json } : {}),
    ...(token ? { token } : {}),
    headers: method === 'POST' ? { 'idempotency-key': `e2e-${randomUUID()}` } : {},
  });
  const body = (await res.json()) as Body;
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Waits for what the background workers do (approval workflows, collection cases). */
async function until<T>(what: string, read: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const caseOf = async (receivableId: string) =>
  (await call('GET', '/collections/cases?limit=500')).data.find((c) => c.receivableId === receivableId);

before(async () => {
  const key = generateSshKeyPair();
  sftp = await startSftpTestServer({ authorizedKeys: [key.publicKey] });
  for (const folder of ['/outbox', '/inbox', '/archive']) mkdirSync(sftp.localPath(folder), { recursive: true });
  server = await startConsoleServer({ config: { dataDir: testTmpDir() }, secrets: { BANK_SFTP_KEY: key.privateKey } });
  browser = await launchBrowser();

  // The scenario's three supplier payments of 1 000–10 000 to suppliers entered today: the anomaly
  // checks (new beneficiary, round amounts) and the matrix's new-beneficiary row would each ask for
  // a second look. Off for this flow; both are tested on their own (payment-anomalies, payments).
  await switchOffAnomalyChecks(server);
  const matrix = approvalMatrixJdm();
  for (const node of matrix.nodes) {
    if (node.type !== 'decisionTableNode') continue;
    const table = node.content as { rules: Array<Record<string, unknown>> };
    table.rules = table.rules.filter((rule) => !JSON.stringify(rule).includes('MX_NEW_BENEFICIARY'));
  }
  const res = await server.call(`/api/v1/decisions/${APPROVAL_MATRIX_KEY}`, { method: 'PUT', json: matrix });
  assert.equal(res.status, 201, await res.text());

  maker = await call('POST', '/api-keys', { name: 'flow-maker', role: 'treasurer', owner: server.email('treasurer') });
  const checker = await call('POST', '/api-keys', { name: 'flow-checker', role: 'payment_approver' });
  account = await call('POST', '/bank-accounts', {
    name: 'Commerzbank EUR',
    currency: 'EUR',
    iban: IBAN,
    bic: 'COBADEFFXXX',
    ownerName: 'Finflow Lending GmbH',
    ledgerAccount: 'cash:bank:flow',
    pain001Version: 'pain.001.001.09',
  });
  await call('PUT', `/bank-accounts/${account.id}/connection`, {
    connection: sftpConnection(sftp),
  });
  const details = [
    ['Acme SARL', 'FR1420041010050500013M02606'],
    ['Globex GmbH', 'DE75512108001245126199'],
    ['Initech BV', 'NL91ABNA0417164300'],
  ];
  for (const [name, iban] of details) {
    const b = await call('POST', '/beneficiaries', { name, kind: 'supplier', bankDetails: { iban } }, maker.token);
    await call('POST', `/beneficiaries/${b.id}/changes/${b.changes[0]?.id}/approve`, {}, checker.token);
    suppliers.push(b);
  }

  // Two overdue invoices, each with its collection case (opened by the collections-case workflow at
  // close of business): one the customer pays quoting its RF reference, one by name and amount only.
  const customers = [
    ['C-FLOW-RF', 'Zephyr Logistics SL', invoices.rf, '84210'],
    ['C-FLOW-NAME', 'Quillon Textiles SA', invoices.name, '123457'],
  ] as const;
  for (const [externalId, name, invoice, amount] of customers) {
    await call('POST', '/customers', { externalId, name, email: `${externalId.toLowerCase()}@example.com` });
    await call('POST', '/receivables', {
      externalId: invoice,
      customerExternalId: externalId,
      kind: 'invoice',
      currency: 'EUR',
      issueDate: day(-40),
      amount,
      dueDate: day(-10),
    });
  }
  await call('POST', '/receivables/close-of-business', { asOf: day() });
  for (const invoice of Object.values(invoices)) {
    const receivable = await call('GET', `/receivables/${invoice}`);
    assert.ok(Number(receivable.dpd) > 0, `${invoice} is overdue`);
    const found = await until(`the collection case of ${invoice}`, () => caseOf(receivable.id));
    assert.equal(found.status, 'open');
    cases[invoice] = found.id;
  }
});
after(async () => {
  await browser?.close();
  await server?.close();
  await sftp?.close();
});

test('a treasurer uploads a supplier run: a wrong file is refused line by line, the right one makes three payments', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  treasurer = { context, page };
  await signIn(page, server, 'treasurer');
  await page.goto(`${server.url}/payments?tab=runs`);
  await page.getByRole('tab', { name: 'Payment runs', selected: true }).waitFor();
  await choose(page, 'Debtor account', 'Commerzbank EUR (EUR)');
  const upload = async (name: string, csv: string) =>
    page.locator('input[type=file]').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });

  // Every problem, by line and column; nothing created.
  await upload(
    'suppliers-bad.csv',
    `beneficiaryId,amount,remittance\n${suppliers[0]!.id},12.345,Invoice A-1\nben_nope,100.00,Invoice A-2\n`,
  );
  const problems = page.getByRole('table', { name: 'Problems in the file' });
  await page.getByText('suppliers-bad.csv: 2 problems').waitFor();
  await problems.getByRole('row', { name: /^2 amount 12\.345 .*3 decimal places/ }).waitFor();
  await problems.getByRole('row', { name: /^3 beneficiaryId ben_nope/ }).waitFor();
  await screenshot(page, 'payments-run-refused');
  assert.equal((await call('GET', '/payment-runs')).data.length, 0);

  await upload(
    'suppliers-december.csv',
    [
      'beneficiaryId,amount,remittance,sourceRef',
      `${suppliers[0]!.id},1500.00,Invoice ACME-501,SUP-501`,
      `${suppliers[1]!.id},2750.50,Invoice GLX-502,SUP-502`,
      `${suppliers[2]!.id},3200.00,Invoice INI-503,SUP-503`,
    ].join('\n'),
  );
  const result = page.getByRole('region', { name: 'The run just created' });
  await result.getByText('suppliers-december.csv: 3 payments created, pending approval').waitFor();
  await result.getByText('€7,450.50').first().waitFor();
  const listed = result.getByRole('table', { name: /^Payments of prr_/ });
  await listed.getByRole('row', { name: /Acme SARL.*€1,500\.00/ }).waitFor();
  await listed.getByRole('row', { name: /Initech BV.*€3,200\.00/ }).waitFor();
  await assertAccessible(page, 'payment runs');
  await screenshot(page, 'payments-run-uploaded');

  const runs = (await call('GET', '/payment-runs')).data;
  assert.deepEqual(
    runs.map((r) => [r.paymentCount, r.totals]),
    [[3, [{ amount: '745050', currency: 'EUR' }]]],
  );
  const run = await call('GET', `/payment-runs/${runs[0]!.id}`);
  runPayments = run.payments.map((p) => p.payment as Body);
  assert.deepEqual(
    runPayments.map((p) => [p.beneficiaryId, p.amount, p.bankAccountId, p.createdBy !== undefined]),
    [
      [suppliers[0]!.id, '150000', account.id, true],
      [suppliers[1]!.id, '275050', account.id, true],
      [suppliers[2]!.id, '320000', account.id, true],
    ],
  );
  // The run's page, from the list of runs.
  await page.getByRole('group', { name: 'Payment runs' }).getByRole('link', { name: runs[0]!.id }).click();
  await page.getByRole('heading', { level: 1, name: `Payment run ${runs[0]!.id}` }).waitFor();
  await page
    .getByRole('table', { name: `Payments of ${runs[0]!.id}` })
    .getByText('Globex GmbH')
    .waitFor();
  await screenshot(page, 'payments-run-page');
});

test('an approver, not the maker, approves the three payments in the inbox with the keyboard', async () => {
  for (const p of runPayments) {
    await until(`the approval task of ${p.id}`, async () => {
      const payment = await call('GET', `/payments/${p.id}`);
      return payment.tasks.some((t) => t.status === 'open') ? payment : undefined;
    });
  }
  const context = await newContext(browser);
  const page = await context.newPage();
  await signIn(page, server, 'payment_approver');
  await page.goto(`${server.url}/payments?tab=approvals`);
  const inbox = page.getByRole('group', { name: 'Payments awaiting my approval' });
  const rows = runPayments.map((p) => inbox.getByRole('row', { name: new RegExp(String(p.endToEndId)) }));
  await rows[1]!.getByText('Globex GmbH').waitFor();
  await rows[1]!.getByText('€2,750.50').waitFor();
  await rows[1]!.getByText('Invoice GLX-502').waitFor();
  await screenshot(page, 'payments-flow-approvals');
  for (let left = 3; left > 0; left--) {
    await inbox.focus();
    await page.keyboard.press('a');
    await until(`${left - 1} run payments left in the inbox`, async () => {
      let shown = 0;
      for (const row of rows) shown += await row.count();
      return shown === left - 1 ? true : undefined;
    });
  }
  await screenshot(page, 'payments-flow-approved');
  const approvedBy = (await call('GET', `/users?search=${encodeURIComponent(server.email('payment_approver'))}`))
    .data[0]!.id;
  for (const p of runPayments) {
    const payment = await until(`${p.id} approved`, async () => {
      const now = await call('GET', `/payments/${p.id}`);
      return now.status === 'approved' ? now : undefined;
    });
    assert.deepEqual(
      (payment.approvals as Body[]).map((a) => [a.by, a.outcome]),
      [[approvedBy, 'approve']],
    );
    assert.notEqual(payment.createdBy, approvedBy);
  }
  await context.close();
});

test('the treasurer releases the batch from its page and the pain.001 arrives on the SFTP server', async () => {
  const batches = await call('POST', '/payment-batches', {}, maker.token);
  assert.equal(batches.data.length, 1);
  const batch = batches.data[0]!;
  assert.deepEqual([batch.numberOfTransactions, batch.controlSum], [3, '745050']);
  const { page } = treasurer;
  await page.goto(`${server.url}/payments?tab=batches`);
  await page.getByRole('group', { name: 'Payment batches' }).getByRole('link', { name: batch.id }).click();
  await page.getByRole('button', { name: 'Release' }).click();
  const dialog = page.getByRole('dialog', { name: 'Release this batch to the bank?' });
  await dialog.getByText('€7,450.50').waitFor();
  await screenshot(page, 'payments-flow-release');
  await dialog.getByRole('button', { name: 'Release' }).click();
  await page.getByText(/sftp:/).waitFor();
  await screenshot(page, 'payments-flow-released');

  const xml = readFileSync(sftp.localPath(`/outbox/${String(batch.fileName)}`), 'utf8');
  assert.deepEqual((await validateAgainstXsd(xml, batch.pain001Version as 'pain.001.001.09')).errors, []);
  for (const p of runPayments) assert.ok(xml.includes(`<EndToEndId>${String(p.endToEndId)}</EndToEndId>`));
  assert.deepEqual(readdirSync(sftp.localPath('/outbox')), [batch.fileName]);

  // The bank refuses the second transfer (AC04: account closed), collected from the SFTP inbox.
  const refused = await call('GET', `/payments/${runPayments[1]!.id}`);
  writeFileSync(
    sftp.localPath('/inbox/status-1.xml'),
    pain002({
      messageId: `STS-${randomUUID().slice(0, 8)}`,
      originalMessageId: String(batch.messageId),
      groupStatus: 'PART',
      blocks: [
        {
          id: String(refused.paymentInformationId),
          transactions: runPayments.map((p, i) =>
            i === 1
              ? { endToEndId: String(p.endToEndId), status: 'RJCT', reasons: [{ code: 'AC04' }] }
              : { endToEndId: String(p.endToEndId), status: 'ACCP' },
          ),
        },
      ],
    }),
  );
  const collected = await call('POST', `/bank-accounts/${account.id}/collect`, {}, maker.token);
  assert.deepEqual(
    (collected.files as Body[]).map((f) => [f.name, f.kind]),
    [['status-1.xml', 'status_report']],
  );
  assert.deepEqual(await Promise.all(runPayments.map(async (p) => (await call('GET', `/payments/${p.id}`)).status)), [
    'accepted',
    'rejected',
    'accepted',
  ]);
});

test('a camt.053 uploaded in the console settles the two payments and pays two invoices, closing their cases', async () => {
  const { page } = treasurer;
  const rf = receivableCreditorReference(invoices.rf);
  assert.ok(rf);
  const file = camt053(
    {
      messageId: 'MSG-FLOW-1',
      statementId: 'FLOW-STMT-1',
      iban: IBAN,
      currency: 'EUR',
      opening: 5_000_000n,
      date: day(),
    },
    [
      {
        amount: 150_000n,
        direction: 'DBIT',
        bookingDate: day(),
        endToEndId: String(runPayments[0]!.endToEndId),
        counterpartyName: 'Acme SARL',
        accountServicerReference: 'FLOW-B1',
      },
      {
        amount: 320_000n,
        direction: 'DBIT',
        bookingDate: day(),
        endToEndId: String(runPayments[2]!.endToEndId),
        counterpartyName: 'Initech BV',
        accountServicerReference: 'FLOW-B2',
      },
      {
        amount: 84_210n,
        direction: 'CRDT',
        bookingDate: day(),
        creditorReference: rf,
        counterpartyName: 'ZEPHYR LOGISTICS',
        accountServicerReference: 'FLOW-B3',
      },
      {
        amount: 123_457n,
        direction: 'CRDT',
        bookingDate: day(),
        unstructured: 'payment december',
        counterpartyName: 'Quillon Textiles S.A.',
        accountServicerReference: 'FLOW-B4',
      },
    ],
  );
  await page.goto(`${server.url}/treasury?tab=statements`);
  await page
    .locator('input[type=file]')
    .setInputFiles({ name: 'commerzbank-eod.xml', mimeType: 'application/xml', buffer: Buffer.from(file) });
  const result = page.getByRole('region', { name: 'What the import changed' });
  await result.getByText('commerzbank-eod.xml: 4 entries added, 0 already imported').waitFor();
  await result.getByText('4 matched, 0 partly matched, 0 exceptions').waitFor();
  await result.getByRole('group', { name: 'Entries of FLOW-STMT-1' }).getByText('€842.10').waitFor();
  await screenshot(page, 'payments-flow-statement');

  assert.deepEqual(await Promise.all(runPayments.map(async (p) => (await call('GET', `/payments/${p.id}`)).status)), [
    'settled',
    'rejected',
    'settled',
  ]);
  const rejected = await call('GET', `/payments/${runPayments[1]!.id}`);
  const rejection = rejected.rejection as { code: string; bank: { reason: { code: string } } };
  assert.deepEqual([rejection.code, rejection.bank.reason.code], ['rejected_by_bank', 'AC04']);
  for (const invoice of Object.values(invoices)) {
    const receivable = await call('GET', `/receivables/${invoice}`);
    assert.deepEqual([receivable.status, receivable.outstanding], ['paid', '0'], invoice);
    const closed = await until(`the case of ${invoice} closed`, async () => {
      const c = await call('GET', `/collections/cases/${cases[invoice]}`);
      return c.status === 'closed' ? c : undefined;
    });
    assert.equal(closed.outcome, 'paid');
  }
  // The payments list shows where each one ended.
  await page.goto(`${server.url}/payments?tab=runs`);
  await page.getByRole('group', { name: 'Payment runs' }).getByRole('link').first().click();
  const table = page.getByRole('table', { name: /^Payments of prr_/ });
  await table.getByRole('row', { name: /Globex GmbH.*rejected/ }).waitFor();
  await table.getByRole('row', { name: /Acme SARL.*settled/ }).waitFor();
  await screenshot(page, 'payments-flow-run-after');
  await treasurer.context.close();
});

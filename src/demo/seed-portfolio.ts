import { updateCollectionsSettings } from '../domains/collections/collections-settings.js';
import { demoEmail } from './seed-users.js';
import { submitApplication } from '../domains/credit/applications.js';
import type { ApplicationInput } from '../domains/credit/application-input.js';
import { inDomainTransaction } from '../domains/unit-of-work.js';
import type { DomainContext } from '../domains/contract.js';
import { addDays, addMonthsClamped } from '../domains/receivables/schedule/due-dates.js';
import { syncRows, type SyncKind } from '../domains/sync/sync-service.js';

/**
 * A small demo portfolio — customers writing in English, Spanish and Chinese, loans and invoices
 * in every delinquency bucket, a few payments — dated relative to today, so a new user sees days
 * past due and buckets at once. Loaded through the same bulk sync a core system uses. Only on an
 * empty portfolio: dates move with the calendar, so a second load would not be the same rows.
 * Three credit applications come in too; with no bureau configured they wait for a credit officer.
 * The overdue accounts open collection cases, worked by the demo's collectors.
 */
export async function seedPortfolio(context: DomainContext, actor = 'system:demo'): Promise<{ loaded: boolean }> {
  const any = await context.database.db.selectFrom('customers').select('id').limit(1).executeTakeFirst();
  if (any) return { loaded: false };
  const today = context.clock.now().toISOString().slice(0, 10);
  const ago = (days: number) => addDays(today, -days);

  const customers = [
    {
      externalId: 'DEMO-C1',
      name: 'Emma Clarke',
      language: 'en',
      timeZone: 'Europe/London',
      email: 'emma@example.com',
      segment: 'consumer',
      riskRating: 'A',
    },
    {
      externalId: 'DEMO-C2',
      name: 'Lucía Fernández',
      language: 'es',
      timeZone: 'Europe/Madrid',
      email: 'lucia@example.es',
      segment: 'consumer',
      riskRating: 'B',
    },
    {
      externalId: 'DEMO-C3',
      name: '王伟',
      language: 'zh-CN',
      timeZone: 'Asia/Shanghai',
      phone: '+86 138 0013 8000',
      segment: 'consumer',
      riskRating: 'C',
    },
    {
      externalId: 'DEMO-C4',
      name: 'Northwind Traders Ltd',
      language: 'en',
      timeZone: 'America/New_York',
      email: 'ap@northwind.example',
      segment: 'b2b',
      riskRating: 'B',
      creditLimit: '5000000',
      limitCurrency: 'EUR',
    },
    {
      externalId: 'DEMO-C5',
      name: 'Distribuciones Sol S.L.',
      language: 'es',
      timeZone: 'Europe/Madrid',
      email: 'pagos@sol.example.es',
      segment: 'b2b',
      riskRating: 'D',
      creditLimit: '1000000',
      limitCurrency: 'EUR',
    },
    {
      externalId: 'DEMO-C6',
      name: '上海明华贸易有限公司',
      language: 'zh-CN',
      timeZone: 'Asia/Shanghai',
      email: 'finance@minghua.example.cn',
      segment: 'b2b',
      riskRating: 'C',
    },
  ];
  const loan = (externalId: string, customer: string, principal: string, firstDueDaysAgo: number, termMonths = 12) => ({
    externalId,
    customerExternalId: customer,
    kind: 'loan',
    currency: 'EUR',
    issueDate: addMonthsClamped(ago(firstDueDaysAgo), -1),
    principal,
    annualRate: '0.129',
    termMonths,
    method: 'annuity',
    firstDueDate: ago(firstDueDaysAgo),
  });
  const invoice = (externalId: string, customer: string, amount: string, dueDaysAgo: number) => ({
    externalId,
    customerExternalId: customer,
    kind: 'invoice',
    currency: 'EUR',
    issueDate: ago(dueDaysAgo + 30),
    dueDate: ago(dueDaysAgo),
    lines: [{ description: 'Goods delivered', quantity: '1', unitPrice: amount, taxRate: '0.21' }],
  });
  const receivables = [
    loan('DEMO-L1', 'DEMO-C1', '1200000', -20), // current: first installment due in 20 days
    loan('DEMO-L2', 'DEMO-C2', '800000', 12), // 1-30
    loan('DEMO-L3', 'DEMO-C3', '500000', 45), // 31-60
    loan('DEMO-L4', 'DEMO-C2', '300000', 75, 6), // 61-90
    loan('DEMO-L5', 'DEMO-C3', '250000', 130, 6), // 90+
    invoice('DEMO-I1', 'DEMO-C4', '420000', -10), // not yet due
    invoice('DEMO-I2', 'DEMO-C5', '960000', 20), // 1-30, over the customer's limit
    invoice('DEMO-I3', 'DEMO-C6', '158000', 95), // 90+
    invoice('DEMO-I4', 'DEMO-C4', '75000', 5), // paid below, late
  ];
  const payments = [
    { externalId: 'DEMO-P1', receivableExternalId: 'DEMO-I4', amount: '90750', currency: 'EUR', receivedOn: ago(1) },
    { externalId: 'DEMO-P2', receivableExternalId: 'DEMO-L2', amount: '30000', currency: 'EUR', receivedOn: ago(2) },
  ];
  const load = async (kind: SyncKind, rows: unknown[]) => {
    const report = await syncRows(context, kind, rows, { mode: 'all_or_nothing', actor });
    if (!report.committed)
      throw new Error(`demo ${kind} did not load: ${JSON.stringify(report.rows.filter((r) => r.errors))}`);
  };
  await load('customers', customers);
  await load('receivables', receivables);
  await load('payments', payments);
  await inDomainTransaction(context, { actor }, async (unit) => {
    for (const application of demoApplications) await submitApplication(unit, application, actor);
    // The demo's collectors: with the demo users (seeded first by `serve --demo`), every call goes to
    // the demo collector, so who signs in as collector@demo.finflow.test finds them in My work;
    // without them, to examples/queues.json's ana and ben by the customer's language.
    const demoCollector = await unit.tx
      .selectFrom('users')
      .select('id')
      .where('email', '=', demoEmail('collector'))
      .executeTakeFirst();
    await updateCollectionsSettings(unit, {
      collectors: demoCollector
        ? [{ user: demoCollector.id, languages: ['en', 'es', 'zh'], segments: [], active: true }]
        : [
            { user: 'ana', languages: ['en', 'es'], segments: [], active: true },
            { user: 'ben', languages: ['zh', 'en'], segments: [], active: true },
          ],
    });
  });
  return { loaded: true };
}

const application = (
  applicant: ApplicationInput['applicant'],
  terms: Pick<ApplicationInput, 'amount' | 'termMonths' | 'purpose' | 'monthlyIncome' | 'monthlyExpenses'>,
): ApplicationInput => ({
  applicant,
  product: 'personal-loan',
  currency: 'EUR',
  employment: { status: 'employed', monthsInJob: 48 },
  consent: { bureauCheck: true },
  ...terms,
});

const demoApplications: ApplicationInput[] = [
  application(
    {
      externalId: 'DEMO-C7',
      name: 'Sofía Martín',
      dateOfBirth: '1990-05-17',
      email: 'sofia@example.es',
      language: 'es',
    },
    { amount: '600000', termMonths: 36, purpose: 'car', monthlyIncome: '320000', monthlyExpenses: '110000' },
  ),
  application(
    { externalId: 'DEMO-C1', name: 'Emma Clarke', dateOfBirth: '1984-09-02', email: 'emma.clarke@example.org' },
    {
      amount: '250000',
      termMonths: 12,
      purpose: 'home improvement',
      monthlyIncome: '410000',
      monthlyExpenses: '150000',
    },
  ),
  application(
    { externalId: 'DEMO-C8', name: '李娜', dateOfBirth: '1979-12-30', language: 'zh-CN', timeZone: 'Asia/Shanghai' },
    { amount: '4000000', termMonths: 60, purpose: 'business', monthlyIncome: '900000', monthlyExpenses: '300000' },
  ),
];

// Payments and treasury: payment instructions, the approvals waiting for me, CSV payment runs, payables
// and recurring payments, their batches (pain.001 files) and release, imported bank statements (and an
// upload) with their entries, the reconciliation exceptions a person works, beneficiaries with their
// bank-detail changes, and the bank accounts.
// Tabs and write controls are shown only to those who hold the permission.
import './locales';
import './work-locales';
import './treasury-locales';
import './run-locales';
import './scheduled-locales';
import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useSearchParams } from 'react-router-dom';
import { IfAllowed, RequirePermission } from '../../components/guard';
import { PageHeader } from '../../components/page';
import { useSession } from '../../session/session';
import { ApprovalsInbox } from './approvals';
import { BankAccountPage, BankAccountsList } from './bank-account-pages';
import { BatchPage, BatchesList } from './batch-pages';
import { BeneficiariesList, BeneficiaryPage } from './beneficiary-pages';
import { ExceptionsList } from './exceptions';
import { ForecastTab } from './forecast';
import { PayablesTab } from './payable-pages';
import { PaymentPage, PaymentsList } from './payment-pages';
import { RecurringList, RecurringPage } from './recurring-pages';
import { RunPage, RunsTab } from './run-pages';
import { StatementPage, StatementsList } from './statement-pages';
import { StatementUpload } from './statement-upload';

function PaymentsHome() {
  const { t } = useTranslation('payments');
  const { t: tw } = useTranslation('payments-work');
  const { t: tt } = useTranslation('payments-treasury');
  const { t: tr } = useTranslation('payments-runs');
  const { t: ts } = useTranslation('payments-scheduled');
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'payments';
  const statements = (
    <>
      <IfAllowed permission="statements:import">
        <StatementUpload />
      </IfAllowed>
      <StatementsList />
    </>
  );
  return (
    <>
      <PageHeader title={t('title')} sub={t('sub')} />
      <Tabs
        activeKey={tab}
        destroyInactiveTabPane
        onChange={(key) => setParams({ tab: key }, { replace: true })}
        items={[
          { key: 'payments', label: t('tabs.payments'), children: <PaymentsList /> },
          ...(can('tasks:work')
            ? [{ key: 'approvals', label: tw('tabs.approvals'), children: <ApprovalsInbox /> }]
            : []),
          { key: 'runs', label: tr('tab'), children: <RunsTab /> },
          { key: 'payables', label: ts('tabs.payables'), children: <PayablesTab /> },
          { key: 'recurring', label: ts('tabs.recurring'), children: <RecurringList /> },
          { key: 'batches', label: t('tabs.batches'), children: <BatchesList /> },
          { key: 'statements', label: t('tabs.statements'), children: statements },
          { key: 'exceptions', label: t('tabs.exceptions'), children: <ExceptionsList /> },
          { key: 'beneficiaries', label: tw('tabs.beneficiaries'), children: <BeneficiariesList /> },
          { key: 'accounts', label: tw('tabs.accounts'), children: <BankAccountsList /> },
          { key: 'forecast', label: tt('tabs.forecast'), children: <ForecastTab /> },
        ]}
      />
    </>
  );
}

export default function PaymentsArea() {
  return (
    <RequirePermission permission="payments:read">
      <Routes>
        <Route index element={<PaymentsHome />} />
        <Route path="batches/:id" element={<BatchPage />} />
        <Route path="runs/:id" element={<RunPage />} />
        <Route path="recurring/:id" element={<RecurringPage />} />
        <Route path="statements/:id" element={<StatementPage />} />
        <Route path="beneficiaries/:id" element={<BeneficiaryPage />} />
        <Route path="bank-accounts/:id" element={<BankAccountPage />} />
        <Route path=":id" element={<PaymentPage />} />
      </Routes>
    </RequirePermission>
  );
}

// Payments: payment instructions, the approvals waiting for me, CSV payment runs, payables and
// recurring payments, their batches (pain.001 files) and release, and beneficiaries with their
// bank-detail changes. What comes back from the bank — statements, reconciliation, positions, the
// forecast — is the treasury area (pages/treasury), which shares this folder's pages.
// Tabs and write controls are shown only to those who hold the permission.
import './locales';
import './work-locales';
import './treasury-locales';
import './run-locales';
import './scheduled-locales';
import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useParams, useSearchParams } from 'react-router-dom';
import { RequirePermission } from '../../components/guard';
import { PageHeader } from '../../components/page';
import { useSession } from '../../session/session';
import { ApprovalsInbox } from './approvals';
import { BatchPage, BatchesList } from './batch-pages';
import { BeneficiariesList, BeneficiaryPage } from './beneficiary-pages';
import { PayablesTab } from './payable-pages';
import { PaymentPage, PaymentsList } from './payment-pages';
import { RecurringList, RecurringPage } from './recurring-pages';
import { RunPage, RunsTab } from './run-pages';
import { TREASURY_TABS } from './shared';

function PaymentsHome() {
  const { t } = useTranslation('payments');
  const { t: tw } = useTranslation('payments-work');
  const { t: tr } = useTranslation('payments-runs');
  const { t: ts } = useTranslation('payments-scheduled');
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'payments';
  // Links kept from before the treasury area had its own place.
  if ((TREASURY_TABS as readonly string[]).includes(tab)) return <Navigate to={`/treasury?tab=${tab}`} replace />;
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
          { key: 'beneficiaries', label: tw('tabs.beneficiaries'), children: <BeneficiariesList /> },
        ]}
      />
    </>
  );
}

/** A statement's or bank account's page under its old /payments address. */
function MovedToTreasury({ kind }: { kind: 'statements' | 'bank-accounts' }) {
  const { id = '' } = useParams();
  return <Navigate to={`/treasury/${kind}/${encodeURIComponent(id)}`} replace />;
}

export default function PaymentsArea() {
  return (
    <RequirePermission permission="payments:read">
      <Routes>
        <Route index element={<PaymentsHome />} />
        <Route path="batches/:id" element={<BatchPage />} />
        <Route path="runs/:id" element={<RunPage />} />
        <Route path="recurring/:id" element={<RecurringPage />} />
        <Route path="statements/:id" element={<MovedToTreasury kind="statements" />} />
        <Route path="beneficiaries/:id" element={<BeneficiaryPage />} />
        <Route path="bank-accounts/:id" element={<MovedToTreasury kind="bank-accounts" />} />
        <Route path=":id" element={<PaymentPage />} />
      </Routes>
    </RequirePermission>
  );
}

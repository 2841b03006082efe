// Payments and treasury: payment instructions, their batches (pain.001 files) and release, imported
// bank statements with their entries, and the reconciliation exceptions a person works. Write
// controls (release, match, ignore) are shown only to those who hold the permission.
import './locales';
import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useSearchParams } from 'react-router-dom';
import { RequirePermission } from '../../components/guard';
import { PageHeader } from '../../components/page';
import { BatchPage, BatchesList } from './batch-pages';
import { ExceptionsList } from './exceptions';
import { PaymentPage, PaymentsList } from './payment-pages';
import { StatementPage, StatementsList } from './statement-pages';

function PaymentsHome() {
  const { t } = useTranslation('payments');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'payments';
  return (
    <>
      <PageHeader title={t('title')} sub={t('sub')} />
      <Tabs
        activeKey={tab}
        destroyInactiveTabPane
        onChange={(key) => setParams({ tab: key }, { replace: true })}
        items={[
          { key: 'payments', label: t('tabs.payments'), children: <PaymentsList /> },
          { key: 'batches', label: t('tabs.batches'), children: <BatchesList /> },
          { key: 'statements', label: t('tabs.statements'), children: <StatementsList /> },
          { key: 'exceptions', label: t('tabs.exceptions'), children: <ExceptionsList /> },
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
        <Route path="statements/:id" element={<StatementPage />} />
        <Route path=":id" element={<PaymentPage />} />
      </Routes>
    </RequirePermission>
  );
}

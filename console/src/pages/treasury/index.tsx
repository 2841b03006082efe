// Treasury: what comes back from the banks and what it means for cash — the bank accounts with their
// positions, imported statements (and an upload) with their entries, the reconciliation exceptions a
// person works, and the 13-week cash forecast. The pages live beside the payments area's
// (pages/payments), whose words and helpers they share; this is the area's own place in the menu.
// Tabs and write controls are shown only to those who hold the permission.
import '../payments/locales';
import '../payments/work-locales';
import '../payments/treasury-locales';
import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useSearchParams } from 'react-router-dom';
import { IfAllowed, RequirePermission } from '../../components/guard';
import { PageHeader } from '../../components/page';
import { BankAccountPage, BankAccountsList } from '../payments/bank-account-pages';
import { ExceptionsList } from '../payments/exceptions';
import { ForecastTab } from '../payments/forecast';
import { TREASURY_TABS } from '../payments/shared';
import { StatementPage, StatementsList } from '../payments/statement-pages';
import { StatementUpload } from '../payments/statement-upload';

type TreasuryTab = (typeof TREASURY_TABS)[number];

function TreasuryHome() {
  const { t } = useTranslation('payments');
  const { t: tw } = useTranslation('payments-work');
  const { t: tt } = useTranslation('payments-treasury');
  const [params, setParams] = useSearchParams();
  const asked = params.get('tab');
  const tab: TreasuryTab = (TREASURY_TABS as readonly string[]).includes(asked ?? '')
    ? (asked as TreasuryTab)
    : 'accounts';
  const items: Array<{ key: TreasuryTab; label: string; children: React.ReactNode }> = [
    { key: 'accounts', label: tw('tabs.accounts'), children: <BankAccountsList /> },
    {
      key: 'statements',
      label: t('tabs.statements'),
      children: (
        <>
          <IfAllowed permission="statements:import">
            <StatementUpload />
          </IfAllowed>
          <StatementsList />
        </>
      ),
    },
    { key: 'exceptions', label: t('tabs.exceptions'), children: <ExceptionsList /> },
    { key: 'forecast', label: tt('tabs.forecast'), children: <ForecastTab /> },
  ];
  return (
    <>
      <PageHeader title={tt('title')} sub={tt('sub')} />
      <Tabs
        activeKey={tab}
        destroyInactiveTabPane
        onChange={(key) => setParams({ tab: key }, { replace: true })}
        items={items}
      />
    </>
  );
}

export default function TreasuryArea() {
  return (
    <RequirePermission permission="payments:read">
      <Routes>
        <Route index element={<TreasuryHome />} />
        <Route path="statements/:id" element={<StatementPage />} />
        <Route path="bank-accounts/:id" element={<BankAccountPage />} />
      </Routes>
    </RequirePermission>
  );
}

// The organisation's bank accounts: the list (configuration, a handful) and one account with its bank
// details, the ledger cash account it is tied to, its pain.001 version, and the statements imported
// for it (the latest closing balance is the bank's side of the account).
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import { AccountPositionCard, CentralPositions } from './positions';
import { StatementsList } from './statement-pages';
import {
  DetailsCard,
  EmptyText,
  L,
  accountText,
  bankAccountPath,
  h2,
  useBankAccounts,
  type BankAccount,
} from './shared';

const ledgerPath = (id: string) => `/ledger/accounts/${encodeURIComponent(id)}`;

function AccountStatus({ status }: { status: BankAccount['status'] }) {
  const { t } = useTranslation('payments-work');
  return <Tag color={status === 'active' ? 'success' : 'default'}>{t(`accountStatus.${status}`)}</Tag>;
}

/** The ledger account's code, linked to its page for those who read the ledger. */
function LedgerLink({ account }: { account: BankAccount }) {
  const { can } = useSession();
  return can('ledger:read') ? (
    <L to={ledgerPath(account.ledgerAccountId)}>{account.ledgerAccount}</L>
  ) : (
    <>{account.ledgerAccount}</>
  );
}

export function BankAccountsList() {
  const { t } = useTranslation('payments-work');
  const navigate = useNavigate();
  // The same read as every page's account names: all of them (the route's maximum page of 500).
  const { query } = useBankAccounts();
  return (
    <>
      <CentralPositions />
      <Card title={h2(t('accounts.list'))}>
        <ErrorAlert error={query.error} />
        <KeyTable<BankAccount>
          label={t('accounts.list')}
          rowKey={(a) => a.id}
          loading={query.isPending}
          dataSource={query.data?.data ?? []}
          locale={{ emptyText: <EmptyText text={t('accounts.none')} /> }}
          onOpen={(a) => void navigate(bankAccountPath(a.id))}
          columns={[
            { title: t('accounts.name'), key: 'name', render: (_, a) => <L to={bankAccountPath(a.id)}>{a.name}</L> },
            { title: t('accounts.account'), key: 'account', render: (_, a) => accountText(a) },
            { title: t('accounts.bic'), key: 'bic', render: (_, a) => a.bic ?? '—' },
            { title: t('accounts.currency'), dataIndex: 'currency' },
            { title: t('accounts.ledger'), key: 'ledger', render: (_, a) => <LedgerLink account={a} /> },
            { title: t('accounts.pain001'), dataIndex: 'pain001Version' },
            { title: t('accounts.status'), key: 'status', render: (_, a) => <AccountStatus status={a.status} /> },
          ]}
        />
      </Card>
    </>
  );
}

export function BankAccountPage() {
  const { t } = useTranslation('payments-work');
  const fmt = useFormat();
  const navigate = useNavigate();
  const id = useParams().id ?? '';
  const query = useQuery({
    queryKey: ['payments', 'bank-account', id],
    queryFn: () => unwrap(api.GET('/bank-accounts/{id}', { params: { path: { id } } })),
  });
  const a = query.data;
  return (
    <>
      <PageHeader
        title={a?.name ?? id}
        sub={a ? `${accountText(a)} · ${a.currency}` : undefined}
        extra={<Button onClick={() => void navigate('/treasury?tab=accounts')}>{t('common:actions.back')}</Button>}
      />
      <ErrorAlert error={query.error} />
      {query.isPending && <Card loading />}
      {a && (
        <DetailsCard
          title={t('account.details')}
          items={[
            { key: 'account', label: t('accounts.account'), children: <strong>{accountText(a)}</strong> },
            { key: 'bic', label: t('accounts.bic'), children: a.bic ?? '—' },
            { key: 'currency', label: t('accounts.currency'), children: a.currency },
            { key: 'owner', label: t('account.owner'), children: a.ownerName },
            { key: 'country', label: t('account.country'), children: a.country },
            { key: 'status', label: t('accounts.status'), children: <AccountStatus status={a.status} /> },
            { key: 'ledger', label: t('accounts.ledger'), children: <LedgerLink account={a} /> },
            { key: 'pain', label: t('accounts.pain001'), children: a.pain001Version },
            // Value dates: the bank's business days and the time after which today is no longer one.
            { key: 'calendar', label: t('account.calendar'), children: a.calendar ?? t('account.calendarNone') },
            {
              key: 'cutOff',
              label: t('account.cutOff'),
              children: a.cutOffTime
                ? t(a.calendar ? 'account.cutOffLocal' : 'account.cutOffUtc', { time: a.cutOffTime })
                : t('account.cutOffNone'),
            },
            {
              key: 'created',
              label: t('account.created'),
              children: t('by', { at: fmt.dateTime(a.createdAt), by: a.createdBy }),
            },
          ]}
        />
      )}
      {a && <AccountPositionCard bankAccountId={a.id} />}
      {a && <StatementsList bankAccountId={a.id} />}
    </>
  );
}

// Bank positions (GET /treasury/positions): the central position per currency above the bank accounts,
// and one account's own position on its page — the bank's side (latest statement) against the books,
// and the value-dated balance once the approved payments the bank has not booked yet leave.
import { useQuery } from '@tanstack/react-query';
import { Card, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { useFormat } from '../../i18n/format';
import { DetailsCard, EmptyText, h2 } from './shared';

type CurrencyPosition = components['schemas']['CurrencyPosition'];

/** Every currency's central position: one row each, a handful at most. */
export function CentralPositions() {
  const { t } = useTranslation('payments-treasury');
  const fmt = useFormat();
  const query = useQuery({
    queryKey: ['payments', 'positions'],
    queryFn: () => unwrap(api.GET('/treasury/positions')),
  });
  const money = (minor: string, p: CurrencyPosition) => fmt.money(minor, p.currency);
  return (
    <Card title={h2(t('positions.central'))} style={{ marginBottom: 16 }}>
      <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
        {t('positions.centralHelp')}
      </Typography.Paragraph>
      <ErrorAlert error={query.error} />
      <Table<CurrencyPosition>
        aria-label={t('positions.central')}
        size="small"
        pagination={false}
        rowKey={(p) => p.currency}
        loading={query.isPending}
        dataSource={query.data?.central ?? []}
        locale={{ emptyText: <EmptyText text={t('positions.none')} /> }}
        columns={[
          { title: t('positions.currency'), dataIndex: 'currency' },
          {
            title: t('positions.accounts'),
            key: 'accounts',
            render: (_, p) =>
              p.accountsWithoutStatement > 0
                ? `${fmt.number(p.accounts)} (${t('positions.withoutStatement', { count: p.accountsWithoutStatement })})`
                : fmt.number(p.accounts),
          },
          {
            title: t('positions.statementBalance'),
            key: 'statement',
            align: 'right',
            render: (_, p) => money(p.statementBalance, p),
          },
          {
            title: t('positions.ledgerBalance'),
            key: 'ledger',
            align: 'right',
            render: (_, p) => money(p.ledgerBalance, p),
          },
          {
            title: t('positions.difference'),
            key: 'difference',
            align: 'right',
            render: (_, p) => money(p.difference, p),
          },
          {
            title: t('positions.unsettled'),
            key: 'unsettled',
            align: 'right',
            render: (_, p) => money(p.unsettledOutflows, p),
          },
          {
            title: t('positions.forwardBalance'),
            key: 'forward',
            align: 'right',
            render: (_, p) => <strong>{money(p.forwardBalance, p)}</strong>,
          },
        ]}
      />
    </Card>
  );
}

/** One account's position; an inactive account has none (positions cover active accounts only). */
export function AccountPositionCard({ bankAccountId }: { bankAccountId: string }) {
  const { t } = useTranslation('payments-treasury');
  const fmt = useFormat();
  const query = useQuery({
    queryKey: ['payments', 'positions', bankAccountId],
    queryFn: () => unwrap(api.GET('/treasury/positions', { params: { query: { bankAccountId } } })),
  });
  if (query.error) return <ErrorAlert error={query.error} />;
  if (query.isPending) return <Card loading style={{ marginBottom: 16 }} />;
  const p = query.data.accounts.find((a) => a.bankAccountId === bankAccountId);
  if (!p)
    return (
      <DetailsCard title={t('positions.account')} items={[]} extra={<EmptyText text={t('positions.inactive')} />} />
    );
  const money = (minor: string | null) => fmt.money(minor, p.currency);
  return (
    <DetailsCard
      title={t('positions.account')}
      items={[
        {
          key: 'statement',
          label: t('positions.statementBalance'),
          children: p.statementDate ? (
            <span>
              <strong>{money(p.statementBalance)}</strong>{' '}
              {t('positions.statementOn', { date: fmt.date(p.statementDate) })}
            </span>
          ) : (
            <EmptyText text={t('positions.noStatement')} />
          ),
        },
        { key: 'ledger', label: t('positions.ledgerBalance'), children: money(p.ledgerBalance) },
        { key: 'difference', label: t('positions.difference'), children: money(p.difference) },
        {
          key: 'unsettled',
          label: t('positions.unsettled'),
          children: t('positions.unsettledText', { amount: money(p.unsettledOutflows), count: p.unsettledPayments }),
        },
        { key: 'forward', label: t('positions.forwardBalance'), children: <strong>{money(p.forwardBalance)}</strong> },
      ]}
    />
  );
}

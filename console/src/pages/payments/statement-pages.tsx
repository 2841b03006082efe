// Imported bank statements: the list (account, format, period, entries and how many were new, the
// closing balance) and one statement's booked entries with their reconciliation status.
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat, type Formatter } from '../../i18n/format';
import {
  DetailsCard,
  EmptyText,
  L,
  PAGE,
  StatusTag,
  h2,
  statementPath,
  useBankAccounts,
  type BankEntry,
  type Statement,
} from './shared';

const period = (fmt: Formatter, s: Statement) =>
  s.periodFrom || s.periodTo ? `${fmt.date(s.periodFrom)} – ${fmt.date(s.periodTo)}` : fmt.date(s.closingDate);

/** What the entry says it is about: remittance, else the end-to-end id, else the bank's references. */
export const entryReference = (e: BankEntry) =>
  e.creditorReference ?? e.remittance ?? e.endToEndId ?? e.entryReference ?? e.accountServicerReference ?? '—';

/** The imported statements; of one account when given, else of all. */
export function StatementsList({ bankAccountId }: { bankAccountId?: string }) {
  const { t } = useTranslation('payments');
  const fmt = useFormat();
  const navigate = useNavigate();
  const accounts = useBankAccounts();
  const { query, rows } = usePaged(['payments', 'statements', bankAccountId], (after) =>
    unwrap(
      api.GET('/statements', {
        params: { query: { limit: PAGE, ...(bankAccountId ? { bankAccountId } : {}), ...(after ? { after } : {}) } },
      }),
    ),
  );
  const currency = (s: Statement) => accounts.byId.get(s.bankAccountId)?.currency;
  return (
    <Card title={h2(t('statements.list'))}>
      <ErrorAlert error={query.error} />
      <KeyTable<Statement>
        label={t('statements.list')}
        rowKey={(s) => s.id}
        loading={query.isPending}
        dataSource={rows}
        locale={{ emptyText: <EmptyText text={t('statements.none')} /> }}
        onOpen={(s) => void navigate(statementPath(s.id))}
        columns={[
          {
            title: t('statements.statement'),
            key: 'id',
            render: (_, s) => <L to={statementPath(s.id)}>{s.statementId ?? s.id}</L>,
          },
          { title: t('payments.account'), key: 'account', render: (_, s) => accounts.name(s.bankAccountId) },
          {
            title: t('statements.format'),
            key: 'format',
            render: (_, s) => (s.version ? `${s.format} (${s.version})` : s.format),
          },
          { title: t('statements.period'), key: 'period', render: (_, s) => period(fmt, s) },
          {
            title: t('statements.entriesNew'),
            key: 'entries',
            align: 'right',
            render: (_, s) => `${fmt.number(s.entries)} / ${fmt.number(s.newEntries)}`,
          },
          {
            title: t('statements.closing'),
            key: 'closing',
            align: 'right',
            render: (_, s) => {
              const c = currency(s);
              return c ? fmt.money(s.closingBalance, c) : (s.closingBalance ?? '—');
            },
          },
          { title: t('statements.importedAt'), key: 'at', render: (_, s) => fmt.dateTime(s.importedAt) },
        ]}
      />
      <LoadMore query={query} />
    </Card>
  );
}

export function StatementPage() {
  const { t } = useTranslation('payments');
  const fmt = useFormat();
  const navigate = useNavigate();
  const accounts = useBankAccounts();
  const id = useParams().id ?? '';
  const query = useQuery({
    queryKey: ['payments', 'statement', id],
    queryFn: () => unwrap(api.GET('/statements/{id}', { params: { path: { id } } })),
  });
  const s = query.data;
  const currency = s ? accounts.byId.get(s.bankAccountId)?.currency : undefined;
  return (
    <>
      <PageHeader
        title={t('statement.title', { id: s?.statementId ?? id })}
        sub={s ? `${accounts.name(s.bankAccountId)} · ${period(fmt, s)}` : id}
        extra={<Button onClick={() => void navigate('/treasury?tab=statements')}>{t('common:actions.back')}</Button>}
      />
      <ErrorAlert error={query.error} />
      {query.isPending && <Card loading />}
      {s && (
        <DetailsCard
          title={t('statement.details')}
          items={[
            { key: 'account', label: t('payments.account'), children: accounts.name(s.bankAccountId) },
            {
              key: 'format',
              label: t('statements.format'),
              children: s.version ? `${s.format} (${s.version})` : s.format,
            },
            { key: 'period', label: t('statements.period'), children: period(fmt, s) },
            {
              key: 'opening',
              label: t('statement.opening'),
              children: currency ? fmt.money(s.openingBalance, currency) : (s.openingBalance ?? '—'),
            },
            {
              key: 'closing',
              label: t('statements.closing'),
              children: <strong>{currency ? fmt.money(s.closingBalance, currency) : (s.closingBalance ?? '—')}</strong>,
            },
            {
              key: 'entries',
              label: t('statements.entriesNew'),
              children: `${fmt.number(s.entries)} / ${fmt.number(s.newEntries)}`,
            },
            { key: 'msg', label: t('batch.messageId'), children: s.messageId },
            { key: 'at', label: t('statements.importedAt'), children: fmt.dateTime(s.importedAt) },
            { key: 'by', label: t('statement.importedBy'), children: s.importedBy },
          ]}
        >
          {s.warnings.map((w) => (
            <Typography.Paragraph key={w} type="warning">
              {w}
            </Typography.Paragraph>
          ))}
        </DetailsCard>
      )}
      <Card title={h2(t('statement.entries'))}>
        <StatementEntries statementId={id} label={t('statement.entries')} />
      </Card>
    </>
  );
}

/** A statement's booked entries, a page at a time, with what reconciliation made of each. */
export function StatementEntries({ statementId, label }: { statementId: string; label: string }) {
  const { t } = useTranslation('payments');
  const fmt = useFormat();
  const entries = usePaged(['payments', 'statement-entries', statementId], (after) =>
    unwrap(
      api.GET('/bank-entries', {
        params: { query: { statementId, limit: PAGE, ...(after ? { after } : {}) } },
      }),
    ),
  );
  return (
    <>
      <ErrorAlert error={entries.query.error} />
      <KeyTable<BankEntry>
        label={label}
        rowKey={(e) => e.id}
        loading={entries.query.isPending}
        dataSource={entries.rows}
        locale={{ emptyText: <EmptyText text={t('statement.noEntries')} /> }}
        columns={[
          { title: t('entries.direction'), key: 'dir', render: (_, e) => t(`direction.${e.direction}`) },
          {
            title: t('payments.amount'),
            key: 'amount',
            align: 'right',
            render: (_, e) => fmt.money(e.amount, e.currency),
          },
          { title: t('entries.bookingDate'), key: 'date', render: (_, e) => fmt.date(e.bookingDate) },
          { title: t('entries.counterparty'), key: 'party', render: (_, e) => e.counterpartyName ?? '—' },
          { title: t('entries.reference'), key: 'ref', render: (_, e) => entryReference(e) },
          { title: t('entries.reconciliation'), key: 'status', render: (_, e) => <StatusTag status={e.status} /> },
        ]}
      />
      <LoadMore query={entries.query} />
    </>
  );
}

// Payment instructions: the list (newest first, a page at a time, filtered by status) and one
// payment with its amount, beneficiary, value date, end-to-end id, status history, approvals and batch.
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Table, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat } from '../../i18n/format';
import { AnomalyList, anomaliesOf } from './anomalies';
import {
  DetailsCard,
  EmptyText,
  StatusFilter,
  L,
  PAGE,
  StatusTag,
  batchPath,
  h2,
  paymentPath,
  useBankAccounts,
  type Instruction,
  type InstructionDetail,
} from './shared';

type Status = NonNullable<Instruction['status']>;
export const PAYMENT_STATUSES: Status[] = [
  'draft',
  'pending_approval',
  'approved',
  'batched',
  'sent',
  'accepted',
  'settled',
  'rejected',
  'returned',
  'cancelled',
];

/** A field of the payment's free-form records (snapshot, remittance) when it is text. */
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The name the approvers saw (the bank details the payment goes to), else the beneficiary's id. */
const beneficiaryName = (p: Instruction) => text(p.beneficiarySnapshot?.name) ?? p.beneficiaryId;

export function PaymentsList() {
  const { t } = useTranslation('payments');
  const fmt = useFormat();
  const navigate = useNavigate();
  const accounts = useBankAccounts();
  const [status, setStatus] = useState<Status | undefined>();
  const { query, rows } = usePaged(['payments', 'list', status], (after) =>
    unwrap(
      api.GET('/payments', {
        params: { query: { limit: PAGE, ...(status ? { status } : {}), ...(after ? { after } : {}) } },
      }),
    ),
  );
  return (
    <Card title={h2(t('payments.list'))}>
      <StatusFilter<Status>
        id="payments-status"
        label={t('payments.filterStatus')}
        any={t('payments.anyStatus')}
        value={status}
        onChange={setStatus}
        options={PAYMENT_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
      />
      <ErrorAlert error={query.error} />
      <KeyTable<Instruction>
        label={t('payments.list')}
        rowKey={(p) => p.id}
        loading={query.isPending}
        dataSource={rows}
        locale={{ emptyText: <EmptyText text={t('payments.none')} /> }}
        onOpen={(p) => void navigate(paymentPath(p.id))}
        columns={[
          { title: t('payments.id'), key: 'id', render: (_, p) => <L to={paymentPath(p.id)}>{p.id}</L> },
          { title: t('payments.beneficiary'), key: 'beneficiary', render: (_, p) => beneficiaryName(p) },
          {
            title: t('payments.amount'),
            key: 'amount',
            align: 'right',
            render: (_, p) => fmt.money(p.amount, p.currency),
          },
          { title: t('payments.valueDate'), key: 'date', render: (_, p) => fmt.date(p.requestedExecutionDate) },
          { title: t('payments.account'), key: 'account', render: (_, p) => accounts.name(p.bankAccountId) },
          { title: t('payments.endToEndId'), dataIndex: 'endToEndId' },
          { title: t('payments.status'), key: 'status', render: (_, p) => <StatusTag status={p.status} /> },
        ]}
      />
      <LoadMore query={query} />
    </Card>
  );
}

export function PaymentPage() {
  const { t } = useTranslation('payments');
  const { t: tw } = useTranslation('payments-work');
  const fmt = useFormat();
  const navigate = useNavigate();
  const accounts = useBankAccounts();
  const id = useParams().id ?? '';
  const query = useQuery({
    queryKey: ['payments', 'payment', id],
    queryFn: () => unwrap(api.GET('/payments/{id}', { params: { path: { id } } })),
  });
  const p: InstructionDetail | undefined = query.data;
  const remittance = text(p?.remittance?.unstructured) ?? text(p?.remittance?.creditorReference);
  return (
    <>
      <PageHeader
        title={p ? t('payment.title', { amount: fmt.money(p.amount, p.currency), name: beneficiaryName(p) }) : id}
        sub={id}
        extra={<Button onClick={() => void navigate('/payments')}>{t('common:actions.back')}</Button>}
      />
      <ErrorAlert error={query.error} />
      {query.isPending && <Card loading />}
      {p && (
        <DetailsCard
          title={t('payment.details')}
          items={[
            {
              key: 'amount',
              label: t('payments.amount'),
              children: <strong>{fmt.money(p.amount, p.currency)}</strong>,
            },
            { key: 'status', label: t('payments.status'), children: <StatusTag status={p.status} /> },
            { key: 'beneficiary', label: t('payments.beneficiary'), children: beneficiaryName(p) },
            {
              key: 'iban',
              label: t('payment.beneficiaryAccount'),
              children: text(p.beneficiarySnapshot?.iban) ?? text(p.beneficiarySnapshot?.accountNumber) ?? '—',
            },
            { key: 'date', label: t('payments.valueDate'), children: fmt.date(p.requestedExecutionDate) },
            { key: 'e2e', label: t('payments.endToEndId'), children: p.endToEndId },
            { key: 'account', label: t('payments.account'), children: accounts.name(p.bankAccountId) },
            { key: 'remittance', label: t('payment.remittance'), children: remittance ?? '—' },
            {
              key: 'batch',
              label: t('payment.batch'),
              children: p.batchId ? <L to={batchPath(p.batchId)}>{p.batchId}</L> : '—',
            },
            { key: 'createdBy', label: t('payment.createdBy'), children: p.createdBy },
            { key: 'createdAt', label: t('payment.createdAt'), children: fmt.dateTime(p.createdAt) },
            {
              key: 'hold',
              label: t('payment.hold'),
              children: p.hold ? `${p.hold.transferId} (${t(`hold.${p.hold.state}`)})` : '—',
            },
            ...(anomaliesOf(p)
              ? [{ key: 'anomalies', label: tw('approvals.anomalies'), children: <AnomalyList payment={p} /> }]
              : []),
            ...(p.rejection
              ? [
                  {
                    key: 'rejection',
                    label: t('payment.rejection'),
                    children: `${p.rejection.code}: ${p.rejection.reason}`,
                  },
                ]
              : []),
          ]}
        />
      )}
      {p && (
        <Card title={h2(t('payment.approvals'))} style={{ marginBottom: 16 }}>
          <Table
            size="small"
            pagination={false}
            rowKey="taskId"
            aria-label={t('payment.approvals')}
            dataSource={p.approvals}
            locale={{
              emptyText: <EmptyText text={p.approval ? t('payment.noApprovalsNeeded') : t('payment.noApprovals')} />,
            }}
            columns={[
              { title: t('payment.level'), key: 'level', render: (_, a) => `${a.level} / ${a.of}` },
              { title: t('payment.approver'), dataIndex: 'by' },
              { title: t('payment.outcome'), dataIndex: 'outcome' },
              { title: t('payment.comment'), key: 'comment', render: (_, a) => a.comment ?? '—' },
              { title: t('payment.at'), key: 'at', render: (_, a) => fmt.dateTime(a.at) },
            ]}
          />
        </Card>
      )}
      {p && (
        <Card title={h2(t('payment.history'))}>
          <Timeline
            items={p.history.map((h) => ({
              children: (
                <>
                  <Typography.Text strong>
                    {h.from ? `${t(`status.${h.from}`)} → ` : ''}
                    {t(`status.${h.to}`)}
                  </Typography.Text>
                  <div>
                    <Typography.Text type="secondary">
                      {t('payment.historyBy', { at: fmt.dateTime(h.at), by: h.by })}
                    </Typography.Text>
                  </div>
                  {h.reason && <div>{h.reason}</div>}
                </>
              ),
            }))}
          />
        </Card>
      )}
    </>
  );
}

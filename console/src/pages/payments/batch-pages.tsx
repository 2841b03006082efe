// Payment batches (one pain.001 file each): the list, and a batch with its payments in file order,
// its file to download and — for those with payments:release — the release to the bank.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Modal, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat } from '../../i18n/format';
import {
  DetailsCard,
  EmptyText,
  L,
  PAGE,
  StatusTag,
  batchPath,
  h2,
  paymentPath,
  useBankAccounts,
  type Batch,
  type BatchDetail,
} from './shared';

export function BatchesList() {
  const { t } = useTranslation('payments');
  const fmt = useFormat();
  const navigate = useNavigate();
  const accounts = useBankAccounts();
  const { query, rows } = usePaged(['payments', 'batches'], (after) =>
    unwrap(api.GET('/payment-batches', { params: { query: { limit: PAGE, ...(after ? { after } : {}) } } })),
  );
  return (
    <Card title={h2(t('batches.list'))}>
      <ErrorAlert error={query.error} />
      <KeyTable<Batch>
        label={t('batches.list')}
        rowKey={(b) => b.id}
        loading={query.isPending}
        dataSource={rows}
        locale={{ emptyText: <EmptyText text={t('batches.none')} /> }}
        onOpen={(b) => void navigate(batchPath(b.id))}
        columns={[
          { title: t('batches.id'), key: 'id', render: (_, b) => <L to={batchPath(b.id)}>{b.id}</L> },
          { title: t('payments.status'), key: 'status', render: (_, b) => <StatusTag status={b.status} /> },
          { title: t('payments.account'), key: 'account', render: (_, b) => accounts.name(b.bankAccountId) },
          { title: t('payments.valueDate'), key: 'date', render: (_, b) => fmt.date(b.valueDate) },
          { title: t('batches.method'), key: 'method', render: (_, b) => t(`method.${b.method}`) },
          {
            title: t('batches.count'),
            key: 'count',
            align: 'right',
            render: (_, b) => fmt.number(b.numberOfTransactions),
          },
          {
            title: t('batches.controlSum'),
            key: 'sum',
            align: 'right',
            render: (_, b) => fmt.money(b.controlSum, b.currency),
          },
          { title: t('batches.createdAt'), key: 'created', render: (_, b) => fmt.dateTime(b.createdAt) },
        ]}
      />
      <LoadMore query={query} />
    </Card>
  );
}

export function BatchPage() {
  const { t } = useTranslation('payments');
  const fmt = useFormat();
  const navigate = useNavigate();
  const accounts = useBankAccounts();
  const id = useParams().id ?? '';
  const query = useQuery({
    queryKey: ['payments', 'batch', id],
    queryFn: () => unwrap(api.GET('/payment-batches/{id}', { params: { path: { id } } })),
  });
  const b: BatchDetail | undefined = query.data;
  const releasable = b?.status === 'created' || b?.status === 'releasing';
  return (
    <>
      <PageHeader
        title={t('batch.title', { id })}
        sub={b ? `${accounts.name(b.bankAccountId)} · ${fmt.date(b.valueDate)}` : undefined}
        extra={
          <Space>
            {b && (
              <Button href={`/api/v1/payment-batches/${encodeURIComponent(b.id)}/file`} download={b.fileName}>
                {t('batch.download')}
              </Button>
            )}
            {b && releasable && (
              <IfAllowed permission="payments:release">
                <ReleaseBatch batch={b} />
              </IfAllowed>
            )}
            <Button onClick={() => void navigate('/payments?tab=batches')}>{t('common:actions.back')}</Button>
          </Space>
        }
      />
      <ErrorAlert error={query.error} />
      {query.isPending && <Card loading />}
      {b?.deliveryLocation && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('batch.delivered')}
          description={
            <>
              {t('batch.deliveredTo')} <code>{b.deliveryLocation}</code>
            </>
          }
        />
      )}
      {b && (
        <DetailsCard
          title={t('batch.details')}
          items={[
            { key: 'status', label: t('payments.status'), children: <StatusTag status={b.status} /> },
            {
              key: 'sum',
              label: t('batches.controlSum'),
              children: <strong>{fmt.money(b.controlSum, b.currency)}</strong>,
            },
            { key: 'count', label: t('batches.count'), children: fmt.number(b.numberOfTransactions) },
            { key: 'account', label: t('payments.account'), children: accounts.name(b.bankAccountId) },
            { key: 'date', label: t('payments.valueDate'), children: fmt.date(b.valueDate) },
            { key: 'method', label: t('batches.method'), children: t(`method.${b.method}`) },
            { key: 'version', label: t('batch.version'), children: b.pain001Version },
            { key: 'msg', label: t('batch.messageId'), children: b.messageId },
            { key: 'file', label: t('batch.fileName'), children: b.fileName },
            { key: 'created', label: t('batches.createdAt'), children: fmt.dateTime(b.createdAt) },
            { key: 'createdBy', label: t('payment.createdBy'), children: b.createdBy },
            {
              key: 'released',
              label: t('batch.releasedAt'),
              children: b.releasedAt
                ? t('batch.releasedBy', { at: fmt.dateTime(b.releasedAt), by: b.releasedBy })
                : '—',
            },
            {
              key: 'sha',
              label: t('batch.sha256'),
              children: <Typography.Text code>{b.fileSha256.slice(0, 16)}…</Typography.Text>,
            },
          ]}
        />
      )}
      {b && (
        <Card title={h2(t('batch.payments'))}>
          <Table
            size="small"
            pagination={false}
            rowKey="id"
            aria-label={t('batch.payments')}
            dataSource={b.payments}
            columns={[
              { title: '#', key: 'position', width: 50, render: (_, p) => p.position + 1 },
              { title: t('payments.id'), key: 'id', render: (_, p) => <L to={paymentPath(p.id)}>{p.id}</L> },
              { title: t('payments.beneficiary'), key: 'name', render: (_, p) => p.beneficiaryName ?? p.beneficiaryId },
              { title: t('payments.endToEndId'), dataIndex: 'endToEndId' },
              {
                title: t('payments.amount'),
                key: 'amount',
                align: 'right',
                render: (_, p) => fmt.money(p.amount, p.currency),
              },
              {
                title: t('payments.status'),
                key: 'status',
                render: (_, p) => (
                  <Space>
                    <StatusTag status={p.status} />
                    {!p.inBatch && <Typography.Text type="secondary">{t('batch.removed')}</Typography.Text>}
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}
    </>
  );
}

/** Release asks once more: from here the file may be at the bank and the batch can no longer be cancelled. */
function ReleaseBatch({ batch }: { batch: BatchDetail }) {
  const { t } = useTranslation('payments');
  const fmt = useFormat();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const mutation = useMutation({
    mutationFn: () => unwrap(api.POST('/payment-batches/{id}/release', { params: { path: { id: batch.id } } })),
    onSuccess: async () => {
      setOpen(false);
      await client.invalidateQueries({ queryKey: ['payments'] });
    },
  });
  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        {t('batch.release')}
      </Button>
      <Modal
        open={open}
        title={t('batch.releaseTitle')}
        okText={t('batch.release')}
        cancelText={t('common:actions.cancel')}
        confirmLoading={mutation.isPending}
        onOk={() => mutation.mutate()}
        onCancel={() => setOpen(false)}
        destroyOnClose
      >
        <Typography.Paragraph>
          {t('batch.releaseText', {
            count: batch.numberOfTransactions,
            sum: fmt.money(batch.controlSum, batch.currency),
          })}
        </Typography.Paragraph>
        <ErrorAlert error={mutation.error} />
      </Modal>
    </>
  );
}

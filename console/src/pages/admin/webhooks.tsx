// Webhooks: the subscriptions (paged by the server), and for the one opened (/admin/webhooks/<id>) its
// deliveries with their status, paged and filtered on the server; a delivery opens to show its attempts and payload, and an
// admin replays a delivered or dead one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat } from '../../i18n/format';
import { expandIcon } from '../../components/expand-icon';
import { CardTitle, LINK, StatusTag, type Tone } from './shared';

type Subscription = components['schemas']['WebhookSubscription'];
type Delivery = components['schemas']['WebhookDelivery'];
type Status = Delivery['status'];

const STATUS_TONE: Record<Status, Tone> = { pending: 'warn', delivered: 'ok', dead: 'bad' };
const PAGE = 50;

function DeliveryDetail({ id }: { id: string }) {
  const { t } = useTranslation('admin');
  const format = useFormat();
  const detail = useQuery({
    queryKey: ['admin', 'webhook-delivery', id],
    queryFn: () => unwrap(api.GET('/webhook-deliveries/{id}', { params: { path: { id } } })),
  });
  if (detail.error) return <ErrorAlert error={detail.error} />;
  if (!detail.data) return null;
  return (
    <div style={{ padding: '4px 8px' }}>
      <Typography.Text strong>{t('webhooks.attemptHistory')}</Typography.Text>
      <Table
        size="small"
        pagination={false}
        rowKey="id"
        dataSource={detail.data.attemptHistory}
        columns={[
          { title: t('webhooks.lastAttemptAt'), dataIndex: 'attemptedAt', render: (v: string) => format.dateTime(v) },
          { title: t('webhooks.lastStatus'), dataIndex: 'statusCode', render: (v: number | null) => v ?? '—' },
          { title: t('webhooks.error'), dataIndex: 'error', render: (v: string | null) => v ?? '' },
          {
            title: t('webhooks.took'),
            dataIndex: 'durationMs',
            render: (v: number) => t('webhooks.duration', { ms: v }),
          },
        ]}
      />
      <Typography.Text strong style={{ display: 'block', marginTop: 8 }}>
        {t('webhooks.payload')}
      </Typography.Text>
      <pre tabIndex={0} style={{ fontSize: 12, maxHeight: 240, overflow: 'auto', background: '#fafafa', padding: 8 }}>
        {JSON.stringify(detail.data.payload, null, 2)}
      </pre>
    </div>
  );
}

function Deliveries({ subscription }: { subscription: string }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [status, setStatus] = useState<Status | 'all'>('all');
  const [expanded, setExpanded] = useState<string[]>([]);
  const { query: deliveries, rows } = usePaged<Delivery>(
    ['admin', 'webhook-deliveries', subscription, status],
    (after) =>
      unwrap(
        api.GET('/webhooks/{id}/deliveries', {
          params: {
            path: { id: subscription },
            query: { limit: PAGE, ...(after ? { after } : {}), ...(status === 'all' ? {} : { status }) },
          },
        }),
      ),
  );
  const replay = useMutation({
    mutationFn: (id: string) =>
      unwrap(
        api.POST('/webhook-deliveries/{id}/replay', {
          params: { path: { id }, header: { 'idempotency-key': idempotencyKey() } },
        }),
      ),
    onSuccess: (delivery) => {
      void message.success(t('webhooks.replayed', { id: delivery.id }));
      void client.invalidateQueries({ queryKey: ['admin', 'webhook-deliveries', subscription] });
      void client.invalidateQueries({ queryKey: ['admin', 'webhook-delivery', delivery.id] });
    },
  });
  const toggle = (d: Delivery) =>
    setExpanded((keys) => (keys.includes(d.id) ? keys.filter((k) => k !== d.id) : [...keys, d.id]));
  return (
    <Card
      title={<CardTitle>{t('webhooks.deliveries', { id: subscription })}</CardTitle>}
      extra={
        <Space>
          <label htmlFor="delivery-status">{t('webhooks.statusFilter')}</label>
          <Select<Status | 'all'>
            id="delivery-status"
            value={status}
            style={{ width: 140 }}
            onChange={setStatus}
            options={[
              { value: 'all', label: t('webhooks.all') },
              ...(['pending', 'delivered', 'dead'] as const).map((s) => ({
                value: s,
                label: t(`webhooks.statuses.${s}`),
              })),
            ]}
          />
          <Button onClick={() => void deliveries.refetch()}>{tc('actions.refresh')}</Button>
        </Space>
      }
    >
      <ErrorAlert error={deliveries.error ?? replay.error} />
      <KeyTable<Delivery>
        label={t('webhooks.deliveriesList')}
        rowKey={(d) => d.id}
        loading={deliveries.isPending}
        dataSource={rows}
        onOpen={toggle}
        shortcuts={{ r: (d) => d.status !== 'pending' && replay.mutate(d.id) }}
        expandable={{
          expandedRowKeys: expanded,
          onExpand: (_open, d) => toggle(d),
          expandIcon: expandIcon<Delivery>(
            (d, open) => `${open ? tc('actions.close') : t('webhooks.attemptHistory')} ${d.id}`,
          ),
          expandedRowRender: (d) => <DeliveryDetail id={d.id} />,
        }}
        columns={[
          { title: 'Id', dataIndex: 'id', render: (v: string) => <code>{v}</code> },
          { title: t('webhooks.eventType'), dataIndex: 'eventType' },
          {
            title: t('common.status'),
            dataIndex: 'status',
            render: (s: Status) => <StatusTag tone={STATUS_TONE[s]}>{t(`webhooks.statuses.${s}`)}</StatusTag>,
          },
          { title: t('webhooks.attempts'), dataIndex: 'attempts', align: 'right' },
          {
            title: t('webhooks.lastStatus'),
            key: 'last',
            render: (_: unknown, d) => d.lastStatusCode ?? d.lastError ?? '—',
          },
          {
            title: t('webhooks.lastAttemptAt'),
            dataIndex: 'lastAttemptAt',
            render: (v: string | null) => format.dateTime(v),
          },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: (v: string) => format.dateTime(v) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, d) => (
              <IfAllowed permission="webhooks:manage">
                <Button
                  size="small"
                  disabled={d.status === 'pending'}
                  loading={replay.isPending && replay.variables === d.id}
                  onClick={() => replay.mutate(d.id)}
                  aria-label={`${t('webhooks.replay')} ${d.id}`}
                >
                  {t('webhooks.replay')}
                </Button>
              </IfAllowed>
            ),
          },
        ]}
      />
      <LoadMore query={deliveries} />
    </Card>
  );
}

function WebhooksPage() {
  const { t } = useTranslation('admin');
  const format = useFormat();
  const navigate = useNavigate();
  const { id } = useParams();
  const { query: subscriptions, rows: subscriptionRows } = usePaged<Subscription>(['admin', 'webhooks'], (after) =>
    unwrap(api.GET('/webhooks', { params: { query: { limit: PAGE, ...(after ? { after } : {}) } } })),
  );
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Card title={<CardTitle>{t('webhooks.list')}</CardTitle>}>
        <ErrorAlert error={subscriptions.error} />
        <KeyTable<Subscription>
          label={t('webhooks.list')}
          rowKey={(s) => s.id}
          loading={subscriptions.isPending}
          dataSource={subscriptionRows}
          onOpen={(s) => void navigate(`/admin/webhooks/${s.id}`)}
          pagination={false}
          columns={[
            {
              title: 'Id',
              dataIndex: 'id',
              render: (v: string) => (
                <Link to={`/admin/webhooks/${v}`} style={LINK}>
                  {v}
                </Link>
              ),
            },
            { title: t('webhooks.url'), dataIndex: 'url', render: (v: string) => <code>{v}</code> },
            {
              title: t('webhooks.eventTypes'),
              dataIndex: 'eventTypes',
              render: (types: string[]) => (
                <Space size={4} wrap>
                  {types.map((e) => (
                    <Tag key={e}>{e}</Tag>
                  ))}
                </Space>
              ),
            },
            { title: t('webhooks.description'), dataIndex: 'description', render: (v: string | null) => v ?? '' },
            {
              title: t('common.status'),
              dataIndex: 'active',
              render: (v: boolean) => (
                <StatusTag tone={v ? 'ok' : 'neutral'}>{v ? t('webhooks.active') : t('webhooks.inactive')}</StatusTag>
              ),
            },
            { title: t('common.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => format.dateTime(v) },
          ]}
        />
        <LoadMore query={subscriptions} />
      </Card>
      {id ? (
        <Deliveries key={id} subscription={id} />
      ) : (
        <Typography.Paragraph type="secondary">{t('webhooks.chooseSubscription')}</Typography.Paragraph>
      )}
    </Space>
  );
}

export default function WebhooksSection() {
  return (
    <Routes>
      <Route index element={<WebhooksPage />} />
      <Route path=":id" element={<WebhooksPage />} />
    </Routes>
  );
}

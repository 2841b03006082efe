// Workflow instances: status and workflow filters and free-text search (all server-side, kept in
// the URL), keyset paging, failed ones one click away — and bulk actions that apply to the WHOLE
// filtered set: the server counts it first, the operator confirms that number, and each instance's
// real outcome comes back.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Dropdown, Flex, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import {
  FailedBanner,
  filterFromParams,
  filterToParams,
  STATUSES,
  StatusTag,
  useInstanceCount,
  type InstanceFilter,
} from './shared';
import { LINK } from './tone';
import { ToneTag } from './tone';

type Summary = components['schemas']['InstanceSummary'];
type BulkResult = components['schemas']['BulkInstanceResult'];
type BulkAction = BulkResult['action'];
const BULK_MAX = 10_000;
const PAGE = 50;

export function InstancesPage({ tabs }: { tabs: React.ReactNode }) {
  const { t } = useTranslation('workflows');
  const format = useFormat();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const filter = filterFromParams(params);
  const [search, setSearch] = useState(filter.q ?? '');
  useEffect(() => setSearch(filter.q ?? ''), [filter.q]);
  // Keyset paging: the cursors of the pages before this one.
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const after = cursors[cursors.length - 1];
  const filterKey = JSON.stringify(filter);
  useEffect(() => setCursors([undefined]), [filterKey]);

  const workflows = useQuery({ queryKey: ['workflows'], queryFn: () => unwrap(api.GET('/workflows')) });
  const list = useQuery({
    queryKey: ['instances', 'list', filter, after],
    queryFn: () => unwrap(api.GET('/instances', { params: { query: { ...filter, after, limit: PAGE } } })),
    placeholderData: keepPreviousData,
  });
  const count = useInstanceCount(filter);

  const setFilter = (next: InstanceFilter) => setParams(new URLSearchParams(filterToParams(next).slice(1)));
  const open = (row: Summary) => void navigate(`/workflows/instances/${row.id}`);

  return (
    <>
      <PageHeader title={t('instances.title')} />
      {tabs}
      <FailedBanner />
      <Flex gap={12} wrap align="end" style={{ marginBottom: 12 }}>
        <Form layout="vertical" style={{ display: 'contents' }}>
          <Form.Item label={t('instances.statusFilter')} htmlFor="wf-status" style={{ marginBottom: 0 }}>
            <Select
              id="wf-status"
              style={{ width: 160 }}
              value={filter.status ?? ''}
              onChange={(status: string) =>
                setFilter({ ...filter, status: (status || undefined) as InstanceFilter['status'] })
              }
              options={[
                { value: '', label: t('instances.any') },
                ...STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) })),
              ]}
            />
          </Form.Item>
          <Form.Item label={t('instances.workflowFilter')} htmlFor="wf-workflow" style={{ marginBottom: 0 }}>
            <Select
              id="wf-workflow"
              style={{ width: 240 }}
              showSearch
              value={filter.workflow ?? ''}
              onChange={(workflow: string) => setFilter({ ...filter, workflow: workflow || undefined })}
              options={[
                { value: '', label: t('instances.any') },
                ...(workflows.data?.data ?? []).map((w) => ({ value: w.key, label: w.key })),
              ]}
            />
          </Form.Item>
          <Form.Item label={t('instances.search')} htmlFor="wf-search" style={{ marginBottom: 0 }}>
            <Input.Search
              id="wf-search"
              style={{ width: 360 }}
              allowClear
              placeholder={t('instances.searchPlaceholder')}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              onSearch={(q) => setFilter({ ...filter, q: q.trim() || undefined })}
            />
          </Form.Item>
        </Form>
        <Button onClick={() => setFilter({ ...filter, status: 'failed' })} danger={filter.status !== 'failed'}>
          {t('showFailed')}
        </Button>
        <div style={{ flex: 1 }} />
        <Typography.Text aria-live="polite" data-testid="matching-count">
          {count.data &&
            (count.data.capped
              ? t('instances.matchingCapped', { count: count.data.count })
              : t('instances.matching', { count: count.data.count }))}
        </Typography.Text>
        <IfAllowed permission="workflows:operate">
          <BulkActions filter={filter} />
        </IfAllowed>
      </Flex>
      <ErrorAlert error={list.error ?? count.error} />
      <KeyTable<Summary>
        label={t('instances.list')}
        rowKey={(row) => row.id}
        loading={list.isLoading}
        dataSource={list.data?.data}
        onOpen={open}
        columns={[
          {
            title: t('instances.id'),
            dataIndex: 'id',
            render: (id: string) => (
              <Link style={LINK} to={`/workflows/instances/${id}`}>
                <code>{id}</code>
              </Link>
            ),
          },
          {
            title: t('instances.workflow'),
            dataIndex: 'workflow',
            render: (w: string, row) => (
              <Link style={LINK} to={`/workflows/definitions/${encodeURIComponent(w)}`}>
                {w} v{row.version}
              </Link>
            ),
          },
          { title: t('instances.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
          { title: t('instances.correlationKey'), dataIndex: 'correlationKey', render: (v: string | null) => v ?? '—' },
          { title: t('instances.outcome'), dataIndex: 'outcome', render: (v: string | null) => v ?? '—' },
          { title: t('instances.created'), dataIndex: 'createdAt', render: (v: string) => format.dateTime(v) },
          { title: t('instances.updated'), dataIndex: 'updatedAt', render: (v: string) => format.dateTime(v) },
        ]}
      />
      <Flex justify="end" align="center" gap={8} style={{ marginTop: 12 }}>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          {t('instances.previous')}
        </Button>
        <span>{t('instances.pageN', { page: cursors.length })}</span>
        <Button
          disabled={!list.data?.next}
          onClick={() => list.data?.next && setCursors((c) => [...c, list.data.next ?? undefined])}
        >
          {t('instances.next')}
        </Button>
      </Flex>
    </>
  );
}

function describeFilter(filter: InstanceFilter, none: string, statusLabel: (s: string) => string) {
  const parts = [
    filter.status && statusLabel(filter.status),
    filter.workflow && `workflow = ${filter.workflow}`,
    filter.q && `“${filter.q}”`,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : none;
}

/** Retry / cancel / suspend / resume every instance matching the filter: count, confirm, outcomes. */
function BulkActions({ filter }: { filter: InstanceFilter }) {
  const { t } = useTranslation('workflows');
  const client = useQueryClient();
  const [action, setAction] = useState<BulkAction | null>(null);
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<BulkResult | null>(null);
  const count = useQuery({
    queryKey: ['instances', 'count', filter, 'bulk', action],
    enabled: action !== null,
    staleTime: 0,
    queryFn: () => unwrap(api.GET('/instances/count', { params: { query: filter } })),
  });
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/instances/bulk', {
          body: { ...filter, action: action!, ...(reason.trim() ? { reason: reason.trim() } : {}) },
        }),
      ),
    onSuccess: (data) => {
      setResult(data);
      setAction(null);
      setReason('');
      void client.invalidateQueries({ queryKey: ['instances'] });
    },
  });
  const matched = count.data?.count ?? 0;
  const label = (a: BulkAction) => t(`bulk.${a}`);
  return (
    <>
      <Dropdown
        menu={{
          items: (['retry', 'resume', 'suspend', 'cancel'] as BulkAction[]).map((a) => ({
            key: a,
            label: label(a),
            danger: a === 'cancel',
            onClick: () => {
              run.reset();
              setAction(a);
            },
          })),
        }}
      >
        <Button type="primary">{t('bulk.title')}</Button>
      </Dropdown>
      <Modal
        open={action !== null}
        title={action ? t('bulk.confirmTitle', { action: label(action) }) : ''}
        onCancel={() => setAction(null)}
        okText={t('bulk.run', { count: Math.min(matched, BULK_MAX) })}
        okButtonProps={{ disabled: !count.data || matched === 0, danger: action === 'cancel' }}
        confirmLoading={run.isPending}
        onOk={() => run.mutate()}
        destroyOnClose
      >
        <Space direction="vertical" style={{ width: '100%' }}>
          <div>
            <Typography.Text type="secondary">{t('bulk.filterSummary')}: </Typography.Text>
            {describeFilter(filter, t('bulk.noFilter'), (s) => t(`status.${s as 'failed'}`))}
          </div>
          {count.data &&
            (matched === 0 ? (
              <Alert type="info" message={t('bulk.nothing')} />
            ) : (
              <Alert
                type={action === 'cancel' ? 'warning' : 'info'}
                data-testid="bulk-count"
                message={t('bulk.confirmBody', { count: matched })}
                description={matched > BULK_MAX ? t('bulk.limitNote', { max: BULK_MAX }) : undefined}
              />
            ))}
          <Form layout="vertical">
            <Form.Item label={t('actions.reason')} htmlFor="bulk-reason" extra={t('actions.reasonHelp')}>
              <Input id="bulk-reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
            </Form.Item>
          </Form>
          <ErrorAlert error={run.error ?? count.error} />
        </Space>
      </Modal>
      <Modal
        open={result !== null}
        width={900}
        title={result ? `${label(result.action)} — ${t('bulk.results')}` : ''}
        onCancel={() => setResult(null)}
        footer={<Button onClick={() => setResult(null)}>{t('common:actions.close')}</Button>}
      >
        {result && <BulkOutcomes result={result} />}
      </Modal>
    </>
  );
}

function BulkOutcomes({ result }: { result: BulkResult }) {
  const { t } = useTranslation('workflows');
  type Row = BulkResult['results'][number];
  const color = { ok: 'green', skipped: 'orange', failed: 'red' } as const;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Space data-testid="bulk-counts" wrap>
        <ToneTag tone="green">
          {t('bulk.ok')}: {result.counts.ok}
        </ToneTag>
        <ToneTag tone="orange">
          {t('bulk.skipped')}: {result.counts.skipped}
        </ToneTag>
        <ToneTag tone="red">
          {t('bulk.failed')}: {result.counts.failed}
        </ToneTag>
      </Space>
      {result.truncated && <Alert type="warning" message={t('bulk.truncated')} />}
      <KeyTable<Row>
        label={t('bulk.results')}
        rowKey={(r) => r.id}
        dataSource={result.results}
        pagination={{ pageSize: 20, hideOnSinglePage: true, showSizeChanger: false }}
        columns={[
          {
            title: t('instances.id'),
            dataIndex: 'id',
            render: (id: string) => (
              <Link style={LINK} to={`/workflows/instances/${id}`}>
                <code>{id}</code>
              </Link>
            ),
          },
          {
            title: t('bulk.outcome'),
            dataIndex: 'outcome',
            render: (o: Row['outcome']) => <ToneTag tone={color[o]}>{t(`bulk.${o}`)}</ToneTag>,
          },
          {
            title: t('bulk.reason'),
            dataIndex: 'reason',
            render: (r: string | null, row) => (r ? `${r}${row.code ? ` (${row.code})` : ''}` : '—'),
          },
        ]}
      />
    </Space>
  );
}

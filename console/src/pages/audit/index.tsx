// The audit log: every change, newest first, filtered on the server by entity, actor, action and time
// (the filters live in the URL, so a trail can be linked); a row opens to show its before/after as a
// readable diff; and above it, the hash chain's verification, naming and linking the first broken row.
import './locales';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Flex, Form, Input, Space, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { RequirePermission } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import { AuditDiff } from './diff';
import { expandIcon } from '../../components/expand-icon';

type Entry = components['schemas']['AuditEntry'];
type Verification = components['schemas']['AuditVerification'];

const PAGE = 50;
const FILTERS = ['entityType', 'entityId', 'actor', 'action', 'from', 'to', 'id'] as const;
type FilterName = (typeof FILTERS)[number];
type Filters = Partial<Record<FilterName, string>>;

/** The entity types finflow writes, offered as suggestions (any other type can be typed). */
const ENTITY_TYPES = [
  'api_key',
  'user',
  'user_session',
  'change_request',
  'workflow',
  'workflow_instance',
  'task',
  'decision',
  'queue',
  'calendar',
  'customer',
  'receivable',
  'billing_plan',
  'credit_application',
  'collection_case',
  'collection_promise',
  'collection_plan',
  'collection_dispute',
  'ledger_account',
  'ledger_transfer',
  'ledger_journal',
  'message_template',
  'channel_message',
  'letter',
  'webhook_subscription',
  'webhook_delivery',
  'inbound_source',
  'setting',
  'event',
];
const ACTION_PREFIXES = [
  'user.*',
  'letter.*',
  'apikey.*',
  'change.*',
  'workflow.*',
  'instance.*',
  'task.*',
  'decision.*',
  'queue.*',
  'calendar.*',
  'customer.*',
  'receivable.*',
  'payment.*',
  'credit.*',
  'collections.*',
  'ledger.*',
  'template.*',
  'webhook.*',
  'settings.*',
];

/** A calendar day typed in the filter (YYYY-MM-DD) → the instant its day starts, in the browser's zone. */
function dayStart(day: string | undefined, plusDays = 0): string | undefined {
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00`);
  if (Number.isNaN(date.getTime())) return undefined;
  date.setDate(date.getDate() + plusDays);
  return date.toISOString();
}

function useFilters(): [Filters, (next: Filters) => void] {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => {
    const f: Filters = {};
    for (const name of FILTERS) {
      const value = params.get(name);
      if (value) f[name] = value;
    }
    return f;
  }, [params]);
  const set = (next: Filters) => {
    const p = new URLSearchParams();
    for (const name of FILTERS) {
      const value = next[name]?.trim();
      if (value) p.set(name, value);
    }
    setParams(p);
  };
  return [filters, set];
}

function ChainStatus() {
  const { t } = useTranslation('audit');
  const format = useFormat();
  const verify = useQuery({
    queryKey: ['audit', 'verify'],
    queryFn: () => unwrap(api.GET('/audit/verify')),
    staleTime: 30_000,
  });
  const v: Verification | undefined = verify.data;
  return (
    <Card
      style={{ marginBottom: 16 }}
      title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('chain.title')}</h2>}
      extra={
        <Button onClick={() => void verify.refetch()} loading={verify.isFetching}>
          {t('chain.verify')}
        </Button>
      }
    >
      <ErrorAlert error={verify.error} />
      {!v && verify.isPending && <Typography.Text>{t('chain.checking')}</Typography.Text>}
      {v?.ok && (
        <Alert
          type="success"
          showIcon
          role="status"
          style={{ background: '#edf7e8', borderColor: '#a8d197' }}
          message={<strong>{t('chain.verified')}</strong>}
          description={t('chain.verifiedDetail', {
            rows: format.number(v.rowsChecked),
            head: v.headSeq,
            hash: `${v.headHash.slice(0, 16)}…`,
          })}
        />
      )}
      {v && !v.ok && v.problem && (
        <Alert
          type="error"
          showIcon
          role="alert"
          message={<strong>{t('chain.broken')}</strong>}
          description={
            <div>
              <div>{t('chain.brokenAt', { seq: v.problem.seq, kind: t(`chain.kinds.${v.problem.kind}`) })}</div>
              <div>
                <code>{v.problem.message}</code>
              </div>
              {v.problem.id && (
                <Link
                  to={`/audit?id=${encodeURIComponent(v.problem.id)}`}
                  style={{ color: '#0b4f94', textDecoration: 'underline', fontWeight: 600 }}
                >
                  {t('chain.showRow', { id: v.problem.id })}
                </Link>
              )}
            </div>
          }
        />
      )}
      {v && v.unsealedRows > 0 && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {t('chain.unsealed', { count: v.unsealedRows, at: format.dateTime(v.oldestUnsealedAt) })}
        </Typography.Paragraph>
      )}
    </Card>
  );
}

function FilterForm({ filters, onApply }: { filters: Filters; onApply: (f: Filters) => void }) {
  const { t } = useTranslation('audit');
  const { t: tc } = useTranslation();
  const [form] = Form.useForm<Filters>();
  useEffect(() => {
    // Every field, the cleared ones too ('' rather than undefined, which antd would skip).
    form.setFields(FILTERS.map((name) => ({ name, value: filters[name] ?? '', errors: [] })));
  }, [filters, form]);
  return (
    <Card style={{ marginBottom: 16 }} title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('filters.title')}</h2>}>
      <Form<Filters> form={form} layout="vertical" onFinish={onApply}>
        {/* Suggestions the browser offers as the person types; any other value can be typed. */}
        <datalist id="audit-entity-types">
          {ENTITY_TYPES.map((v) => (
            <option key={v} value={v} />
          ))}
        </datalist>
        <datalist id="audit-actions">
          {ACTION_PREFIXES.map((v) => (
            <option key={v} value={v} />
          ))}
        </datalist>
        <Flex wrap gap={12} align="flex-end">
          <Form.Item label={t('filters.entityType')} name="entityType" style={{ width: 170, marginBottom: 0 }}>
            <Input allowClear list="audit-entity-types" />
          </Form.Item>
          <Form.Item label={t('filters.entityId')} name="entityId" style={{ width: 210, marginBottom: 0 }}>
            <Input allowClear />
          </Form.Item>
          <Form.Item label={t('filters.actor')} name="actor" style={{ width: 210, marginBottom: 0 }}>
            <Input allowClear placeholder="usr_… / key_…" />
          </Form.Item>
          <Form.Item
            label={t('filters.action')}
            name="action"
            tooltip={t('filters.actionHelp')}
            style={{ width: 170, marginBottom: 0 }}
          >
            <Input allowClear list="audit-actions" />
          </Form.Item>
          <Form.Item label={t('filters.from')} name="from" style={{ width: 150, marginBottom: 0 }}>
            <Input type="date" />
          </Form.Item>
          <Form.Item label={t('filters.to')} name="to" style={{ width: 150, marginBottom: 0 }}>
            <Input type="date" />
          </Form.Item>
          {filters.id && (
            <Form.Item label={t('filters.id')} name="id" style={{ width: 260, marginBottom: 0 }}>
              <Input allowClear />
            </Form.Item>
          )}
          <Space style={{ marginBottom: 0 }}>
            <Button type="primary" htmlType="submit">
              {t('filters.apply')}
            </Button>
            <Button onClick={() => onApply({})}>{tc('actions.clear')}</Button>
          </Space>
        </Flex>
      </Form>
    </Card>
  );
}

function EntryDetail({ entry, onFilter }: { entry: Entry; onFilter: (f: Filters) => void }) {
  const { t } = useTranslation('audit');
  return (
    <div style={{ padding: '4px 8px' }}>
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 4 }} style={{ marginBottom: 8 }}>
        <Descriptions.Item label={t('detail.entryId')}>
          <code>{entry.id}</code>
        </Descriptions.Item>
        <Descriptions.Item label={t('detail.chainSeq')}>
          {entry.chainSeq ?? <Tag>{t('detail.unsealed')}</Tag>}
        </Descriptions.Item>
        <Descriptions.Item label={t('detail.requestId')}>
          <code>{entry.requestId ?? '—'}</code>
        </Descriptions.Item>
        <Descriptions.Item label={t('detail.hash')}>
          <code>{entry.hash ? `${entry.hash.slice(0, 16)}…` : '—'}</code>
        </Descriptions.Item>
      </Descriptions>
      <Space style={{ marginBottom: 8 }}>
        <Button size="small" onClick={() => onFilter({ entityType: entry.entityType, entityId: entry.entityId })}>
          {t('detail.filterEntity')}
        </Button>
        <Button size="small" onClick={() => onFilter({ actor: entry.actor })}>
          {t('detail.filterActor')}
        </Button>
      </Space>
      <AuditDiff before={entry.before} after={entry.after} />
    </div>
  );
}

function AuditLogPage() {
  const { t } = useTranslation('audit');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const [filters, setFilters] = useFilters();
  const [expanded, setExpanded] = useState<string[]>(filters.id ? [filters.id] : []);
  const verify = useQuery({
    queryKey: ['audit', 'verify'],
    queryFn: () => unwrap(api.GET('/audit/verify')),
    staleTime: 30_000,
  });
  const brokenId = verify.data?.problem?.id ?? null;

  const query = useInfiniteQuery({
    queryKey: ['audit', 'list', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/audit', {
          params: {
            query: {
              order: 'desc',
              limit: PAGE,
              beforeSeq: pageParam,
              entityType: filters.entityType,
              entityId: filters.entityId,
              actor: filters.actor,
              action: filters.action,
              id: filters.id,
              from: dayStart(filters.from),
              to: dayStart(filters.to, 1),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextBeforeSeq ?? undefined,
  });
  const rows = useMemo(() => query.data?.pages.flatMap((p) => p.data) ?? [], [query.data]);
  useEffect(() => {
    if (filters.id) setExpanded([filters.id]);
  }, [filters.id]);
  const toggle = (entry: Entry) =>
    setExpanded((keys) => (keys.includes(entry.id) ? keys.filter((k) => k !== entry.id) : [...keys, entry.id]));

  return (
    <div>
      <PageHeader
        title={t('title')}
        sub={t('sub')}
        extra={
          <Button onClick={() => void query.refetch()} loading={query.isFetching && !query.isFetchingNextPage}>
            {tc('actions.refresh')}
          </Button>
        }
      />
      <ChainStatus />
      <FilterForm filters={filters} onApply={setFilters} />
      <ErrorAlert error={query.error} />
      <Card>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
          {tc('keys.hint')} · {t('count', { count: rows.length })}
        </Typography.Paragraph>
        <KeyTable<Entry>
          label={t('list')}
          rowKey={(e) => e.id}
          loading={query.isPending}
          dataSource={rows}
          onOpen={toggle}
          expandable={{
            expandedRowKeys: expanded,
            onExpand: (_open, entry) => toggle(entry),
            expandIcon: expandIcon<Entry>((e, open) => `${open ? tc('actions.close') : t('detail.expand')} ${e.id}`),
            expandedRowRender: (entry) => (
              <EntryDetail
                entry={entry}
                onFilter={(f) => {
                  setExpanded([]);
                  setFilters(f);
                }}
              />
            ),
          }}
          columns={[
            {
              title: t('columns.occurredAt'),
              dataIndex: 'occurredAt',
              width: 190,
              render: (v: string) => format.dateTime(v),
            },
            {
              title: t('columns.action'),
              dataIndex: 'action',
              render: (action: string, e) => (
                <Space size={4} wrap>
                  <Tag bordered={false}>{action}</Tag>
                  {brokenId === e.id && (
                    <Tag style={{ color: '#9b1c12', background: '#fdecea', borderColor: '#f0aaa3' }}>
                      {t('chain.brokenTag')}
                    </Tag>
                  )}
                </Space>
              ),
            },
            {
              title: t('columns.entity'),
              key: 'entity',
              render: (_: unknown, e) => (
                <span>
                  <Typography.Text type="secondary">{e.entityType}</Typography.Text> <code>{e.entityId}</code>
                </span>
              ),
            },
            { title: t('columns.actor'), dataIndex: 'actor', render: (v: string) => <code>{v}</code> },
            { title: t('columns.reason'), dataIndex: 'reason', render: (v: string | null) => v ?? '' },
            { title: t('columns.seq'), dataIndex: 'seq', width: 80, align: 'right' },
          ]}
        />
        {query.hasNextPage && (
          <Flex justify="center" style={{ marginTop: 12 }}>
            <Button onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
              {tc('actions.more')}
            </Button>
          </Flex>
        )}
      </Card>
    </div>
  );
}

export default function AuditArea() {
  return (
    <RequirePermission permission="audit:read">
      <Routes>
        <Route index element={<AuditLogPage />} />
      </Routes>
    </RequirePermission>
  );
}

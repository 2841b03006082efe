// The collection cases: filtered on the server (segment, DPD bucket, stage reached, state, collector,
// champion/challenger variant — held in the URL, so a view can be linked), paged by cursor, worked
// from the keyboard (Enter opens a case). A person names and saves the filters they use often; their
// saved filters stay in this browser, per user, and apply with one click.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { App, Button, Card, Flex, Form, Input, Select, Space, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import { CASE_STATES, FILTERS, SEGMENTS, BUCKETS, VARIANTS, type Filters, useSavedFilters } from './saved-filters';

type Case = components['schemas']['CollectionCase'];
interface Account {
  externalId?: string;
  dpd?: number;
  bucket?: string;
  outstanding?: string;
}

const PAGE = 50;

function useUrlFilters(): [Filters, (next: Filters) => void] {
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
    setParams(p, { replace: true });
  };
  return [filters, set];
}

export function CasesList() {
  const { t } = useTranslation('collections');
  const format = useFormat();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const { session } = useSession();
  const [filters, setFilters] = useUrlFilters();
  const [saved, save, remove] = useSavedFilters(session?.user.id ?? 'anonymous');
  const [name, setName] = useState('');

  const settings = useQuery({
    queryKey: ['collections', 'settings'],
    queryFn: () => unwrap(api.GET('/collections/settings')),
    staleTime: 300_000,
  });
  const collectors = useMemo(() => {
    const list = (settings.data?.collectors ?? []) as Array<{ user?: string }>;
    return list.map((c) => c.user).filter((u): u is string => typeof u === 'string');
  }, [settings.data]);

  const cases = useInfiniteQuery({
    queryKey: ['collections', 'cases', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/collections/cases', {
          params: {
            query: {
              limit: PAGE,
              after: pageParam,
              status: filters.status as 'open' | 'closed' | undefined,
              segment: filters.segment,
              bucket: filters.bucket,
              stage: filters.stage,
              state: filters.state,
              collector: filters.collector,
              variant: filters.variant,
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const rows = useMemo(() => cases.data?.pages.flatMap((p) => p.data) ?? [], [cases.data]);

  const change = (field: keyof Filters, value: string | undefined) => setFilters({ ...filters, [field]: value });
  const options = (values: readonly string[], label?: (v: string) => string) =>
    values.map((v) => ({ value: v, label: label ? label(v) : v }));
  const stateLabel = (s: string) => t(`states.${s}`, { defaultValue: s });
  const variantLabel = (v: string) => t(`variants.${v}`, { defaultValue: v });

  const select = (field: keyof Filters, label: string, values: Array<{ value: string; label: string }>) => (
    <Form.Item label={label} htmlFor={`cf-${field}`} style={{ minWidth: 170, marginBottom: 8 }}>
      <Select
        id={`cf-${field}`}
        allowClear
        placeholder={t('filters.any')}
        value={filters[field]}
        onChange={(v: string | undefined) => change(field, v)}
        options={values}
      />
    </Form.Item>
  );

  return (
    <>
      <PageHeader
        title={t('title')}
        sub={t('sub')}
        extra={
          <Button onClick={() => void cases.refetch()} loading={cases.isRefetching}>
            {t('common:actions.refresh')}
          </Button>
        }
      />
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('filters.title')}</h2>} style={{ marginBottom: 16 }}>
        <Form layout="vertical" component="div">
          <Flex wrap gap={12} align="end">
            {select('status', t('filters.status'), [
              { value: 'open', label: t('status.open') },
              { value: 'closed', label: t('status.closed') },
            ])}
            {select('segment', t('filters.segment'), options(SEGMENTS))}
            {select('bucket', t('filters.bucket'), options(BUCKETS))}
            {select('state', t('filters.state'), options(CASE_STATES, stateLabel))}
            {select('variant', t('filters.variant'), options(VARIANTS, variantLabel))}
            {select('collector', t('filters.collector'), options(collectors))}
            <Form.Item label={t('filters.stage')} htmlFor="cf-stage" style={{ minWidth: 260, marginBottom: 8 }}>
              <Input.Search
                id="cf-stage"
                allowClear
                placeholder={t('filters.stageHelp')}
                defaultValue={filters.stage}
                key={filters.stage ?? ''}
                enterButton={t('filters.apply')}
                onSearch={(v) => change('stage', v || undefined)}
              />
            </Form.Item>
            <Button onClick={() => setFilters({})} style={{ marginBottom: 8 }}>
              {t('common:actions.clear')}
            </Button>
          </Flex>
          <Flex wrap gap={8} align="center" style={{ marginTop: 8 }}>
            <Typography.Text strong id="saved-filters-label">
              {t('saved.title')}:
            </Typography.Text>
            {saved.length === 0 && <Typography.Text type="secondary">{t('saved.none')}</Typography.Text>}
            <Space wrap size={4} role="list" aria-labelledby="saved-filters-label">
              {saved.map((s) => (
                <Space.Compact key={s.name} role="listitem">
                  <Button
                    size="small"
                    onClick={() => setFilters(s.filters)}
                    aria-label={t('saved.apply', { name: s.name })}
                  >
                    {s.name}
                  </Button>
                  <Button size="small" onClick={() => remove(s.name)} aria-label={t('saved.delete', { name: s.name })}>
                    ×
                  </Button>
                </Space.Compact>
              ))}
            </Space>
            <Space.Compact style={{ marginLeft: 'auto' }}>
              <Input
                aria-label={t('saved.name')}
                placeholder={t('saved.name')}
                value={name}
                maxLength={60}
                onChange={(e) => setName(e.target.value)}
                style={{ width: 200 }}
              />
              <Button
                disabled={!name.trim()}
                onClick={() => {
                  save(name.trim(), filters);
                  setName('');
                  void message.success(t('saved.saved'));
                }}
              >
                {t('saved.save')}
              </Button>
            </Space.Compact>
          </Flex>
        </Form>
      </Card>
      <ErrorAlert error={cases.error} />
      <KeyTable<Case>
        label={t('list')}
        rowKey={(c) => c.id}
        loading={cases.isPending}
        dataSource={rows}
        onOpen={(c) => void navigate(`/collections/cases/${c.id}`)}
        columns={[
          {
            title: t('columns.id'),
            dataIndex: 'id',
            render: (id: string) => <Typography.Text code>{id.slice(-10)}</Typography.Text>,
          },
          {
            title: t('columns.customer'),
            render: (_: unknown, c) => (
              <a
                href={`/collections/cases/${c.id}`}
                style={{ color: '#0b5cad' }}
                onClick={(e) => {
                  e.preventDefault();
                  void navigate(`/collections/cases/${c.id}`);
                }}
              >
                {c.customerName ?? c.customerId}
              </a>
            ),
          },
          { title: t('columns.account'), render: (_: unknown, c) => (c.account as Account).externalId },
          { title: t('columns.segment'), dataIndex: 'segment' },
          { title: t('columns.variant'), dataIndex: 'variant', render: (v: string) => variantLabel(v) },
          {
            title: t('columns.dpd'),
            align: 'right',
            render: (_: unknown, c) => format.number((c.account as Account).dpd),
          },
          { title: t('columns.bucket'), render: (_: unknown, c) => (c.account as Account).bucket },
          {
            title: t('columns.outstanding'),
            align: 'right',
            render: (_: unknown, c) => format.money((c.account as Account).outstanding, c.currency),
          },
          {
            title: t('columns.state'),
            dataIndex: 'state',
            render: (s: string, c) => <Tag color={c.status === 'closed' ? 'default' : 'blue'}>{stateLabel(s)}</Tag>,
          },
          { title: t('columns.stage'), dataIndex: 'lastStage', render: (s: string | null) => s ?? '—' },
          { title: t('columns.collector'), dataIndex: 'collector', render: (s: string | null) => s ?? '—' },
          { title: t('columns.opened'), dataIndex: 'openedAt', render: (d: string) => format.date(d.slice(0, 10)) },
        ]}
      />
      <Flex justify="space-between" align="center" style={{ marginTop: 12 }}>
        <Typography.Text type="secondary">
          {t('shown', { count: rows.length })} · {t('common:keys.hint')}
        </Typography.Text>
        {cases.hasNextPage && (
          <Button onClick={() => void cases.fetchNextPage()} loading={cases.isFetchingNextPage}>
            {t('common:actions.more')}
          </Button>
        )}
      </Flex>
    </>
  );
}

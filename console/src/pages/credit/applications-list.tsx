// Credit applications, newest first: filtered on the server by status and product (in the URL, so a
// view can be linked), paged by cursor, and opened from the keyboard (Enter).
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Button, Card, Flex, Form, Select, Tag, Typography } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import { STATUSES, statusStyle, type Status } from './shared';

type Application = components['schemas']['CreditApplication'];
const PAGE = 50;

export function ApplicationsList() {
  const { t } = useTranslation('credit');
  const format = useFormat();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const status = (params.get('status') ?? undefined) as Status | undefined;
  const product = params.get('product') ?? undefined;
  const setFilter = (name: 'status' | 'product', value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };

  const settings = useQuery({
    queryKey: ['credit', 'settings'],
    queryFn: () => unwrap(api.GET('/credit/settings')),
    staleTime: 300_000,
  });
  const products = useMemo(
    () =>
      (settings.data?.products ?? []).map((p) => p.name).filter((n): n is string => typeof n === 'string' && n !== ''),
    [settings.data],
  );

  const applications = useInfiniteQuery({
    queryKey: ['credit', 'applications', status, product],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/credit/applications', { params: { query: { limit: PAGE, after: pageParam, status, product } } }),
      ),
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const rows = useMemo(() => applications.data?.pages.flatMap((p) => p.data) ?? [], [applications.data]);
  const open = (a: Application) => void navigate(`/credit/applications/${a.id}`);

  return (
    <>
      <PageHeader
        title={t('title')}
        sub={t('sub')}
        extra={
          <Button onClick={() => void applications.refetch()} loading={applications.isRefetching}>
            {t('common:actions.refresh')}
          </Button>
        }
      />
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('filters.title')}</h2>} style={{ marginBottom: 16 }}>
        <Form layout="vertical" component="div">
          <Flex wrap gap={12} align="end">
            <Form.Item label={t('filters.status')} htmlFor="ca-status" style={{ minWidth: 200, marginBottom: 0 }}>
              <Select
                id="ca-status"
                allowClear
                placeholder={t('filters.any')}
                value={status}
                onChange={(v: string | undefined) => setFilter('status', v)}
                options={STATUSES.map((s) => ({ value: s, label: t(`statuses.${s}`) }))}
              />
            </Form.Item>
            <Form.Item label={t('filters.product')} htmlFor="ca-product" style={{ minWidth: 200, marginBottom: 0 }}>
              <Select
                id="ca-product"
                allowClear
                placeholder={t('filters.any')}
                value={product}
                onChange={(v: string | undefined) => setFilter('product', v)}
                options={products.map((p) => ({ value: p, label: p }))}
              />
            </Form.Item>
            <Button onClick={() => setParams(new URLSearchParams(), { replace: true })}>
              {t('common:actions.clear')}
            </Button>
          </Flex>
        </Form>
      </Card>
      <ErrorAlert error={applications.error} />
      <KeyTable<Application>
        label={t('list')}
        rowKey={(a) => a.id}
        loading={applications.isPending}
        dataSource={rows}
        onOpen={open}
        columns={[
          {
            title: t('columns.id'),
            dataIndex: 'id',
            render: (id: string) => <Typography.Text code>{id.slice(-10)}</Typography.Text>,
          },
          {
            title: t('columns.applicant'),
            render: (_: unknown, a) => (
              <a
                href={`/credit/applications/${a.id}`}
                style={{ color: '#0b5cad' }}
                onClick={(e) => {
                  e.preventDefault();
                  open(a);
                }}
              >
                {typeof a.applicant.name === 'string' ? a.applicant.name : a.customerId}
              </a>
            ),
          },
          { title: t('columns.product'), dataIndex: 'product' },
          {
            title: t('columns.amount'),
            align: 'right',
            render: (_: unknown, a) => format.money(a.amount, a.currency),
          },
          { title: t('columns.term'), render: (_: unknown, a) => t('months', { count: a.termMonths }) },
          {
            title: t('columns.status'),
            render: (_: unknown, a) => <Tag style={statusStyle(a.status)}>{t(`statuses.${a.status}`)}</Tag>,
          },
          {
            title: t('columns.outcome'),
            render: (_: unknown, a) => (a.outcome ? t(`outcomes.${a.outcome}`, { defaultValue: a.outcome }) : '—'),
          },
          {
            title: t('columns.grade'),
            render: (_: unknown, a) => (typeof a.score?.grade === 'string' ? a.score.grade : '—'),
          },
          {
            title: t('columns.level'),
            render: (_: unknown, a) =>
              typeof a.authority?.level === 'number' ? t('levelN', { level: a.authority.level }) : '—',
          },
          { title: t('columns.submitted'), render: (_: unknown, a) => format.dateTime(a.createdAt) },
        ]}
      />
      <Flex justify="space-between" align="center" style={{ marginTop: 12 }}>
        <Typography.Text type="secondary">
          {t('shown', { count: rows.length })} · {t('common:keys.hint')}
        </Typography.Text>
        {applications.hasNextPage && (
          <Button onClick={() => void applications.fetchNextPage()} loading={applications.isFetchingNextPage}>
            {t('common:actions.more')}
          </Button>
        )}
      </Flex>
    </>
  );
}

// Dashboards: the portfolio by bucket over time, collections KPIs, credit decisions, champion vs
// challenger and engine health, each from a server report computed in SQL (nothing aggregated in the
// browser). Filters (period, segment, product, currency) live in the URL and are sent to the server;
// the charts refresh every 30 s while auto-refresh is on. Each chart shows only to those whose
// permissions allow its data, has an accessible name and a data table, and downloads as CSV and XLSX.
import './locales';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Flex, Form, Input, Row, Select, Statistic, Switch, Tag, Typography } from 'antd';
import type { EChartsCoreOption } from 'echarts/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { PageHeader } from '../../components/page';
import { minorToDecimal, useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import { BUCKET_COLOURS, ChartCard, PALETTE } from './chart-card';
import { defaultPeriod, filtersOf, reportQueries, validPeriod, type Filters } from './requests';

type Portfolio = components['schemas']['PortfolioByBucket'];
type Kpis = components['schemas']['CollectionKpis'];
type Strategies = components['schemas']['CollectionsStrategyReport'];
type Credit = components['schemas']['CreditDecisionReport'];
type Health = components['schemas']['EngineHealth'];

const REFRESH_MS = 30_000;
const OUTCOME_COLOURS = { approve: PALETTE[0], decline: PALETTE[3], review: PALETTE[2], pending: '#4b5563' };

function useFilters(): [Filters, (patch: Partial<Filters>) => void, () => void] {
  const [params, setParams] = useSearchParams();
  const defaults = useMemo(defaultPeriod, []);
  const filters = filtersOf(params, defaults);
  const update = (patch: Partial<Filters>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  return [filters, update, () => setParams(new URLSearchParams(), { replace: true })];
}

function Dashboards() {
  const { t } = useTranslation('dashboards');
  const fmt = useFormat();
  const { can } = useSession();
  const [filters, setFilters, resetFilters] = useFilters();
  const [auto, setAuto] = useState(true);
  const refetchInterval = auto ? REFRESH_MS : false;
  const ready = validPeriod(filters);
  const common = { refetchInterval, placeholderData: keepPreviousData } as const;
  const queries = reportQueries(filters);
  const { from, to, segment, product, currency } = filters;

  const portfolio = useQuery({
    queryKey: ['dashboards', 'portfolio', filters],
    queryFn: () =>
      unwrap(
        api.GET('/receivables/reports/portfolio', {
          params: { query: queries.portfolio },
        }),
      ),
    enabled: ready && can('receivables:read'),
    ...common,
  });
  const kpis = useQuery({
    queryKey: ['dashboards', 'kpis', from, to, segment, currency],
    queryFn: () => unwrap(api.GET('/collections/reports/kpis', { params: { query: queries.kpis } })),
    enabled: ready && can('collections:read'),
    ...common,
  });
  const strategies = useQuery({
    queryKey: ['dashboards', 'strategies', from, to, segment],
    queryFn: () => unwrap(api.GET('/collections/reports/strategies', { params: { query: queries.strategies } })),
    enabled: ready && can('collections:read'),
    ...common,
  });
  const credit = useQuery({
    queryKey: ['dashboards', 'credit', filters],
    queryFn: () => unwrap(api.GET('/credit/reports/decisions', { params: { query: queries.credit } })),
    enabled: ready && can('credit:read'),
    ...common,
  });
  const health = useQuery({
    queryKey: ['dashboards', 'engine-health'],
    queryFn: () => unwrap(api.GET('/reports/engine-health', { params: { query: {} } })),
    enabled: can('workflows:read'),
    ...common,
  });

  const updatedAt = Math.max(
    portfolio.dataUpdatedAt,
    kpis.dataUpdatedAt,
    strategies.dataUpdatedAt,
    credit.dataUpdatedAt,
    health.dataUpdatedAt,
  );
  const options = portfolio.data?.options;
  const products = [
    ...new Set([...(options?.products ?? []), ...(credit.data?.byProduct.map((p) => p.product) ?? []), product]),
  ].filter((p): p is string => !!p);
  const segments = [...new Set([...(options?.segments ?? []), segment])].filter((s): s is string => !!s);
  const currencies = [...new Set([...(options?.currencies ?? []), currency])].filter((c): c is string => !!c);
  const all = { value: '', label: t('filters.all') };
  const refreshAll = () => {
    for (const q of [portfolio, kpis, strategies, credit, health]) if (q.isFetched) void q.refetch();
  };

  return (
    <>
      <PageHeader
        title={t('title')}
        sub={t('sub')}
        extra={
          <Flex align="center" gap={12} wrap>
            {updatedAt > 0 && (
              <Typography.Text type="secondary" aria-live="polite">
                {t('updatedAt', { time: fmt.dateTime(new Date(updatedAt)) })}
              </Typography.Text>
            )}
            <Flex align="center" gap={6}>
              <Switch id="dash-auto-refresh" checked={auto} onChange={setAuto} aria-label={t('autoRefresh')} />
              <label htmlFor="dash-auto-refresh">{t('autoRefresh')}</label>
            </Flex>
            <Button onClick={refreshAll}>{t('common:actions.refresh')}</Button>
          </Flex>
        }
      />
      <Card style={{ marginBottom: 16 }} title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('filters.title')}</h2>}>
        <Form layout="inline" style={{ rowGap: 8 }}>
          <Form.Item label={t('filters.from')} htmlFor="dash-from">
            <Input
              id="dash-from"
              type="date"
              value={filters.from}
              max={filters.to}
              onChange={(e) => setFilters({ from: e.target.value })}
            />
          </Form.Item>
          <Form.Item label={t('filters.to')} htmlFor="dash-to">
            <Input
              id="dash-to"
              type="date"
              value={filters.to}
              min={filters.from}
              onChange={(e) => setFilters({ to: e.target.value })}
            />
          </Form.Item>
          <Form.Item label={t('filters.segment')} htmlFor="dash-segment">
            <Select
              id="dash-segment"
              style={{ minWidth: 140 }}
              value={segment ?? ''}
              options={[all, ...segments.map((s) => ({ value: s, label: s }))]}
              onChange={(value: string) => setFilters({ segment: value })}
            />
          </Form.Item>
          <Form.Item label={t('filters.product')} htmlFor="dash-product">
            <Select
              id="dash-product"
              style={{ minWidth: 160 }}
              value={product ?? ''}
              options={[all, ...products.map((p) => ({ value: p, label: p }))]}
              onChange={(value: string) => setFilters({ product: value })}
            />
          </Form.Item>
          <Form.Item label={t('filters.currency')} htmlFor="dash-currency">
            <Select
              id="dash-currency"
              style={{ minWidth: 110 }}
              value={currency ?? ''}
              options={[all, ...currencies.map((c) => ({ value: c, label: c }))]}
              onChange={(value: string) => setFilters({ currency: value })}
            />
          </Form.Item>
          <Form.Item>
            <Button onClick={resetFilters}>{t('filters.reset')}</Button>
          </Form.Item>
        </Form>
      </Card>

      {(can('receivables:read') || can('collections:read')) && (
        <Section title={t('sections.portfolio')}>
          {can('receivables:read') && (
            <Col xs={24} xl={24}>
              <PortfolioChart query={portfolio} />
            </Col>
          )}
          {can('collections:read') && (
            <>
              <Col xs={24} xl={12}>
                <RollRatesChart query={kpis} />
              </Col>
              <Col xs={24} xl={12}>
                <RatesChart query={kpis} />
              </Col>
              <Col xs={24} xl={12}>
                <CeiDsoChart query={kpis} />
              </Col>
              <Col xs={24} xl={12}>
                <StrategiesChart query={strategies} />
              </Col>
            </>
          )}
        </Section>
      )}
      {can('credit:read') && (
        <Section title={t('sections.credit')}>
          <Col xs={24} xl={12}>
            <CreditChart query={credit} />
          </Col>
          <Col xs={24} xl={12}>
            <ScoresChart query={credit} />
          </Col>
        </Section>
      )}
      {can('workflows:read') && (
        <Section title={t('sections.engine')}>
          <Col xs={24} xl={12}>
            <InstancesChart query={health} />
          </Col>
          <Col xs={24} xl={12}>
            <TasksChart query={health} />
          </Col>
        </Section>
      )}
    </>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section style={{ marginBottom: 24 }}>
      <h2 style={{ fontSize: 18, margin: '8px 0 12px' }}>{title}</h2>
      <Row gutter={[16, 16]}>{children}</Row>
    </section>
  );
}

interface QueryOf<T> {
  data?: T | undefined;
  isPending: boolean;
  isFetching: boolean;
  error: unknown;
  fetchStatus: string;
}

const loadingOf = <T,>(q: QueryOf<T>) => q.isPending && q.fetchStatus !== 'idle';
const percentAxis = { type: 'value', axisLabel: { formatter: '{value} %' }, max: 100, min: 0 } as const;
const pct = (rate: number | null | undefined) =>
  rate === null || rate === undefined ? null : Math.round(rate * 10000) / 100;
const rateOf = (text: string | null | undefined) => (text === null || text === undefined ? null : Number(text));

function useBucketName() {
  const { t } = useTranslation('dashboards');
  return (bucket: string) => (bucket === 'current' ? t('buckets.current') : bucket);
}

function PortfolioChart({ query }: { query: QueryOf<Portfolio> }) {
  const { t } = useTranslation('dashboards');
  const fmt = useFormat();
  const bucketName = useBucketName();
  const data = query.data;
  const option = useMemo<EChartsCoreOption | null>(() => {
    if (!data) return null;
    return {
      color: BUCKET_COLOURS,
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 32 },
      xAxis: { type: 'category', data: data.dates.map((d) => fmt.date(d)) },
      yAxis: { type: 'value', minInterval: 1, name: t('portfolio.receivables') },
      series: data.buckets.map((bucket) => ({
        name: bucketName(bucket),
        type: 'bar',
        stack: 'portfolio',
        data: data.dates.map((date) =>
          data.points.filter((p) => p.date === date && p.bucket === bucket).reduce((n, p) => n + p.receivables, 0),
        ),
      })),
    };
  }, [data, fmt, t, bucketName]);
  return (
    <ChartCard
      file="portfolio-by-bucket"
      title={t('portfolio.title')}
      help={t('portfolio.help')}
      option={option}
      loading={loadingOf(query)}
      error={query.error}
      height={320}
      header={['date', 'bucket', 'currency', 'receivables', 'owed']}
      rows={(data?.points ?? []).map((p) => [
        p.date,
        p.bucket,
        p.currency,
        p.receivables,
        minorToDecimal(p.owed, p.currency),
      ])}
    />
  );
}

function RollRatesChart({ query }: { query: QueryOf<Kpis> }) {
  const { t } = useTranslation('dashboards');
  const bucketName = useBucketName();
  const rolls = query.data?.rollRates ?? [];
  const option: EChartsCoreOption = {
    color: [PALETTE[3]],
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: rolls.map((r) => `${bucketName(r.from)} → ${r.to}`) },
    yAxis: percentAxis,
    series: [
      {
        name: t('rollRates.rate'),
        type: 'bar',
        data: rolls.map((r) => pct(r.rate)),
        label: { show: true, position: 'top', formatter: '{c} %' },
      },
    ],
  };
  return (
    <ChartCard
      file="roll-rates"
      title={t('rollRates.title')}
      help={t('rollRates.help')}
      note={<NotFiltered what={[t('filters.segment'), t('filters.product')]} />}
      option={option}
      loading={loadingOf(query)}
      error={query.error}
      header={['from', 'to', 'inBucket', 'rolled', 'rate']}
      rows={query.data ? rolls.map((r) => [r.from, r.to, r.inBucket, r.rolled, r.rate]) : []}
    />
  );
}

function RatesChart({ query }: { query: QueryOf<Kpis> }) {
  const { t } = useTranslation('dashboards');
  const fmt = useFormat();
  const k = query.data;
  const rows: Array<[string, string, string | number, string | number, number | null]> = k
    ? [
        ['cure', t('rates.cure'), k.cureRate.cured, k.cureRate.opened, k.cureRate.rate],
        [
          'promise_kept',
          t('rates.promiseKept'),
          k.promiseKeptRate.overall.kept,
          k.promiseKeptRate.overall.kept + k.promiseKeptRate.overall.broken,
          k.promiseKeptRate.overall.rate,
        ],
        ...k.recoveryRate.map(
          (r) =>
            [
              `recovery_${r.currency}`,
              t('rates.recovery', { currency: r.currency }),
              minorToDecimal(r.recovered, r.currency),
              minorToDecimal(r.openedOverdue, r.currency),
              rateOf(r.rate),
            ] as [string, string, string, string, number | null],
        ),
      ]
    : [];
  const option: EChartsCoreOption = {
    color: [PALETTE[1]],
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: rows.map((r) => r[1]) },
    yAxis: { type: 'value', axisLabel: { formatter: '{value} %' }, min: 0 },
    series: [
      {
        name: t('rates.rate'),
        type: 'bar',
        data: rows.map((r) => pct(r[4])),
        label: { show: true, position: 'top', formatter: '{c} %' },
      },
    ],
  };
  return (
    <ChartCard
      file="collection-rates"
      title={t('rates.title')}
      help={t('rates.help')}
      note={<NotFiltered what={[t('filters.product')]} />}
      summary={
        k && (
          <Flex gap={32} wrap style={{ marginBottom: 8 }}>
            {rows.map((r) => (
              <Statistic key={r[0]} title={r[1]} value={fmt.percent(r[4])} />
            ))}
          </Flex>
        )
      }
      option={option}
      loading={loadingOf(query)}
      error={query.error}
      header={['measure', 'numerator', 'denominator', 'rate']}
      rows={rows.map((r) => [r[0], r[2], r[3], r[4]])}
    />
  );
}

function CeiDsoChart({ query }: { query: QueryOf<Kpis> }) {
  const { t } = useTranslation('dashboards');
  const k = query.data;
  const cei = k?.cei ?? [];
  const dso = k?.dso ?? [];
  const option: EChartsCoreOption = {
    color: [PALETTE[0], PALETTE[2]],
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 56, right: 56, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: cei.map((c) => c.currency) },
    yAxis: [
      { type: 'value', name: t('ceiDso.cei'), min: 0 },
      { type: 'value', name: t('ceiDso.dso'), min: 0 },
    ],
    series: [
      {
        name: t('ceiDso.cei'),
        type: 'bar',
        data: cei.map((c) => rateOf(c.cei)),
        label: { show: true, position: 'top' },
      },
      {
        name: t('ceiDso.dso'),
        type: 'bar',
        yAxisIndex: 1,
        data: cei.map((c) => rateOf(dso.find((d) => d.currency === c.currency)?.dso)),
        label: { show: true, position: 'top' },
      },
    ],
  };
  return (
    <ChartCard
      file="cei-dso"
      title={t('ceiDso.title')}
      help={t('ceiDso.help')}
      note={<NotFiltered what={[t('filters.segment'), t('filters.product')]} />}
      option={option}
      loading={loadingOf(query)}
      error={query.error}
      header={['currency', 'beginning', 'sales', 'collected', 'adjusted', 'endingTotal', 'endingCurrent', 'cei', 'dso']}
      rows={cei.map((c) => [
        c.currency,
        minorToDecimal(c.beginning, c.currency),
        minorToDecimal(c.sales, c.currency),
        minorToDecimal(c.collected, c.currency),
        minorToDecimal(c.adjusted, c.currency),
        minorToDecimal(c.endingTotal, c.currency),
        minorToDecimal(c.endingCurrent, c.currency),
        c.cei,
        dso.find((d) => d.currency === c.currency)?.dso ?? null,
      ])}
    />
  );
}

function StrategiesChart({ query }: { query: QueryOf<Strategies> }) {
  const { t } = useTranslation('dashboards');
  const s = query.data;
  const variants = s?.variants ?? [];
  const segments = [...new Set(variants.map((v) => v.segment))];
  const names = [...new Set(variants.map((v) => v.variant))];
  const option: EChartsCoreOption = {
    color: PALETTE,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 56, right: 16, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: segments },
    yAxis: percentAxis,
    series: names.map((name) => ({
      name,
      type: 'bar',
      data: segments.map((seg) => pct(variants.find((v) => v.segment === seg && v.variant === name)?.cureRate.rate)),
      label: { show: true, position: 'top', formatter: '{c} %' },
    })),
  };
  return (
    <ChartCard
      file="champion-challenger"
      title={t('strategies.title')}
      help={t('strategies.help')}
      note={<NotFiltered what={[t('filters.product'), t('filters.currency')]} />}
      option={option}
      loading={loadingOf(query)}
      error={query.error}
      header={[
        'segment',
        'variant',
        'cases',
        'cured',
        'cureRate',
        'ciLow',
        'ciHigh',
        'rollRate',
        'costPerCase',
        'differenceVsChampion',
        'significant',
      ]}
      rows={variants.map((v) => {
        const comparison = s?.comparisons.find((c) => c.segment === v.segment && c.challenger === v.variant);
        return [
          v.segment,
          v.variant,
          v.cases,
          v.cured,
          v.cureRate.rate,
          v.cureRate.ci?.low ?? null,
          v.cureRate.ci?.high ?? null,
          v.rollRate.rate,
          v.cost.perCase,
          comparison?.cureRateDifference ?? null,
          comparison ? comparison.significant : null,
        ];
      })}
    />
  );
}

function CreditChart({ query }: { query: QueryOf<Credit> }) {
  const { t } = useTranslation('dashboards');
  const fmt = useFormat();
  const o = query.data?.outcomes;
  const outcomes = (['approve', 'decline', 'review', 'pending'] as const).map((key) => ({
    key,
    name: t(`credit.${key}`),
    count: o?.[key] ?? 0,
    rate: key === 'pending' ? null : (o?.[`${key}Rate`] ?? null),
  }));
  const option: EChartsCoreOption = {
    tooltip: { trigger: 'item' },
    legend: { bottom: 0 },
    series: [
      {
        name: t('credit.outcome'),
        type: 'pie',
        radius: ['40%', '70%'],
        label: { formatter: '{b}: {c}' },
        data: outcomes
          .filter((x) => x.count > 0)
          .map((x) => ({ name: x.name, value: x.count, itemStyle: { color: OUTCOME_COLOURS[x.key] } })),
      },
    ],
  };
  return (
    <ChartCard
      file="credit-decisions"
      title={t('credit.title')}
      help={t('credit.help')}
      summary={
        o && (
          <Flex gap={32} wrap style={{ marginBottom: 8 }}>
            {outcomes
              .filter((x) => x.key !== 'pending')
              .map((x) => (
                <Statistic key={x.key} title={x.name} value={fmt.percent(x.rate)} />
              ))}
          </Flex>
        )
      }
      option={option}
      loading={loadingOf(query)}
      error={query.error}
      header={['outcome', 'applications', 'rateOfDecided']}
      rows={o && o.total > 0 ? outcomes.map((x) => [x.key, x.count, x.rate]) : []}
    />
  );
}

function ScoresChart({ query }: { query: QueryOf<Credit> }) {
  const { t } = useTranslation('dashboards');
  const bands = query.data?.scoreBands ?? [];
  const option: EChartsCoreOption = {
    color: [PALETTE[0], PALETTE[3], PALETTE[2]],
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 32 },
    xAxis: { type: 'category', data: bands.map((b) => `${b.low}–${b.high}`), name: t('scores.band') },
    yAxis: { type: 'value', minInterval: 1 },
    series: (['approve', 'decline', 'review'] as const).map((key) => ({
      name: t(`credit.${key}`),
      type: 'bar',
      stack: 'scores',
      data: bands.map((b) => b[key]),
    })),
  };
  return (
    <ChartCard
      file="score-distribution"
      title={t('scores.title')}
      help={t('scores.help')}
      option={option}
      loading={loadingOf(query)}
      error={query.error}
      header={['low', 'high', 'approve', 'decline', 'review', 'total']}
      rows={bands.map((b) => [b.low, b.high, b.approve, b.decline, b.review, b.total])}
    />
  );
}

function InstancesChart({ query }: { query: QueryOf<Health> }) {
  const { t } = useTranslation('dashboards');
  const fmt = useFormat();
  const h = query.data;
  const instances = h?.instances ?? [];
  const option: EChartsCoreOption = {
    tooltip: { trigger: 'axis' },
    grid: { left: 56, right: 16, top: 16, bottom: 32 },
    xAxis: { type: 'category', data: instances.map((i) => t(`statuses.${i.status}`, { defaultValue: i.status })) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      {
        name: t('instances.count'),
        type: 'bar',
        data: instances.map((i) => ({
          value: i.count,
          itemStyle: { color: i.status === 'failed' ? PALETTE[3] : i.status === 'completed' ? PALETTE[0] : PALETTE[1] },
        })),
        label: { show: true, position: 'top' },
      },
    ],
  };
  return (
    <ChartCard
      file="instances-by-status"
      title={t('instances.title')}
      help={t('instances.help')}
      summary={
        h && (
          <Flex gap={16} align="center" wrap style={{ marginBottom: 8 }}>
            <Statistic
              title={t('instances.failed')}
              value={h.failed.count}
              valueStyle={h.failed.count > 0 ? { color: '#b42318' } : undefined}
            />
            {h.failed.oldestAt && (
              <Typography.Text type="secondary">
                {t('instances.oldestFailed', { time: fmt.dateTime(h.failed.oldestAt) })}
              </Typography.Text>
            )}
            {h.failed.count > 0 && <Link to="/workflows/instances?status=failed">{t('instances.openFailed')}</Link>}
          </Flex>
        )
      }
      option={option}
      loading={loadingOf(query)}
      error={query.error}
      header={['status', 'instances']}
      rows={instances.map((i) => [i.status, i.count])}
    />
  );
}

function TasksChart({ query }: { query: QueryOf<Health> }) {
  const { t } = useTranslation('dashboards');
  const queues = query.data?.queues ?? [];
  const option: EChartsCoreOption = {
    color: [PALETTE[1], PALETTE[3], PALETTE[2], PALETTE[4]],
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 16, top: 36, bottom: 48 },
    xAxis: {
      type: 'category',
      data: queues.map((q) => q.queue),
      axisLabel: { interval: 0, rotate: queues.length > 4 ? 20 : 0 },
    },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: t('tasks.open'), type: 'bar', data: queues.map((q) => q.open) },
      { name: t('tasks.overdue'), type: 'bar', data: queues.map((q) => q.overdue) },
      { name: t('tasks.unassigned'), type: 'bar', data: queues.map((q) => q.unassigned) },
      { name: t('tasks.completedLate'), type: 'bar', data: queues.map((q) => q.completedLate) },
    ],
  };
  return (
    <ChartCard
      file="task-backlog"
      title={t('tasks.title')}
      help={t('tasks.help')}
      option={option}
      loading={loadingOf(query)}
      error={query.error}
      header={['queue', 'open', 'unassigned', 'overdue', 'escalated', 'completed', 'completedLate']}
      rows={queues.map((q) => [q.queue, q.open, q.unassigned, q.overdue, q.escalated, q.completed, q.completedLate])}
    />
  );
}

function NotFiltered({ what }: { what: string[] }) {
  const { t } = useTranslation('dashboards');
  return <Tag>{t('notFiltered', { what: what.join(', ') })}</Tag>;
}

export default function DashboardsArea() {
  return (
    <Routes>
      <Route index element={<Dashboards />} />
    </Routes>
  );
}

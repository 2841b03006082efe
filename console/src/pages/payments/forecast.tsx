// The cash forecast tab (GET /treasury/forecast): a currency of the bank accounts, how many weeks and
// by week or day; the buckets as a chart (inflows and outflows as bars, the closing balance as a line)
// and as a table with totals, and the server's CSV of the same buckets to download.
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, InputNumber, Radio, Select, Table, Typography } from 'antd';
import type { EChartsCoreOption } from 'echarts/core';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { minorToDecimal, useFormat } from '../../i18n/format';
import { ForecastChart } from './forecast-chart';
import { EmptyText, h2, useBankAccounts } from './shared';

type Bucket = components['schemas']['ForecastBucket'];
type Forecast = components['schemas']['CashForecast'];
type Granularity = 'week' | 'day';

const INFLOW = '#2b7a0b';
const OUTFLOW = '#b42318';
const BALANCE = '#0b5cad';

export function ForecastTab() {
  const { t } = useTranslation('payments-treasury');
  const fmt = useFormat();
  const { query: accounts } = useBankAccounts();
  const currencies = useMemo(
    () => [...new Set((accounts.data?.data ?? []).map((a) => a.currency))].sort(),
    [accounts.data],
  );
  const [chosen, setCurrency] = useState<string>();
  const currency = chosen ?? currencies[0];
  const [weeks, setWeeks] = useState(13);
  const [granularity, setGranularity] = useState<Granularity>('week');
  const forecast = useQuery({
    queryKey: ['payments', 'forecast', currency, weeks, granularity],
    // The route also answers CSV (format=csv); without it the answer is always the JSON forecast.
    queryFn: async (): Promise<Forecast> => {
      const data: Forecast | string = await unwrap(
        api.GET('/treasury/forecast', { params: { query: { currency: currency ?? '', weeks, granularity } } }),
      );
      if (typeof data === 'string') throw new Error('the forecast came as CSV');
      return data;
    },
    enabled: !!currency,
  });
  const f = forecast.data;
  const money = (minor: string) => fmt.money(minor, f?.currency ?? currency ?? 'EUR');
  const period = (b: Bucket) => (b.start === b.end ? fmt.date(b.start) : `${fmt.date(b.start)} – ${fmt.date(b.end)}`);

  const option = useMemo<EChartsCoreOption | null>(() => {
    if (!f) return null;
    // Major units for the axes only; every figure a person reads is formatted from the minor string.
    const major = (minor: string) => Number(minorToDecimal(minor, f.currency));
    const axisMoney = new Intl.NumberFormat(fmt.locale, { notation: 'compact', maximumFractionDigits: 1 });
    const tipMoney = new Intl.NumberFormat(fmt.locale, { style: 'currency', currency: f.currency });
    return {
      color: [INFLOW, OUTFLOW, BALANCE],
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      tooltip: { trigger: 'axis', valueFormatter: (v: unknown) => tipMoney.format(Number(v)) },
      xAxis: { type: 'category', data: f.buckets.map((b) => fmt.date(b.start)) },
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => axisMoney.format(v) } },
      series: [
        {
          name: t('forecast.inflows'),
          type: 'bar',
          stack: 'flows',
          barMaxWidth: 40,
          data: f.buckets.map((b) => major(b.inflows)),
        },
        {
          name: t('forecast.outflows'),
          type: 'bar',
          stack: 'flows',
          barMaxWidth: 40,
          data: f.buckets.map((b) => -major(b.outflows)),
        },
        { name: t('forecast.closing'), type: 'line', data: f.buckets.map((b) => major(b.closing)) },
      ],
    };
  }, [f, fmt, t]);

  const csvHref =
    currency &&
    `/api/v1/treasury/forecast?${new URLSearchParams({ currency, weeks: String(weeks), granularity, format: 'csv' }).toString()}`;

  return (
    <Card
      title={h2(t('forecast.title'))}
      extra={
        csvHref ? (
          <Button href={csvHref} download={`cash-forecast-${currency}-${f?.from ?? ''}.csv`}>
            {t('forecast.download')}
          </Button>
        ) : null
      }
    >
      <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
        {t('forecast.help')}
      </Typography.Paragraph>
      <ErrorAlert error={accounts.error ?? forecast.error} />
      {!accounts.isPending && currencies.length === 0 && <EmptyText text={t('forecast.noAccounts')} />}
      <Form layout="inline" style={{ marginBottom: 12, rowGap: 8 }}>
        <Form.Item label={t('forecast.currency')} htmlFor="forecast-currency">
          <Select<string>
            id="forecast-currency"
            style={{ width: 120 }}
            value={currency}
            onChange={setCurrency}
            options={currencies.map((c) => ({ value: c, label: c }))}
          />
        </Form.Item>
        <Form.Item label={t('forecast.weeks')} htmlFor="forecast-weeks">
          <InputNumber<number>
            id="forecast-weeks"
            min={1}
            max={52}
            precision={0}
            value={weeks}
            onChange={(v) => v && setWeeks(v)}
          />
        </Form.Item>
        <Form.Item label={t('forecast.granularity')}>
          <Radio.Group
            aria-label={t('forecast.granularity')}
            optionType="button"
            value={granularity}
            onChange={(e) => setGranularity(e.target.value as Granularity)}
            options={[
              { value: 'week', label: t('forecast.week') },
              { value: 'day', label: t('forecast.day') },
            ]}
          />
        </Form.Item>
      </Form>
      {f && (
        <Typography.Paragraph>
          <strong>{t('forecast.opening', { amount: money(f.opening.balance), accounts: f.opening.accounts })}</strong>
          {f.opening.accountsWithoutStatement > 0 &&
            ` · ${t('forecast.withoutStatement', { count: f.opening.accountsWithoutStatement })}`}
        </Typography.Paragraph>
      )}
      {option && f && (
        <ForecastChart
          option={option}
          label={t('forecast.chart', {
            granularity: t(`forecast.${f.granularity}`).toLowerCase(),
            currency: f.currency,
          })}
        />
      )}
      <Table<Bucket>
        aria-label={t('forecast.table')}
        style={{ marginTop: 16 }}
        size="small"
        rowKey={(b) => b.start}
        loading={forecast.isFetching}
        pagination={false}
        scroll={{ x: true }}
        dataSource={f?.buckets ?? []}
        columns={[
          { title: t('forecast.period'), key: 'period', render: (_, b) => period(b) },
          { title: t('forecast.open'), key: 'opening', align: 'right', render: (_, b) => money(b.opening) },
          { title: t('forecast.inflows'), key: 'inflows', align: 'right', render: (_, b) => money(b.inflows) },
          { title: t('forecast.outflows'), key: 'outflows', align: 'right', render: (_, b) => money(b.outflows) },
          {
            title: t('forecast.closing'),
            key: 'closing',
            align: 'right',
            render: (_, b) => <strong>{money(b.closing)}</strong>,
          },
          {
            title: t('forecast.collectionsDue'),
            key: 'due',
            align: 'right',
            render: (_, b) => money(b.collectionsDue),
          },
          { title: t('forecast.payments'), key: 'payments', align: 'right', render: (_, b) => money(b.payments) },
          {
            title: t('forecast.disbursements'),
            key: 'disbursements',
            align: 'right',
            render: (_, b) => money(b.disbursements),
          },
        ]}
        summary={() =>
          f ? (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}>
                <strong>{t('forecast.total')}</strong>
              </Table.Summary.Cell>
              <Table.Summary.Cell index={1} />
              <Table.Summary.Cell index={2} align="right">
                {money(f.totals.inflows)}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={3} align="right">
                {money(f.totals.outflows)}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={4} />
              <Table.Summary.Cell index={5} align="right">
                {money(f.totals.collectionsDue)}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={6} align="right">
                {money(f.totals.payments)}
              </Table.Summary.Cell>
              <Table.Summary.Cell index={7} align="right">
                {money(f.totals.disbursements)}
              </Table.Summary.Cell>
            </Table.Summary.Row>
          ) : null
        }
      />
    </Card>
  );
}

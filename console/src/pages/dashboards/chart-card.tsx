// One chart of the dashboards: a card with its title (h3), the chart drawn by Apache ECharts (only
// the chart types the dashboards use, SVG renderer), an accessible name on the chart, the same data as
// a table a screen reader or a person can read, and that data as CSV and XLSX.
import { Button, Card, Empty, Flex, Skeleton, Table, Typography } from 'antd';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { EChartsCoreOption } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { DownloadButtons } from '../../components/download-buttons';
import type { Cell } from '../../components/download';
import { ErrorAlert } from '../../components/error-alert';

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

/** Colours that keep 3:1 contrast against white, green (good) to red (bad) for buckets. */
export const PALETTE = ['#2b7a0b', '#0b5cad', '#a15c07', '#b42318', '#6b21a8', '#0e7490', '#7a2e0e', '#4b5563'];
export const BUCKET_COLOURS = ['#2b7a0b', '#ca8a04', '#c2410c', '#b42318', '#7f1d1d', '#581c87'];

/** An ECharts instance on a div: created once, given each new option whole, resized with its box. */
function EChart({ option, height }: { option: EChartsCoreOption; height: number }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const instance = echarts.init(element, undefined, { renderer: 'svg' });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    // Bars keep a readable width when a chart has one or two categories.
    const series = Array.isArray(option.series)
      ? (option.series as Array<Record<string, unknown>>).map((s) => (s.type === 'bar' ? { barMaxWidth: 56, ...s } : s))
      : option.series;
    chart.current?.setOption({ aria: { enabled: false }, animation: false, ...option, series }, { notMerge: true });
  }, [option]);
  return <div ref={box} style={{ height, width: '100%' }} />;
}

export interface ChartCardProps {
  /** File name of the downloads (no extension). */
  file: string;
  title: string;
  help?: string;
  option: EChartsCoreOption | null;
  header: string[];
  rows: Cell[][];
  loading: boolean;
  error?: unknown;
  height?: number;
  /** Figures shown above the chart (KPI numbers). */
  summary?: ReactNode;
  note?: ReactNode;
}

export function ChartCard({
  file,
  title,
  help,
  option,
  header,
  rows,
  loading,
  error,
  height = 280,
  summary,
  note,
}: ChartCardProps) {
  const { t } = useTranslation('dashboards');
  const [showTable, setShowTable] = useState(false);
  const headingId = useId();
  const tableId = useId();
  const empty = !loading && !error && rows.length === 0;
  return (
    <section aria-labelledby={headingId} style={{ height: '100%' }}>
      <Card
        style={{ height: '100%' }}
        title={
          <h3 id={headingId} style={{ fontSize: 16, margin: 0, whiteSpace: 'normal' }}>
            {title}
          </h3>
        }
        extra={<DownloadButtons name={file} header={header} rows={() => rows} />}
      >
        {help && (
          <Typography.Paragraph type="secondary" style={{ marginTop: -8 }}>
            {help}
          </Typography.Paragraph>
        )}
        {note && <div style={{ marginBottom: 8 }}>{note}</div>}
        {error ? <ErrorAlert error={error} /> : null}
        {summary}
        {loading ? (
          <Skeleton active paragraph={{ rows: 6 }} />
        ) : empty ? (
          <Empty description={t('noData')} />
        ) : option ? (
          <div role="img" aria-label={t('chartLabel', { title })} aria-describedby={showTable ? tableId : undefined}>
            <EChart option={option} height={height} />
          </div>
        ) : null}
        {rows.length > 0 && (
          <Flex justify="flex-end">
            <Button
              size="small"
              aria-expanded={showTable}
              aria-controls={tableId}
              onClick={() => setShowTable((v) => !v)}
            >
              {showTable ? t('hideTable') : t('showTable')}
            </Button>
          </Flex>
        )}
        <div id={tableId} hidden={!showTable}>
          {showTable && (
            <Table
              size="small"
              pagination={rows.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
              scroll={{ x: true }}
              aria-label={title}
              columns={header.map((h, i) => ({
                key: String(i),
                title: h,
                dataIndex: String(i),
                align: typeof rows[0]?.[i] === 'number' ? ('right' as const) : undefined,
              }))}
              dataSource={rows.map((row, r) => ({
                key: r,
                ...Object.fromEntries(row.map((c, i) => [String(i), c === null || c === undefined ? '—' : String(c)])),
              }))}
            />
          )}
        </div>
      </Card>
    </section>
  );
}

// One instance: the graph of its version overlaid with where its tokens stand (current steps
// highlighted, finished ones marked, the failed one red), its timeline with every entry's data
// (input, output, decision version, actor, error), its tasks, and the operator's actions.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App as AntApp,
  Button,
  Card,
  Collapse,
  Descriptions,
  Flex,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Spin,
  Table,
  Typography,
} from 'antd';
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import { WorkflowGraph, type StepState } from './graph';
import { Json, StatusTag } from './shared';
import { LINK } from './tone';
import { expandIcon, ToneTag, type Tone } from './tone';

type Instance = components['schemas']['Instance'];
type Entry = components['schemas']['TimelineEntry'];
type Operation = 'retry' | 'cancel' | 'suspend' | 'resume' | 'migrate';

const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

/** Step → what the instance did there: failed beats current beats done. */
export function stepStates(instance: Instance): Map<string, StepState> {
  const states = new Map<string, StepState>();
  for (const entry of instance.timeline) if (entry.step && entry.event === 'completed') states.set(entry.step, 'done');
  for (const token of instance.at) {
    states.set(token.step, token.status === 'failed' ? 'failed' : 'current');
  }
  if (instance.status === 'failed') {
    const step = (instance.error as { step?: string } | null)?.step;
    if (step) states.set(step, 'failed');
  }
  return states;
}

interface EntryData {
  decision?: { key: string; version: number };
  error?: unknown;
  message?: string;
  reason?: string;
}

function decisionOf(entry: Entry): string | null {
  const d = (entry.data as EntryData | null)?.decision;
  return d && typeof d === 'object' && 'key' in d ? `${d.key}@${d.version}` : null;
}

function errorOf(entry: Entry): string | null {
  const data = entry.data as EntryData | null;
  if (!data || typeof data !== 'object') return null;
  const error = data.error as { message?: string } | string | undefined;
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && error.message) return error.message;
  return entry.event === 'failed' || entry.event === 'retry_scheduled' ? (data.message ?? null) : null;
}

const EVENT_COLOR: Record<string, Tone> = {
  completed: 'green',
  failed: 'red',
  retry_scheduled: 'orange',
  cancelled: 'grey',
  waiting: 'blue',
  'instance.retried': 'purple',
};

export function InstancePage({ tabs }: { tabs: ReactNode }) {
  const { t } = useTranslation('workflows');
  const format = useFormat();
  const { id = '' } = useParams();
  const instance = useQuery({
    queryKey: ['instances', 'one', id],
    queryFn: () => unwrap(api.GET('/instances/{id}', { params: { path: { id } } })),
    refetchInterval: (q) => (q.state.data?.status === 'running' ? 5000 : false),
  });
  const data = instance.data;
  const definition = useQuery({
    queryKey: ['workflows', data?.workflow, 'version', data?.version],
    enabled: !!data,
    queryFn: () =>
      unwrap(
        api.GET('/workflows/{key}/versions/{version}', {
          params: { path: { key: data!.workflow, version: data!.version } },
        }),
      ),
  });
  const states = useMemo(() => (data ? stepStates(data) : undefined), [data]);
  const [expanded, setExpanded] = useState<readonly React.Key[]>([]);

  if (instance.isLoading) return <Spin />;
  if (!data) return <ErrorAlert error={instance.error} />;
  const unfinished = ['running', 'suspended', 'failed'].includes(data.status);
  const failedEntries = data.timeline.filter((e) => e.event === 'failed').map((e) => e.seq);

  return (
    <>
      <PageHeader
        title={t('instance.title', { id: data.id })}
        sub={
          <Space>
            <StatusTag status={data.status} />
            <Link style={LINK} to={`/workflows/definitions/${encodeURIComponent(data.workflow)}`}>
              {data.workflow} v{data.version}
            </Link>
            {data.correlationKey && <code>{data.correlationKey}</code>}
          </Space>
        }
        extra={
          <IfAllowed permission="workflows:operate">
            <OperatorActions
              instance={data}
              steps={[...(states?.keys() ?? [])]}
              definition={definition.data?.definition}
            />
          </IfAllowed>
        }
      />
      {tabs}
      <ErrorAlert error={instance.error ?? definition.error} />
      {data.status === 'failed' && data.error !== null && (
        <Card size="small" style={{ marginBottom: 16, borderColor: '#b42318' }} title={h2(t('instance.error'))}>
          <Json value={data.error} label={t('instance.error')} />
        </Card>
      )}
      <Flex gap={16} align="start" wrap>
        <Card
          style={{ flex: '1 1 560px', minWidth: 0 }}
          title={h2(t('instance.graph'))}
          extra={
            <Space size={4} aria-label={t('instance.legend')}>
              <ToneTag tone="blue">{t('instance.legendCurrent')}</ToneTag>
              <ToneTag tone="green">{t('instance.legendDone')}</ToneTag>
              <ToneTag tone="red">{t('instance.legendFailed')}</ToneTag>
            </Space>
          }
        >
          {definition.data ? (
            <WorkflowGraph
              definition={definition.data.definition}
              states={states}
              label={`${t('instance.graph')}: ${[...(states?.entries() ?? [])]
                .filter(([, s]) => s !== 'done')
                .map(([step, s]) => `${step} (${s})`)
                .join(', ')}`}
            />
          ) : (
            <Spin />
          )}
        </Card>
        <Card style={{ flex: '0 1 420px' }} title={h2(t('instance.details'))}>
          <Descriptions size="small" column={1}>
            <Descriptions.Item label={t('instances.created')}>{format.dateTime(data.createdAt)}</Descriptions.Item>
            <Descriptions.Item label={t('instances.updated')}>{format.dateTime(data.updatedAt)}</Descriptions.Item>
            {data.endedAt && (
              <Descriptions.Item label={t('instance.ended')}>{format.dateTime(data.endedAt)}</Descriptions.Item>
            )}
            {data.nextRunAt && (
              <Descriptions.Item label={t('instance.nextRun')}>{format.dateTime(data.nextRunAt)}</Descriptions.Item>
            )}
            <Descriptions.Item label={t('instance.startedBy')}>{data.startedBy}</Descriptions.Item>
            {data.outcome && <Descriptions.Item label={t('instances.outcome')}>{data.outcome}</Descriptions.Item>}
            {data.parentId && (
              <Descriptions.Item label={t('instance.parent')}>
                <Link style={LINK} to={`/workflows/instances/${data.parentId}`}>
                  {data.parentId}
                </Link>
              </Descriptions.Item>
            )}
            <Descriptions.Item label={t('instance.tokens')}>
              <Space wrap data-testid="tokens">
                {data.at.length === 0
                  ? '—'
                  : data.at.map((token) => (
                      <ToneTag key={token.tokenId} tone={token.status === 'failed' ? 'red' : 'blue'}>
                        {t('instance.tokenAt', { step: token.step, status: token.status })}
                      </ToneTag>
                    ))}
              </Space>
            </Descriptions.Item>
          </Descriptions>
          <Collapse
            size="small"
            items={[
              { key: 'context', label: t('instance.context'), children: <Json value={data.context} /> },
              ...(data.output !== null
                ? [{ key: 'output', label: t('instance.output'), children: <Json value={data.output} /> }]
                : []),
            ]}
          />
        </Card>
      </Flex>
      {data.tasks.length > 0 && (
        <Card style={{ marginTop: 16 }} title={h2(t('instance.tasks'))}>
          <Table
            size="small"
            pagination={false}
            rowKey="id"
            dataSource={data.tasks}
            columns={[
              { title: 'Id', dataIndex: 'id', render: (v: string) => <code>{v}</code> },
              { title: t('instance.step'), dataIndex: 'step' },
              { title: t('instance.queue'), dataIndex: 'queue' },
              { title: t('instances.status'), dataIndex: 'status' },
              { title: t('instance.assignee'), dataIndex: 'assignee', render: (v: string | null) => v ?? '—' },
              { title: t('instances.outcome'), dataIndex: 'outcome', render: (v: string | null) => v ?? '—' },
            ]}
          />
        </Card>
      )}
      <Card
        style={{ marginTop: 16 }}
        title={h2(t('instance.timeline'))}
        extra={
          <Button size="small" onClick={() => setExpanded(data.timeline.map((e) => e.seq))}>
            {t('instance.expandAll')}
          </Button>
        }
      >
        <Table<Entry>
          size="small"
          rowKey="seq"
          dataSource={data.timeline}
          pagination={data.timeline.length > 100 ? { pageSize: 100, showSizeChanger: false } : false}
          expandable={{
            expandedRowKeys: expanded.length ? expanded : failedEntries,
            onExpandedRowsChange: (keys) => setExpanded(keys),
            expandIcon: expandIcon({ expand: t('instance.expand'), collapse: t('instance.collapse') }),
            expandedRowRender: (entry) => <Json value={entry.data} label={`${t('instance.data')} #${entry.seq}`} />,
            rowExpandable: (entry) => entry.data !== null && entry.data !== undefined,
          }}
          rowClassName={(entry) => (entry.event === 'failed' ? 'ff-row-failed' : '')}
          columns={[
            { title: '#', dataIndex: 'seq', width: 56 },
            { title: t('instance.at'), dataIndex: 'at', render: (v: string) => format.dateTime(v) },
            { title: t('instance.step'), dataIndex: 'step', render: (v: string | null) => v ?? '—' },
            { title: t('instance.type'), dataIndex: 'type', render: (v: string | null) => v ?? '—' },
            {
              title: t('instance.event'),
              dataIndex: 'event',
              render: (v: string) => <ToneTag tone={EVENT_COLOR[v] ?? 'grey'}>{v}</ToneTag>,
            },
            { title: t('instance.attempt'), dataIndex: 'attempt', render: (v: number | null) => v ?? '—' },
            { title: t('instance.actor'), dataIndex: 'actor', render: (v: string | null) => v ?? '—' },
            { title: t('instance.decision'), key: 'decision', render: (_: unknown, e) => decisionOf(e) ?? '—' },
            {
              title: t('instance.error'),
              key: 'error',
              render: (_: unknown, e) => {
                const text = errorOf(e);
                return text ? <Typography.Text type="danger">{text}</Typography.Text> : '—';
              },
            },
          ]}
        />
      </Card>
      {!unfinished && null}
    </>
  );
}

/** Retry (from a step), cancel, suspend, resume, migrate: each confirmed, with a reason, audited. */
function OperatorActions({ instance, definition }: { instance: Instance; steps: string[]; definition: unknown }) {
  const { t } = useTranslation('workflows');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [operation, setOperation] = useState<Operation | null>(null);
  const [reason, setReason] = useState('');
  const [fromStep, setFromStep] = useState<string>('');
  const [toVersion, setToVersion] = useState<number>(0);
  const versions = useQuery({
    queryKey: ['workflows', instance.workflow],
    enabled: operation === 'migrate',
    queryFn: () => unwrap(api.GET('/workflows/{key}', { params: { path: { key: instance.workflow } } })),
  });
  const allSteps = useMemo(() => {
    const out: string[] = [];
    const visit = (steps: Array<{ id: string; branches?: Array<{ steps: unknown[] }> }> | undefined) => {
      for (const s of steps ?? []) {
        out.push(s.id);
        for (const b of s.branches ?? []) visit(b.steps as typeof steps);
      }
    };
    visit((definition as { steps?: Array<{ id: string }> } | undefined)?.steps);
    return out;
  }, [definition]);

  const run = useMutation({
    mutationFn: async (op: Operation) => {
      const id = instance.id;
      const why = reason.trim() ? { reason: reason.trim() } : {};
      const path = { params: { path: { id } } };
      switch (op) {
        case 'retry':
          await unwrap(
            api.POST('/instances/{id}/retry', { ...path, body: { ...why, ...(fromStep ? { fromStep } : {}) } }),
          );
          return t('actions.done');
        case 'cancel':
          await unwrap(api.POST('/instances/{id}/cancel', { ...path, body: why }));
          return t('actions.done');
        case 'suspend':
          await unwrap(api.POST('/instances/{id}/suspend', { ...path, body: why }));
          return t('actions.done');
        case 'resume':
          await unwrap(api.POST('/instances/{id}/resume', { ...path, body: why }));
          return t('actions.done');
        case 'migrate': {
          const r = await unwrap(
            api.POST('/instances/{id}/migrate', { ...path, body: { ...why, ...(toVersion ? { toVersion } : {}) } }),
          );
          return r.migrated
            ? t('actions.migrated', { from: r.from, to: r.to })
            : t('actions.notMigrated', { to: r.to });
        }
      }
    },
    onSuccess: (text) => {
      void message.success(text);
      setOperation(null);
      setReason('');
      setFromStep('');
      setToVersion(0);
      void client.invalidateQueries({ queryKey: ['instances'] });
    },
  });

  const status = instance.status;
  const available: Array<[Operation, boolean]> = [
    ['retry', status === 'failed'],
    ['resume', status === 'suspended'],
    ['suspend', status === 'running'],
    ['migrate', ['running', 'suspended', 'failed'].includes(status)],
    ['cancel', ['running', 'suspended', 'failed'].includes(status)],
  ];
  const open = (op: Operation) => {
    run.reset();
    setOperation(op);
  };
  return (
    <>
      {available
        .filter(([, ok]) => ok)
        .map(([op]) => (
          <Button
            key={op}
            danger={op === 'cancel'}
            type={op === 'retry' ? 'primary' : 'default'}
            onClick={() => open(op)}
          >
            {t(`actions.${op}`)}
          </Button>
        ))}
      <Modal
        open={operation !== null}
        title={operation ? t('actions.confirmTitle', { action: t(`actions.${operation}`), id: instance.id }) : ''}
        okText={operation ? t(`actions.${operation}`) : ''}
        okButtonProps={{ danger: operation === 'cancel' }}
        confirmLoading={run.isPending}
        onOk={() => operation && run.mutate(operation)}
        onCancel={() => setOperation(null)}
        destroyOnClose
      >
        <Form layout="vertical">
          {operation === 'retry' && (
            <Form.Item label={t('actions.fromStep')} htmlFor="op-from-step">
              <Select
                id="op-from-step"
                value={fromStep}
                onChange={(v: string) => setFromStep(v)}
                options={[
                  { value: '', label: t('actions.fromStepDefault') },
                  ...allSteps.map((s) => ({ value: s, label: s })),
                ]}
              />
            </Form.Item>
          )}
          {operation === 'migrate' && (
            <Form.Item label={t('actions.toVersion')} htmlFor="op-to-version">
              <Select
                id="op-to-version"
                value={toVersion}
                onChange={(v: number) => setToVersion(v)}
                options={[
                  { value: 0, label: t('actions.latestVersion') },
                  ...(versions.data?.versions ?? []).map((v) => ({ value: v.version, label: `v${v.version}` })),
                ]}
              />
            </Form.Item>
          )}
          <Form.Item label={t('actions.reason')} htmlFor="op-reason" extra={t('actions.reasonHelp')}>
            <Input id="op-reason" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </Form.Item>
        </Form>
        <ErrorAlert error={run.error} />
      </Modal>
    </>
  );
}

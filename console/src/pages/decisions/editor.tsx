// One decision in the GoRules JDM editor: edit its tables and graph, simulate the EDITED document on
// a sample input (or a real credit application's inputs) with zen's trace, see the difference to
// the active version, and propose it as a new version for a second person to approve.
// First: the JDM editor's code editors must use the bundled Monaco, not a CDN (see monaco.ts).
import './monaco';
import '@gorules/jdm-editor/dist/style.css';
import { DecisionGraph, JdmConfigProvider, type DecisionGraphType, type Simulation } from '@gorules/jdm-editor';
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  Alert,
  Button,
  Card,
  Collapse,
  Empty,
  Flex,
  Form,
  Input,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import { diffDecisions } from './diff';
import { LINK } from '../workflows/tone';
import { ToneTag } from '../workflows/tone';

type Simulated = components['schemas']['DecisionSimulated'];
type TraceNode = components['schemas']['DecisionTraceNode'];
type Application = components['schemas']['CreditApplication'];

const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

function Json({ value }: { value: unknown }) {
  return (
    <pre
      tabIndex={0}
      style={{
        margin: 0,
        fontSize: 12,
        maxHeight: 240,
        overflow: 'auto',
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-word',
      }}
    >
      {value === undefined ? '—' : JSON.stringify(value, null, 2)}
    </pre>
  );
}

/**
 * The features a credit application was decided on, as far as the application shows them: enough
 * for credit.terms and credit.routing, and the assessment for the others.
 */
function applicationInputs(app: Application): Record<string, unknown> {
  const rules = app.rules as Array<{ kind?: string }>;
  const score = (app.score ?? {}) as { grade?: string; score?: number };
  const assessment = (app.assessment ?? {}) as {
    age?: number;
    affordability?: { dti?: number; disposableIncome?: string };
    history?: { maxDpd?: number; applications30d?: number; openCollectionCases?: number; brokenPromises?: number };
    bureau?: { score?: number; found?: boolean; recentDefault?: boolean } | null;
  };
  const terms = (app.terms ?? {}) as { maxAmount?: number; maxTermMonths?: number; autoApproveUpTo?: number };
  const amount = Number(app.amount);
  return {
    grade: score.grade ?? null,
    product: app.product,
    currency: app.currency,
    amount,
    termMonths: app.termMonths,
    knockouts: rules.filter((r) => r.kind === 'knockout').length,
    anomalies: rules.filter((r) => r.kind === 'anomaly').length,
    withinTerms:
      terms.maxAmount !== undefined ? amount <= terms.maxAmount && app.termMonths <= (terms.maxTermMonths ?? 0) : null,
    autoApproveUpTo: terms.autoApproveUpTo ?? null,
    age: assessment.age ?? null,
    dti: assessment.affordability?.dti ?? null,
    disposableIncome: assessment.affordability?.disposableIncome
      ? Number(assessment.affordability.disposableIncome)
      : null,
    internalMaxDpd: assessment.history?.maxDpd ?? null,
    internal_max_dpd: assessment.history?.maxDpd ?? null,
    bureau_score: assessment.bureau?.score ?? null,
    bureauFound: assessment.bureau?.found ?? false,
    recentDefault: assessment.bureau?.recentDefault ?? false,
    employment_status: (app.employment as { status?: string }).status ?? null,
    months_in_job: (app.employment as { monthsInJob?: number }).monthsInJob ?? null,
    applications30d: assessment.history?.applications30d ?? null,
    openCollectionCases: assessment.history?.openCollectionCases ?? null,
    brokenPromises: assessment.history?.brokenPromises ?? null,
  };
}

/** A first sample input: every field the decision's tables read, empty. */
function sampleInput(content: unknown): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  const nodes = ((content as { nodes?: unknown[] } | null)?.nodes ?? []) as Array<{
    type?: string;
    content?: { inputs?: Array<{ field?: string }> };
  }>;
  for (const node of nodes) {
    if (node.type !== 'decisionTableNode') continue;
    for (const column of node.content?.inputs ?? []) {
      if (column.field && /^[A-Za-z_][\w.]*$/.test(column.field)) input[column.field.split('.')[0]] = null;
    }
  }
  return input;
}

export function DecisionEditorPage({ tabs }: { tabs: ReactNode }) {
  const { t } = useTranslation('decisions');
  const { key = '' } = useParams();
  const { can } = useSession();
  const [baseVersion, setBaseVersion] = useState<number | undefined>();
  const active = useQuery({
    queryKey: ['decisions', key],
    queryFn: () => unwrap(api.GET('/decisions/{key}', { params: { path: { key }, query: {} } })),
  });
  const base = useQuery({
    queryKey: ['decisions', key, baseVersion],
    enabled: baseVersion !== undefined && baseVersion !== active.data?.version,
    queryFn: () => unwrap(api.GET('/decisions/{key}', { params: { path: { key }, query: { version: baseVersion } } })),
  });
  const startFrom = baseVersion !== undefined && baseVersion !== active.data?.version ? base.data : active.data;
  const [graph, setGraph] = useState<DecisionGraphType | undefined>();
  useEffect(() => {
    if (startFrom) setGraph(startFrom.content as unknown as DecisionGraphType);
  }, [startFrom]);

  const changes = useMemo(
    () => (active.data && graph ? diffDecisions(active.data.content, graph) : []),
    [active.data, graph],
  );

  if (active.isLoading) return <Spin />;
  if (!active.data) return <ErrorAlert error={active.error} />;
  const versions = Array.from({ length: active.data.version }, (_, i) => active.data.version - i);

  return (
    <>
      <PageHeader
        title={t('editor.title', { key })}
        sub={
          <Space>
            <span>{t('editor.activeVersion', { version: active.data.version })}</span>
            {changes.length > 0 ? (
              <ToneTag tone="orange">{t('editor.edited')}</ToneTag>
            ) : (
              <Tag>{t('editor.unchanged')}</Tag>
            )}
          </Space>
        }
        extra={
          <Space>
            <label htmlFor="base-version">{t('editor.viewing')}</label>
            <Select
              id="base-version"
              style={{ width: 100 }}
              value={baseVersion ?? active.data.version}
              onChange={(v: number) => setBaseVersion(v)}
              options={versions.map((v) => ({ value: v, label: t('editor.versionN', { version: v }) }))}
            />
            <Button
              disabled={changes.length === 0}
              onClick={() => startFrom && setGraph(structuredClone(startFrom.content) as unknown as DecisionGraphType)}
            >
              {t('editor.reset')}
            </Button>
          </Space>
        }
      />
      {tabs}
      <ErrorAlert error={base.error} />
      <Simulator decisionKey={key} graph={graph} canLoadApplication={can('credit:read')}>
        {(simulation) => (
          // The JDM editor is a third-party component: its own markup is outside this page's control.
          <section
            aria-label={t('editor.editorLabel')}
            data-testid="jdm-editor"
            style={{ height: 560, border: '1px solid #d9d9d9', borderRadius: 6, overflow: 'hidden', marginBottom: 16 }}
          >
            {graph ? (
              <JdmConfigProvider>
                <DecisionGraph
                  value={graph}
                  onChange={(value) => setGraph(value)}
                  simulate={simulation}
                  disabled={!can('decisions:manage')}
                />
              </JdmConfigProvider>
            ) : (
              <Spin />
            )}
          </section>
        )}
      </Simulator>
      <Flex gap={16} align="start" wrap style={{ marginTop: 16 }}>
        <Card style={{ flex: '1 1 560px', minWidth: 0 }} title={h2(t('diff.title'))}>
          <DiffList changes={changes} />
        </Card>
        <IfAllowed permission="decisions:manage">
          <Card style={{ flex: '0 1 420px' }} title={h2(t('propose.title'))}>
            <Propose decisionKey={key} graph={graph} disabled={changes.length === 0} />
          </Card>
        </IfAllowed>
      </Flex>
      <DecidedBy decisionKey={key} />
    </>
  );
}

function Simulator({
  decisionKey,
  graph,
  canLoadApplication,
  children,
}: {
  decisionKey: string;
  graph: DecisionGraphType | undefined;
  canLoadApplication: boolean;
  children: (simulation: Simulation | undefined) => ReactNode;
}) {
  const { t } = useTranslation('decisions');
  const { can } = useSession();
  const [text, setText] = useState<string | null>(null);
  const [loadedFrom, setLoadedFrom] = useState<string | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  useEffect(() => {
    if (graph && text === null) setText(JSON.stringify(sampleInput(graph), null, 2));
  }, [graph, text]);

  const run = useMutation({
    mutationFn: (input: Record<string, unknown>) =>
      unwrap(
        api.POST('/decisions/{key}/simulate', {
          params: { path: { key: decisionKey } },
          body: { input, content: graph as unknown as { nodes: unknown[]; edges: unknown[] } },
        }),
      ),
  });
  const loadApplication = useMutation({
    mutationFn: () => unwrap(api.GET('/credit/applications', { params: { query: { limit: 1 } } })),
    onSuccess: (page) => {
      const app = page.data[0];
      if (!app) {
        setLoadedFrom(t('simulate.noApplication'));
        return;
      }
      setText(JSON.stringify(applicationInputs(app), null, 2));
      setLoadedFrom(t('simulate.loadedFrom', { id: app.id }));
    },
  });
  const simulate = () => {
    try {
      const input = JSON.parse(text ?? '{}') as unknown;
      if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error('an object is needed');
      setParseError(null);
      run.mutate(input as Record<string, unknown>);
    } catch (error) {
      setParseError(t('simulate.invalidJson', { message: (error as Error).message }));
    }
  };
  const result: Simulated | undefined = run.data;
  const simulation: Simulation | undefined = result
    ? {
        result: {
          performance: result.performance,
          result: result.result as never,
          snapshot: graph!,
          trace: result.trace as never,
        },
      }
    : run.error
      ? { error: { title: 'decision_failed', message: run.error.message, data: {} } }
      : undefined;

  return (
    <>
      {children(simulation)}
      <Card title={h2(t('simulate.title'))}>
        <Flex gap={16} wrap align="start">
          <div style={{ flex: '1 1 360px' }}>
            <Form layout="vertical">
              <Form.Item label={t('simulate.input')} htmlFor="sim-input" style={{ marginBottom: 8 }}>
                <Input.TextArea
                  id="sim-input"
                  value={text ?? ''}
                  onChange={(e) => setText(e.target.value)}
                  autoSize={{ minRows: 8, maxRows: 20 }}
                  style={{ fontFamily: 'monospace', fontSize: 12 }}
                  spellCheck={false}
                />
              </Form.Item>
            </Form>
            <Space wrap>
              <Button type="primary" onClick={simulate} loading={run.isPending} disabled={!can('decisions:manage')}>
                {t('simulate.run')}
              </Button>
              {canLoadApplication && decisionKey.startsWith('credit.') && (
                <Button onClick={() => loadApplication.mutate()} loading={loadApplication.isPending}>
                  {t('simulate.loadApplication')}
                </Button>
              )}
            </Space>
            {loadedFrom && (
              <div style={{ marginTop: 8 }}>
                <Typography.Text type="secondary">{loadedFrom}</Typography.Text>
              </div>
            )}
            {parseError && <Alert type="error" role="alert" message={parseError} style={{ marginTop: 8 }} />}
            <div style={{ marginTop: 8 }}>
              <ErrorAlert error={run.error ?? loadApplication.error} />
            </div>
          </div>
          <div style={{ flex: '1 1 360px', minWidth: 0 }} data-testid="simulation-result">
            {result ? (
              <>
                <Typography.Text type="secondary">
                  {t('simulate.editedDocument')} · {result.performance}
                </Typography.Text>
                <h3 style={{ fontSize: 14, margin: '8px 0 4px' }}>{t('simulate.result')}</h3>
                <Json value={result.result} />
              </>
            ) : (
              <Empty description={t('simulate.result')} />
            )}
          </div>
        </Flex>
        {result && (
          <>
            <h3 style={{ fontSize: 14, margin: '16px 0 4px' }}>{t('simulate.trace')}</h3>
            <TraceTable trace={result.trace} />
          </>
        )}
      </Card>
    </>
  );
}

function TraceTable({ trace }: { trace: Record<string, TraceNode> }) {
  const { t } = useTranslation('decisions');
  const rows = Object.values(trace).sort((a, b) => (a.order ?? 0) - (b.order ?? 0));
  return (
    <Table<TraceNode>
      size="small"
      rowKey="id"
      pagination={false}
      dataSource={rows}
      data-testid="trace"
      columns={[
        { title: t('simulate.order'), dataIndex: 'order', width: 48 },
        { title: t('simulate.node'), dataIndex: 'name' },
        { title: t('simulate.time'), dataIndex: 'performance', render: (v: string | null) => v ?? '—' },
        {
          title: t('simulate.matched'),
          dataIndex: 'traceData',
          render: (v: unknown) => (v === null || v === undefined ? '—' : <Json value={v} />),
        },
        {
          title: t('simulate.nodeOutput'),
          dataIndex: 'output',
          render: (v: unknown) => <Json value={v} />,
        },
        {
          title: t('simulate.nodeInput'),
          dataIndex: 'input',
          render: (v: unknown) => (
            <Collapse
              size="small"
              items={[{ key: 'in', label: t('simulate.nodeInput'), children: <Json value={v} /> }]}
            />
          ),
        },
      ]}
    />
  );
}

function DiffList({ changes }: { changes: ReturnType<typeof diffDecisions> }) {
  const { t } = useTranslation('decisions');
  if (changes.length === 0) return <Typography.Text type="secondary">{t('diff.none')}</Typography.Text>;
  const show = (v: unknown, missing: string) =>
    v === undefined ? <Tag>{missing}</Tag> : <code style={{ whiteSpace: 'pre-wrap' }}>{JSON.stringify(v)}</code>;
  return (
    <Table
      size="small"
      rowKey="path"
      pagination={changes.length > 50 ? { pageSize: 50 } : false}
      dataSource={changes}
      data-testid="diff"
      columns={[
        { title: t('diff.path'), dataIndex: 'path' },
        {
          title: t('diff.before'),
          dataIndex: 'before',
          render: (v: unknown) => <span style={{ color: '#b42318' }}>{show(v, t('diff.added'))}</span>,
        },
        {
          title: t('diff.after'),
          dataIndex: 'after',
          render: (v: unknown) => <span style={{ color: '#2b7a0b' }}>{show(v, t('diff.removed'))}</span>,
        },
      ]}
    />
  );
}

function Propose({
  decisionKey,
  graph,
  disabled,
}: {
  decisionKey: string;
  graph: DecisionGraphType | undefined;
  disabled: boolean;
}) {
  const { t } = useTranslation('decisions');
  const [reason, setReason] = useState('');
  const propose = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/changes/decisions/{key}', {
          params: { path: { key: decisionKey } },
          body: {
            content: graph as unknown as Record<string, unknown>,
            ...(reason.trim() ? { reason: reason.trim() } : {}),
          },
        }),
      ),
  });
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text type="secondary">{t('propose.fourEyes')}</Typography.Text>
      <Form layout="vertical">
        <Form.Item label={t('propose.reason')} htmlFor="propose-reason" style={{ marginBottom: 8 }}>
          <Input.TextArea
            id="propose-reason"
            value={reason}
            maxLength={2000}
            autoSize={{ minRows: 2 }}
            onChange={(e) => setReason(e.target.value)}
          />
        </Form.Item>
      </Form>
      <Button type="primary" disabled={disabled || !graph} loading={propose.isPending} onClick={() => propose.mutate()}>
        {t('propose.submit')}
      </Button>
      {propose.data && (
        <Alert
          type="success"
          showIcon
          role="status"
          message={t('propose.proposed')}
          description={
            <Link style={LINK} to="/decisions/changes">
              <code>{propose.data.id}</code>
            </Link>
          }
        />
      )}
      <ErrorAlert error={propose.error} />
    </Space>
  );
}

/** The credit applications this decision helped decide, with the version each one used. */
function DecidedBy({ decisionKey }: { decisionKey: string }) {
  const { t } = useTranslation('decisions');
  const format = useFormat();
  const { can } = useSession();
  const enabled = can('credit:read') && decisionKey.startsWith('credit.');
  const apps = useQuery({
    queryKey: ['credit', 'applications', 'recent'],
    enabled,
    queryFn: () => unwrap(api.GET('/credit/applications', { params: { query: { limit: 20 } } })),
  });
  return (
    <Card style={{ marginTop: 16 }} title={h2(t('decidedBy.title'))}>
      <Typography.Paragraph type="secondary">{t('decidedBy.workflowsNote')}</Typography.Paragraph>
      {enabled && (
        <Table<Application>
          size="small"
          rowKey="id"
          pagination={false}
          loading={apps.isLoading}
          dataSource={apps.data?.data}
          data-testid="decided-by"
          columns={[
            {
              title: t('decidedBy.application'),
              dataIndex: 'id',
              render: (id: string) => (
                <Link style={LINK} to={`/credit/applications/${id}`}>
                  {id}
                </Link>
              ),
            },
            { title: t('decidedBy.status'), dataIndex: 'status' },
            { title: t('decidedBy.outcome'), dataIndex: 'outcome', render: (v: string | null) => v ?? '—' },
            {
              title: t('decidedBy.version'),
              key: 'version',
              render: (_: unknown, app) => {
                const used = app.decisions.find((d) => d.key === decisionKey);
                return used ? <ToneTag tone="blue">v{used.version}</ToneTag> : t('decidedBy.notUsed');
              },
            },
            {
              title: t('decidedBy.decidedAt'),
              dataIndex: 'decidedAt',
              render: (v: string | null) => (v ? format.dateTime(v) : '—'),
            },
          ]}
        />
      )}
      <ErrorAlert error={apps.error} />
    </Card>
  );
}

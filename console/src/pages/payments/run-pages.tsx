// Payment runs (a payroll or supplier CSV file, docs/payments.md "Payment runs"): the upload with its
// default debtor account, every problem of a refused file by line and column, the run just created,
// the earlier runs, and a run's page with its payments in file order and their statuses now.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Select, Space, Table, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { ApiError, api, idempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat } from '../../i18n/format';
import { DetailsCard, EmptyText, L, PAGE, StatusTag, h2, paymentPath, useBankAccounts } from './shared';

type Run = components['schemas']['PaymentRun'];
type RunDetail = components['schemas']['PaymentRunDetail'];
type RunPayment = RunDetail['payments'][number];

/** One problem of a refused file, as the server lists it (the header is line 1). */
interface RunIssue {
  line: number | null;
  column: string | null;
  value?: string;
  message: string;
}

/** A 422 `payment_run_invalid`: the ApiError with every problem the server found. */
class RunRefused extends ApiError {
  constructor(
    message: string,
    readonly issues: RunIssue[],
  ) {
    super(422, 'payment_run_invalid', message);
  }
}

export const runPath = (id: string) => `/payments/runs/${encodeURIComponent(id)}`;

/** "EUR 1,234.00 · USD 50.00": a run's totals, one per currency. */
function useTotals() {
  const fmt = useFormat();
  return (run: Run) => run.totals.map((t) => fmt.money(t.amount, t.currency)).join(' · ');
}

export function RunUpload() {
  const { t } = useTranslation('payments-runs');
  const client = useQueryClient();
  const navigate = useNavigate();
  const accounts = useBankAccounts();
  const [account, setAccount] = useState<string | undefined>();
  const upload = useMutation({
    mutationFn: async (file: File) => {
      const text = await file.text();
      // A new key per upload: a retry of this request is safe, another upload is another run.
      const { data, error, response } = await api.POST('/payment-runs', {
        params: { query: account ? { bankAccountId: account } : {}, header: { 'idempotency-key': idempotencyKey() } },
        body: text,
        bodySerializer: (body: string) => body,
        headers: { 'content-type': 'text/csv' },
      });
      const problem = error as { code?: string; detail?: string; issues?: RunIssue[] } | undefined;
      if (response.status === 422 && problem?.code === 'payment_run_invalid' && problem.issues) {
        throw new RunRefused(problem.detail ?? '', problem.issues);
      }
      return unwrap(Promise.resolve({ data, error, response }));
    },
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['payments'] });
    },
  });
  const refused = upload.error instanceof RunRefused ? upload.error : undefined;
  return (
    <Card title={h2(t('upload.title'))} style={{ marginBottom: 16 }}>
      <Form layout="inline" style={{ marginBottom: 12 }}>
        <Form.Item label={t('upload.account')} htmlFor="run-account" extra={t('upload.accountHelp')}>
          <Select<string>
            id="run-account"
            allowClear
            style={{ width: 260 }}
            placeholder={t('upload.accountNone')}
            value={account}
            onChange={setAccount}
            options={(accounts.query.data?.data ?? []).map((a) => ({
              value: a.id,
              label: `${a.name} (${a.currency})`,
            }))}
          />
        </Form.Item>
      </Form>
      <Upload.Dragger
        accept=".csv,text/csv"
        multiple={false}
        showUploadList={false}
        disabled={upload.isPending}
        beforeUpload={(file) => {
          upload.mutate(file);
          return Upload.LIST_IGNORE;
        }}
      >
        <Typography.Paragraph style={{ margin: 0 }}>
          {upload.isPending ? t('upload.reading', { name: upload.variables.name }) : t('upload.drop')}
        </Typography.Paragraph>
        <Typography.Text type="secondary">{t('upload.columns')}</Typography.Text>
      </Upload.Dragger>
      <div style={{ marginTop: 16 }}>
        {refused ? (
          <RunProblems file={upload.variables?.name ?? ''} issues={refused.issues} />
        ) : (
          <ErrorAlert error={upload.error} />
        )}
        {upload.data && (
          <section aria-label={t('upload.result')}>
            <Alert
              type="success"
              showIcon
              style={{ marginBottom: 16 }}
              message={t('upload.created', { file: upload.variables?.name ?? '', count: upload.data.paymentCount })}
              action={
                <Button size="small" onClick={() => void navigate(runPath(upload.data.id))}>
                  {t('upload.open')}
                </Button>
              }
            />
            <RunDetails id={upload.data.id} />
          </section>
        )}
      </div>
    </Card>
  );
}

function RunProblems({ file, issues }: { file: string; issues: RunIssue[] }) {
  const { t } = useTranslation('payments-runs');
  return (
    <section aria-label={t('problems.label')}>
      <Alert
        type="error"
        showIcon
        role="alert"
        style={{ marginBottom: 12 }}
        message={t('problems.title', { file, count: issues.length })}
        description={t('problems.nothing')}
      />
      <Table<RunIssue & { key: number }>
        aria-label={t('problems.label')}
        size="small"
        pagination={false}
        dataSource={issues.map((i, key) => ({ ...i, key }))}
        columns={[
          { title: t('problems.line'), key: 'line', align: 'right', render: (_, i) => i.line ?? '—' },
          { title: t('problems.column'), key: 'column', render: (_, i) => (i.column ? <code>{i.column}</code> : '—') },
          { title: t('problems.value'), key: 'value', render: (_, i) => i.value ?? '' },
          { title: t('problems.message'), dataIndex: 'message' },
        ]}
      />
    </section>
  );
}

export function RunsList() {
  const { t } = useTranslation('payments-runs');
  const fmt = useFormat();
  const navigate = useNavigate();
  const totals = useTotals();
  const { query, rows } = usePaged(['payments', 'runs'], (after) =>
    unwrap(api.GET('/payment-runs', { params: { query: { limit: PAGE, ...(after ? { after } : {}) } } })),
  );
  return (
    <Card title={h2(t('list.title'))}>
      <ErrorAlert error={query.error} />
      <KeyTable<Run>
        label={t('list.title')}
        rowKey={(r) => r.id}
        loading={query.isPending}
        dataSource={rows}
        locale={{ emptyText: <EmptyText text={t('list.none')} /> }}
        onOpen={(r) => void navigate(runPath(r.id))}
        columns={[
          { title: t('run.id'), key: 'id', render: (_, r) => <L to={runPath(r.id)}>{r.id}</L> },
          { title: t('run.createdAt'), key: 'at', render: (_, r) => fmt.dateTime(r.createdAt) },
          { title: t('run.count'), key: 'count', align: 'right', render: (_, r) => fmt.number(r.paymentCount) },
          { title: t('run.totals'), key: 'totals', align: 'right', render: (_, r) => totals(r) },
        ]}
      />
      <LoadMore query={query} />
    </Card>
  );
}

/** The upload for those who may make payments, and the runs for everyone in the area. */
export function RunsTab() {
  return (
    <>
      <IfAllowed permission="payments:initiate">
        <RunUpload />
      </IfAllowed>
      <RunsList />
    </>
  );
}

export function RunPage() {
  const { t } = useTranslation('payments-runs');
  const navigate = useNavigate();
  const id = useParams().id ?? '';
  return (
    <>
      <PageHeader
        title={t('run.title', { id })}
        extra={<Button onClick={() => void navigate('/payments?tab=runs')}>{t('common:actions.back')}</Button>}
      />
      <RunDetails id={id} title={t('run.summary')} />
    </>
  );
}

/** A run's facts, its statuses now and its payments in file order (a page of 1000, the route's most). */
function RunDetails({ id, title }: { id: string; title?: string }) {
  const { t } = useTranslation('payments-runs');
  const { t: tp } = useTranslation('payments');
  const fmt = useFormat();
  const totals = useTotals();
  const accounts = useBankAccounts();
  const query = useQuery({
    queryKey: ['payments', 'run', id],
    queryFn: () => unwrap(api.GET('/payment-runs/{id}', { params: { path: { id }, query: { limit: 1000 } } })),
  });
  const run = query.data;
  return (
    <>
      <ErrorAlert error={query.error} />
      {query.isPending && <Card loading />}
      {run && (
        <DetailsCard
          title={title ?? t('run.details', { id: run.id })}
          items={[
            { key: 'count', label: t('run.count'), children: <strong>{fmt.number(run.paymentCount)}</strong> },
            { key: 'totals', label: t('run.totals'), children: <strong>{totals(run)}</strong> },
            { key: 'at', label: t('run.createdAt'), children: fmt.dateTime(run.createdAt) },
            {
              key: 'statuses',
              label: t('run.statuses'),
              children: (
                <Space wrap size={[16, 4]}>
                  {Object.entries(run.statuses).map(([status, n]) => (
                    <span key={status}>
                      <StatusTag status={status} />
                      {fmt.number(n)}
                    </span>
                  ))}
                </Space>
              ),
            },
            { key: 'sha', label: t('run.sha'), children: <code>{run.fileSha256.slice(0, 16)}…</code> },
          ]}
        >
          <Table<RunPayment>
            aria-label={t('run.payments', { id: run.id })}
            size="small"
            style={{ marginTop: 16 }}
            rowKey={(p) => p.payment.id}
            pagination={false}
            dataSource={run.payments}
            columns={[
              { title: t('run.line'), key: 'line', align: 'right', render: (_, p) => p.line },
              {
                title: tp('payments.id'),
                key: 'id',
                render: (_, p) => <L to={paymentPath(p.payment.id)}>{p.payment.id}</L>,
              },
              {
                title: tp('payments.beneficiary'),
                key: 'beneficiary',
                render: (_, p) =>
                  typeof p.payment.beneficiarySnapshot?.name === 'string'
                    ? p.payment.beneficiarySnapshot.name
                    : p.payment.beneficiaryId,
              },
              {
                title: tp('payments.amount'),
                key: 'amount',
                align: 'right',
                render: (_, p) => fmt.money(p.payment.amount, p.payment.currency),
              },
              {
                title: tp('payments.valueDate'),
                key: 'date',
                render: (_, p) => fmt.date(p.payment.requestedExecutionDate),
              },
              {
                title: tp('payments.account'),
                key: 'account',
                render: (_, p) => accounts.name(p.payment.bankAccountId),
              },
              {
                title: tp('payments.status'),
                key: 'status',
                render: (_, p) => <StatusTag status={p.payment.status} />,
              },
            ]}
          />
          {run.next && <Typography.Paragraph type="secondary">{t('run.more')}</Typography.Paragraph>}
        </DetailsCard>
      )}
    </>
  );
}

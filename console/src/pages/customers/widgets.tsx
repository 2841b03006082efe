// The pieces of a customer's picture, shared by Customer 360 and the context beside a task in My
// work: the customer, an account's balances, schedule and payments, a collection case's contacts,
// promises, plans, disputes and timeline, a credit application's decision.
import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Empty, Flex, Skeleton, Tag, Timeline, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { KeyTable } from '../../components/key-table';
import { useFormat } from '../../i18n/format';
import './locales';

export type Customer = components['schemas']['Customer'];
export type Receivable = components['schemas']['Receivable'];
export type CaseDetail = components['schemas']['CollectionCaseDetail'];
export type Application = components['schemas']['CreditApplication'];
export type TimelineEntry = components['schemas']['TimelineEntry'];
type Row = Record<string, unknown>;

/** The theme's primary blue: antd's default link blue falls short of AA contrast on white. */
export const LINK_STYLE = { color: '#0b5cad' } as const;

export function str(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

/** A table's "nothing here", in the theme's secondary text (antd's own grey is too light for AA). */
export function EmptyText({ text }: { text: string }) {
  return <Typography.Text type="secondary">{text}</Typography.Text>;
}

/** A card whose title is an h2 (the page's h1 is its header), as every card of these pages. */
export function Section({
  title,
  extra,
  children,
  level = 2,
}: {
  title: ReactNode;
  extra?: ReactNode;
  children: ReactNode;
  level?: 2 | 3;
}) {
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <Card
      size="small"
      title={<Heading style={{ fontSize: level === 2 ? 16 : 14, margin: 0 }}>{title}</Heading>}
      extra={extra}
      style={{ marginBottom: 16 }}
    >
      {children}
    </Card>
  );
}

// Status colours only: they are the theme's (AA contrast); antd's gold, orange and cyan tags are not, nor is the
// warning tag on a highlighted row.
const RATING_COLORS: Record<string, string> = { A: 'success', B: 'success', C: 'default', D: 'error', E: 'error' };
export function RatingTag({ rating }: { rating: string | null | undefined }) {
  if (!rating) return <span>—</span>;
  return <Tag color={RATING_COLORS[rating] ?? 'default'}>{rating}</Tag>;
}

export function BucketTag({ bucket, dpd }: { bucket: string | null | undefined; dpd?: number | null }) {
  const { t } = useTranslation('customers');
  if (!bucket) return <span>—</span>;
  const color = bucket === 'current' ? 'success' : (dpd ?? 0) > 30 ? 'error' : 'default';
  return (
    <Tag color={color}>
      {bucket === 'current' ? t('current') : bucket}
      {dpd ? ` · ${t('dpdShort', { dpd })}` : ''}
    </Tag>
  );
}

/** The customer as a collector or an officer needs them first: who, how risky, how to reach them. */
export function CustomerSummary({
  customerId,
  link = true,
  currency,
}: {
  customerId: string;
  link?: boolean;
  /** The currency exposure is counted in when the customer has no limit currency (their accounts'). */
  currency?: string | undefined;
}) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const query = useQuery({
    queryKey: ['customer', customerId],
    queryFn: () => unwrap(api.GET('/customers/{id}', { params: { path: { id: customerId } } })),
  });
  if (query.isPending) return <Skeleton active />;
  if (query.error) return <ErrorAlert error={query.error} />;
  const c = query.data;
  return (
    <Section
      title={t('customer')}
      extra={
        link && (
          <Link to={`/customers/${c.id}`} style={LINK_STYLE}>
            {t('open360')}
          </Link>
        )
      }
    >
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2, lg: 3 }}
        items={[
          { key: 'name', label: t('name'), children: <strong>{c.name}</strong> },
          { key: 'ext', label: t('externalId'), children: c.externalId },
          { key: 'rating', label: t('riskRating'), children: <RatingTag rating={c.riskRating} /> },
          { key: 'segment', label: t('segment'), children: c.segment ?? '—' },
          { key: 'phone', label: t('phone'), children: c.phone ?? '—' },
          { key: 'email', label: t('email'), children: c.email ?? '—' },
          {
            key: 'exposure',
            label: t('exposure'),
            children: (c.limitCurrency ?? currency) ? fmt.money(c.exposure, (c.limitCurrency ?? currency)!) : '—',
          },
          {
            key: 'limit',
            label: t('creditLimit'),
            children: c.creditLimit && c.limitCurrency ? fmt.money(c.creditLimit, c.limitCurrency) : '—',
          },
          { key: 'lang', label: t('language'), children: `${c.language} · ${c.timeZone}` },
        ]}
      />
    </Section>
  );
}

/** An account's balances now: outstanding, paid, days past due and bucket. */
export function ReceivableBalances({ receivable: r }: { receivable: Receivable }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, sm: 2, lg: 4 }}
      items={[
        { key: 'ext', label: t('account'), children: `${r.externalId} (${t(`kinds.${r.kind}`)})` },
        { key: 'status', label: t('status'), children: r.status },
        {
          key: 'outstanding',
          label: t('outstanding'),
          children: <strong>{fmt.money(r.outstanding, r.currency)}</strong>,
        },
        { key: 'bucket', label: t('bucket'), children: <BucketTag bucket={r.bucket} dpd={r.dpd} /> },
        { key: 'principal', label: t('principal'), children: fmt.money(r.principal, r.currency) },
        { key: 'totalDue', label: t('totalDue'), children: fmt.money(r.totalDue, r.currency) },
        { key: 'paid', label: t('totalPaid'), children: fmt.money(r.totalPaid, r.currency) },
        { key: 'overdueSince', label: t('overdueSince'), children: fmt.date(r.overdueSince) },
        { key: 'maturity', label: t('maturity'), children: fmt.date(r.maturityDate) },
      ]}
    />
  );
}

export function useReceivable(id: string | null | undefined) {
  return useQuery({
    queryKey: ['receivable', id],
    enabled: !!id,
    queryFn: () => unwrap(api.GET('/receivables/{id}', { params: { path: { id: id! } } })),
  });
}

/** The installments of an account: due, paid, outstanding; overdue unpaid ones marked. */
export function ScheduleTable({ receivableId, currency }: { receivableId: string; currency: string }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const query = useQuery({
    queryKey: ['schedule', receivableId],
    queryFn: () => unwrap(api.GET('/receivables/{id}/schedule', { params: { path: { id: receivableId } } })),
  });
  if (query.isPending) return <Skeleton active />;
  if (query.error) return <ErrorAlert error={query.error} />;
  const today = new Date().toISOString().slice(0, 10);
  const rows = query.data.installments;
  return (
    <KeyTable
      label={t('schedule')}
      rowKey={(i) => String(i.seq)}
      dataSource={rows}
      columns={[
        { title: '#', dataIndex: 'seq', width: 48 },
        {
          title: t('dueDate'),
          dataIndex: 'dueDate',
          render: (d: string, i) => (
            <span>
              {fmt.date(d)} {i.outstanding !== '0' && d < today && <Tag color="error">{t('overdue')}</Tag>}
            </span>
          ),
        },
        {
          title: t('principal'),
          dataIndex: 'principalDue',
          align: 'right',
          render: (v: string) => fmt.money(v, currency),
        },
        {
          title: t('interest'),
          dataIndex: 'interestDue',
          align: 'right',
          render: (v: string) => fmt.money(v, currency),
        },
        { title: t('fees'), dataIndex: 'feeDue', align: 'right', render: (v: string) => fmt.money(v, currency) },
        {
          title: t('paid'),
          key: 'paid',
          align: 'right',
          render: (_: unknown, i) =>
            fmt.money((BigInt(i.principalPaid) + BigInt(i.interestPaid) + BigInt(i.feePaid)).toString(), currency),
        },
        {
          title: t('outstanding'),
          dataIndex: 'outstanding',
          align: 'right',
          render: (v: string) => <strong>{fmt.money(v, currency)}</strong>,
        },
      ]}
    />
  );
}

/** Payments received on an account, newest first. */
export function PaymentsTable({ receivableId }: { receivableId: string }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const query = useQuery({
    queryKey: ['payments', receivableId],
    queryFn: () => unwrap(api.GET('/receivables/{id}/payments', { params: { path: { id: receivableId } } })),
  });
  if (query.isPending) return <Skeleton active />;
  if (query.error) return <ErrorAlert error={query.error} />;
  return (
    <KeyTable
      label={t('payments')}
      rowKey={(p) => p.id}
      dataSource={query.data.data}
      locale={{ emptyText: <EmptyText text={t('noPayments')} /> }}
      columns={[
        { title: t('receivedOn'), dataIndex: 'receivedOn', render: (d: string) => fmt.date(d) },
        { title: t('externalId'), dataIndex: 'externalId' },
        {
          title: t('amount'),
          key: 'amount',
          align: 'right',
          render: (_: unknown, p) => fmt.money(p.amount, p.currency),
        },
        {
          title: t('status'),
          dataIndex: 'status',
          render: (s: string) => <Tag color={s === 'posted' ? 'success' : 'default'}>{s}</Tag>,
        },
      ]}
    />
  );
}

export function useCase(id: string | null | undefined, refetchInterval?: number) {
  return useQuery({
    queryKey: ['collection-case', id],
    enabled: !!id,
    refetchInterval,
    queryFn: () => unwrap(api.GET('/collections/cases/{id}', { params: { path: { id: id! } } })),
  });
}

/** Contacts made on one or more cases, newest first. */
export function ContactsTable({ contacts }: { contacts: Row[] }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const rows = [...contacts].sort((a, b) => str(b.at).localeCompare(str(a.at)));
  return (
    <KeyTable
      label={t('contacts')}
      rowKey={(c) => str(c.id)}
      dataSource={rows}
      locale={{ emptyText: <EmptyText text={t('noContacts')} /> }}
      columns={[
        { title: t('at'), key: 'at', render: (_: unknown, c) => fmt.dateTime(str(c.at)) },
        { title: t('channel'), key: 'channel', render: (_: unknown, c) => `${str(c.channel)} · ${str(c.direction)}` },
        {
          title: t('reached'),
          key: 'reached',
          render: (_: unknown, c) => (c.reached ? <Tag color="success">{t('yes')}</Tag> : <Tag>{t('no')}</Tag>),
        },
        { title: t('willingness'), key: 'w', render: (_: unknown, c) => str(c.willingness) || '—' },
        { title: t('notes'), key: 'notes', render: (_: unknown, c) => str(c.notes) || str(c.delayReason) || '—' },
        { title: t('by'), key: 'by', render: (_: unknown, c) => str(c.recordedBy) || '—' },
      ]}
    />
  );
}

const PROMISE_COLORS: Record<string, string> = { kept: 'success', broken: 'error', open: 'blue', pending: 'blue' };

export function PromisesTable({ promises }: { promises: Row[] }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const rows = [...promises].sort((a, b) => str(b.createdAt).localeCompare(str(a.createdAt)));
  return (
    <KeyTable
      label={t('promises')}
      rowKey={(p) => str(p.id)}
      dataSource={rows}
      locale={{ emptyText: <EmptyText text={t('noPromises')} /> }}
      columns={[
        { title: t('promisedDate'), key: 'date', render: (_: unknown, p) => fmt.date(str(p.date)) },
        {
          title: t('amount'),
          key: 'amount',
          align: 'right',
          render: (_: unknown, p) => fmt.money(str(p.amount), str(p.currency) || 'EUR'),
        },
        {
          title: t('paid'),
          key: 'paid',
          align: 'right',
          render: (_: unknown, p) => fmt.money(str(p.paidAmount), str(p.currency) || 'EUR'),
        },
        {
          title: t('status'),
          key: 'status',
          render: (_: unknown, p) => <Tag color={PROMISE_COLORS[str(p.status)] ?? 'default'}>{str(p.status)}</Tag>,
        },
        { title: t('by'), key: 'by', render: (_: unknown, p) => str(p.createdBy) || '—' },
        { title: t('recorded'), key: 'created', render: (_: unknown, p) => fmt.dateTime(str(p.createdAt)) },
      ]}
    />
  );
}

export function PlansTable({ plans, currency }: { plans: Row[]; currency: string }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  return (
    <KeyTable
      label={t('plans')}
      rowKey={(p) => str(p.id)}
      dataSource={plans}
      locale={{ emptyText: <EmptyText text={t('noPlans')} /> }}
      columns={[
        { title: t('proposed'), key: 'at', render: (_: unknown, p) => fmt.dateTime(str(p.proposedAt)) },
        {
          title: t('installments'),
          key: 'n',
          render: (_: unknown, p) => (Array.isArray(p.installments) ? p.installments.length : 0),
        },
        {
          title: t('total'),
          key: 'total',
          align: 'right',
          render: (_: unknown, p) => fmt.money(str(p.total), currency),
        },
        { title: t('status'), key: 'status', render: (_: unknown, p) => <Tag>{str(p.status)}</Tag> },
        { title: t('by'), key: 'by', render: (_: unknown, p) => str(p.proposedBy) || '—' },
      ]}
    />
  );
}

export function DisputesTable({ disputes, currency }: { disputes: Row[]; currency: string }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  return (
    <KeyTable
      label={t('disputes')}
      rowKey={(d) => str(d.id)}
      dataSource={disputes}
      locale={{ emptyText: <EmptyText text={t('noDisputes')} /> }}
      columns={[
        { title: t('reason'), key: 'reason', render: (_: unknown, d) => str(d.reason) },
        {
          title: t('amount'),
          key: 'amount',
          align: 'right',
          render: (_: unknown, d) => (d.amount ? fmt.money(str(d.amount), currency) : '—'),
        },
        { title: t('status'), key: 'status', render: (_: unknown, d) => <Tag>{str(d.status)}</Tag> },
        { title: t('resolution'), key: 'res', render: (_: unknown, d) => str(d.resolution) || '—' },
      ]}
    />
  );
}

/** What happened, newest first: an instance's timeline (steps, tasks, events) with who did it. */
export function TimelineList({ entries, limit = 30 }: { entries: Row[] | TimelineEntry[]; limit?: number }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const rows = [...(entries as Row[])].sort((a, b) => Number(b.seq ?? 0) - Number(a.seq ?? 0)).slice(0, limit);
  if (rows.length === 0) return <Empty description={t('noTimeline')} image={Empty.PRESENTED_IMAGE_SIMPLE} />;
  return (
    <Timeline
      items={rows.map((e) => {
        const failed = str(e.event).includes('fail');
        const data = e.data === undefined || e.data === null ? '' : str(e.data);
        return {
          key: str(e.seq),
          color: failed ? 'red' : str(e.event).startsWith('task') ? 'blue' : 'gray',
          children: (
            <div>
              <Typography.Text strong>{str(e.event)}</Typography.Text>
              {e.step ? <code style={{ marginLeft: 6 }}>{str(e.step)}</code> : null}
              <div style={{ fontSize: 12 }}>
                <Typography.Text type="secondary">
                  {fmt.dateTime(str(e.at))}
                  {e.actor ? ` · ${str(e.actor)}` : ''}
                </Typography.Text>
              </div>
              {data && (
                <div style={{ fontSize: 12, wordBreak: 'break-all' }}>
                  {data.length > 240 ? `${data.slice(0, 240)}…` : data}
                </div>
              )}
            </div>
          ),
        };
      })}
    />
  );
}

/** A case in a few lines: its state, segment and variant, the account and the collector. */
export function CaseSummary({ detail }: { detail: CaseDetail }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const account = detail.account;
  return (
    <Descriptions
      size="small"
      column={{ xs: 1, sm: 2, lg: 4 }}
      items={[
        {
          key: 'status',
          label: t('status'),
          children: (
            <Tag color={detail.status === 'open' ? 'blue' : 'default'}>
              {detail.status} · {detail.state}
            </Tag>
          ),
        },
        { key: 'segment', label: t('segment'), children: `${detail.segment} · ${detail.variant}` },
        { key: 'queue', label: t('queue'), children: detail.queue },
        { key: 'collector', label: t('collector'), children: detail.collector ?? '—' },
        { key: 'account', label: t('account'), children: str(account.externalId) },
        {
          key: 'bucket',
          label: t('bucket'),
          children: <BucketTag bucket={str(account.bucket)} dpd={Number(account.dpd ?? 0)} />,
        },
        {
          key: 'outstanding',
          label: t('outstanding'),
          children: fmt.money(str(account.outstanding), detail.currency),
        },
        { key: 'opened', label: t('opened'), children: fmt.dateTime(detail.openedAt) },
        {
          key: 'stages',
          label: t('stagesDone'),
          children: detail.stages.map((s) => str(s.stage)).join(' → ') || '—',
        },
      ]}
    />
  );
}

/** A credit application's decision in a few lines. */
export function ApplicationSummary({ application: a }: { application: Application }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const score = a.score ?? {};
  return (
    <Flex vertical gap={8}>
      <Descriptions
        size="small"
        column={{ xs: 1, sm: 2, lg: 4 }}
        items={[
          { key: 'status', label: t('status'), children: <Tag>{a.status}</Tag> },
          { key: 'product', label: t('product'), children: a.product },
          { key: 'amount', label: t('amount'), children: fmt.money(a.amount, a.currency) },
          { key: 'term', label: t('term'), children: t('months', { count: a.termMonths }) },
          { key: 'outcome', label: t('outcome'), children: a.outcome ?? '—' },
          { key: 'score', label: t('score'), children: `${str(score.score) || '—'} ${str(score.grade)}` },
          { key: 'submitted', label: t('submitted'), children: fmt.dateTime(a.createdAt) },
          { key: 'decided', label: t('decided'), children: fmt.dateTime(a.decidedAt) },
          {
            key: 'decisions',
            label: t('decisionVersions'),
            children: a.decisions.map((d) => `${d.key}@${d.version}`).join(', ') || '—',
          },
        ]}
      />
      {a.reasons.length > 0 && (
        <ul style={{ margin: 0, paddingLeft: 20 }}>
          {a.reasons.map((r) => (
            <li key={r.code}>
              <code>{r.code}</code> {r.text}
            </li>
          ))}
        </ul>
      )}
    </Flex>
  );
}

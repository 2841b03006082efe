// Customer 360: the whole customer on one page — accounts with schedules and payments, delinquency
// and risk-rating history, collections (cases, contacts, promises, plans, disputes, timeline),
// messages and letters sent, credit applications and their decisions. Collections history is shown
// to whoever may read it, credit officers included: no silo.
import { useQueries, useQuery } from '@tanstack/react-query';
import { Button, Col, Empty, Row, Skeleton, Statistic, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import {
  ApplicationSummary,
  BucketTag,
  CaseSummary,
  ContactsTable,
  CustomerSummary,
  DisputesTable,
  EmptyText,
  LINK_STYLE,
  PaymentsTable,
  PlansTable,
  PromisesTable,
  RatingTag,
  ReceivableBalances,
  ScheduleTable,
  Section,
  TimelineList,
  str,
  type Application,
  type Receivable,
} from './widgets';
import type { components } from '../../api/schema';

type CaseRow = components['schemas']['CollectionCase'] & {
  customerName?: string;
  lastStage?: string | null;
  account: Record<string, unknown>;
};

function Overview({ customerId, receivables }: { customerId: string; receivables: Receivable[] }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const customer = useQuery({
    queryKey: ['customer', customerId],
    queryFn: () => unwrap(api.GET('/customers/{id}', { params: { path: { id: customerId } } })),
  });
  const open = receivables.filter((r) => r.status === 'open');
  const worst = [...open].sort((a, b) => b.dpd - a.dpd)[0];
  const byCurrency = new Map<string, bigint>();
  for (const r of open) byCurrency.set(r.currency, (byCurrency.get(r.currency) ?? 0n) + BigInt(r.outstanding));
  return (
    <>
      <CustomerSummary customerId={customerId} link={false} currency={receivables[0]?.currency} />
      <Section title={t('delinquency')}>
        <Row gutter={16}>
          <Col xs={12} md={6}>
            <Statistic title={t('openAccounts')} value={open.length} />
          </Col>
          <Col xs={12} md={6}>
            <Statistic title={t('maxDpd')} value={worst?.dpd ?? 0} />
          </Col>
          <Col xs={12} md={6}>
            <div>
              <Typography.Text type="secondary">{t('worstBucket')}</Typography.Text>
              <div style={{ marginTop: 8 }}>
                <BucketTag bucket={worst?.bucket ?? 'current'} dpd={worst?.dpd ?? 0} />
              </div>
            </div>
          </Col>
          <Col xs={12} md={6}>
            <div>
              <Typography.Text type="secondary">{t('outstanding')}</Typography.Text>
              <div style={{ marginTop: 8, fontSize: 18 }}>
                {[...byCurrency.entries()].map(([currency, sum]) => (
                  <div key={currency}>{fmt.money(sum.toString(), currency)}</div>
                ))}
                {byCurrency.size === 0 && '—'}
              </div>
            </div>
          </Col>
        </Row>
      </Section>
      <Section title={t('ratingHistory')}>
        <ErrorAlert error={customer.error} />
        <KeyTable
          label={t('ratingHistory')}
          rowKey={(r) => `${r.ratedAt}-${r.rating}`}
          dataSource={[...(customer.data?.ratingHistory ?? [])].reverse()}
          loading={customer.isPending}
          locale={{ emptyText: <EmptyText text={t('noRatings')} /> }}
          columns={[
            { title: t('at'), dataIndex: 'ratedAt', render: (d: string) => fmt.dateTime(d) },
            {
              title: t('riskRating'),
              key: 'rating',
              render: (_: unknown, r) => (
                <span>
                  <RatingTag rating={r.previous} /> → <RatingTag rating={r.rating} />
                </span>
              ),
            },
            { title: t('reason'), dataIndex: 'reason', render: (v: string | null) => v ?? '—' },
            { title: t('by'), dataIndex: 'ratedBy' },
          ]}
        />
      </Section>
    </>
  );
}

function Receivables({
  rows,
  query,
}: {
  rows: Receivable[];
  query: Parameters<typeof LoadMore>[0]['query'] & { isPending: boolean; error: unknown };
}) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const [selected, setSelected] = useState<string | null>(null);
  const current = rows.find((r) => r.id === selected) ?? rows[0];
  return (
    <>
      <Section title={t('accounts')}>
        <ErrorAlert error={query.error} />
        <KeyTable<Receivable>
          label={t('accounts')}
          rowKey={(r) => r.id}
          dataSource={rows}
          loading={query.isPending}
          onOpen={(r) => setSelected(r.id)}
          locale={{ emptyText: <EmptyText text={t('noAccounts')} /> }}
          columns={[
            {
              title: t('account'),
              key: 'ext',
              render: (_: unknown, r) => (
                <Button
                  type="link"
                  size="small"
                  style={{ ...LINK_STYLE, padding: 0, fontWeight: r.id === current?.id ? 600 : undefined }}
                  onClick={() => setSelected(r.id)}
                >
                  {r.externalId}
                </Button>
              ),
            },
            { title: t('kind'), dataIndex: 'kind', render: (k: string) => t(`kinds.${k}`) },
            { title: t('status'), dataIndex: 'status' },
            {
              title: t('bucket'),
              key: 'bucket',
              render: (_: unknown, r) => <BucketTag bucket={r.bucket} dpd={r.dpd} />,
            },
            {
              title: t('principal'),
              key: 'principal',
              align: 'right',
              render: (_: unknown, r) => fmt.money(r.principal, r.currency),
            },
            {
              title: t('outstanding'),
              key: 'outstanding',
              align: 'right',
              render: (_: unknown, r) => <strong>{fmt.money(r.outstanding, r.currency)}</strong>,
            },
            { title: t('maturity'), dataIndex: 'maturityDate', render: (d: string) => fmt.date(d) },
          ]}
        />
        <LoadMore query={query} />
      </Section>
      {current && (
        <Section title={t('accountDetail', { account: current.externalId })}>
          <ReceivableBalances receivable={current} />
          <h3 style={{ fontSize: 14, margin: '12px 0 8px' }}>{t('schedule')}</h3>
          <ScheduleTable receivableId={current.id} currency={current.currency} />
          <h3 style={{ fontSize: 14, margin: '12px 0 8px' }}>{t('payments')}</h3>
          <PaymentsTable receivableId={current.id} />
        </Section>
      )}
    </>
  );
}

function Collections({ customerId }: { customerId: string }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const [selected, setSelected] = useState<string | null>(null);
  const { query, rows } = usePaged<CaseRow>(['customer-cases', customerId], async (after) => {
    const page = await unwrap(
      api.GET('/collections/cases', {
        params: { query: { customer: customerId, limit: 20, ...(after ? { after } : {}) } },
      }),
    );
    return page;
  });
  // The details of the cases shown (at most a page or two for one customer): their contacts,
  // promises, plans and disputes together.
  const details = useQueries({
    queries: rows.slice(0, 40).map((c) => ({
      queryKey: ['collection-case', c.id],
      queryFn: () => unwrap(api.GET('/collections/cases/{id}', { params: { path: { id: c.id } } })),
    })),
  });
  const loaded = details.flatMap((d) => (d.data ? [d.data] : []));
  const current = loaded.find((d) => d.id === selected) ?? loaded[0];
  const currency = current?.currency ?? 'EUR';
  const all = <K extends 'contacts' | 'promises' | 'plans' | 'disputes'>(key: K) => loaded.flatMap((d) => d[key]);
  return (
    <>
      <Section title={t('cases')}>
        <ErrorAlert error={query.error} />
        <KeyTable<CaseRow>
          label={t('cases')}
          rowKey={(c) => c.id}
          dataSource={rows}
          loading={query.isPending}
          onOpen={(c) => setSelected(c.id)}
          locale={{ emptyText: <EmptyText text={t('noCases')} /> }}
          columns={[
            {
              title: t('case'),
              key: 'id',
              render: (_: unknown, c) => (
                <Button
                  type="link"
                  size="small"
                  style={{ ...LINK_STYLE, padding: 0, fontWeight: c.id === current?.id ? 600 : undefined }}
                  onClick={() => setSelected(c.id)}
                >
                  {str(c.account.externalId) || c.id}
                </Button>
              ),
            },
            {
              title: t('status'),
              key: 'status',
              render: (_: unknown, c) => (
                <Tag color={c.status === 'open' ? 'blue' : 'default'}>
                  {c.status} · {c.state}
                </Tag>
              ),
            },
            { title: t('segment'), key: 'segment', render: (_: unknown, c) => `${c.segment} · ${c.variant}` },
            {
              title: t('bucket'),
              key: 'bucket',
              render: (_: unknown, c) => <BucketTag bucket={str(c.account.bucket)} dpd={Number(c.account.dpd ?? 0)} />,
            },
            { title: t('lastStage'), key: 'stage', render: (_: unknown, c) => c.lastStage ?? '—' },
            { title: t('opened'), dataIndex: 'openedAt', render: (d: string) => fmt.date(d.slice(0, 10)) },
            {
              title: t('recovered'),
              key: 'recovered',
              align: 'right',
              render: (_: unknown, c) => fmt.money(c.recovered, c.currency),
            },
          ]}
        />
        <LoadMore query={query} />
      </Section>
      {loaded.length > 0 && (
        <Section title={t('collectionsHistory')}>
          <Tabs
            size="small"
            items={[
              {
                key: 'promises',
                label: `${t('promises')} (${all('promises').length})`,
                children: <PromisesTable promises={all('promises')} />,
              },
              {
                key: 'contacts',
                label: `${t('contacts')} (${all('contacts').length})`,
                children: <ContactsTable contacts={all('contacts')} />,
              },
              {
                key: 'plans',
                label: `${t('plans')} (${all('plans').length})`,
                children: <PlansTable plans={all('plans')} currency={currency} />,
              },
              {
                key: 'disputes',
                label: `${t('disputes')} (${all('disputes').length})`,
                children: <DisputesTable disputes={all('disputes')} currency={currency} />,
              },
            ]}
          />
        </Section>
      )}
      {current && (
        <Section
          title={t('caseDetail', { account: str((current.account as Record<string, unknown>).externalId) })}
          extra={
            <Link to={`/collections/cases/${current.id}`} style={LINK_STYLE}>
              {t('openCase')}
            </Link>
          }
        >
          <CaseSummary detail={current} />
          <h3 style={{ fontSize: 14, margin: '12px 0 8px' }}>{t('timeline')}</h3>
          <TimelineList entries={current.timeline} />
        </Section>
      )}
    </>
  );
}

function Credit({ customerId }: { customerId: string }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const [selected, setSelected] = useState<string | null>(null);
  const { query, rows } = usePaged<Application>(['customer-applications', customerId], (after) =>
    unwrap(
      api.GET('/credit/applications', {
        params: { query: { customer: customerId, limit: 20, ...(after ? { after } : {}) } },
      }),
    ),
  );
  const current = rows.find((a) => a.id === selected) ?? rows[0];
  return (
    <>
      <Section title={t('applications')}>
        <ErrorAlert error={query.error} />
        <KeyTable<Application>
          label={t('applications')}
          rowKey={(a) => a.id}
          dataSource={rows}
          loading={query.isPending}
          onOpen={(a) => setSelected(a.id)}
          locale={{ emptyText: <EmptyText text={t('noApplications')} /> }}
          columns={[
            {
              title: t('submitted'),
              key: 'at',
              render: (_: unknown, a) => (
                <Button
                  type="link"
                  size="small"
                  style={{ ...LINK_STYLE, padding: 0, fontWeight: a.id === current?.id ? 600 : undefined }}
                  onClick={() => setSelected(a.id)}
                >
                  {fmt.dateTime(a.createdAt)}
                </Button>
              ),
            },
            { title: t('product'), dataIndex: 'product' },
            {
              title: t('amount'),
              key: 'amount',
              align: 'right',
              render: (_: unknown, a) => fmt.money(a.amount, a.currency),
            },
            { title: t('status'), dataIndex: 'status', render: (s: string) => <Tag>{s}</Tag> },
            { title: t('outcome'), dataIndex: 'outcome', render: (o: string | null) => o ?? '—' },
            {
              title: t('score'),
              key: 'score',
              render: (_: unknown, a) => (a.score ? `${str(a.score.score)} ${str(a.score.grade)}` : '—'),
            },
          ]}
        />
        <LoadMore query={query} />
      </Section>
      {current && (
        <Section
          title={t('applicationDetail')}
          extra={
            <Link to={`/credit/applications/${current.id}`} style={LINK_STYLE}>
              {t('openApplication')}
            </Link>
          }
        >
          <ApplicationSummary application={current} />
        </Section>
      )}
    </>
  );
}

function Messages({ customerId }: { customerId: string }) {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const messages = useQuery({
    queryKey: ['customer-messages', customerId],
    queryFn: () => unwrap(api.GET('/channels/messages', { params: { query: { customer: customerId, limit: 50 } } })),
  });
  const letters = usePaged(['customer-letters', customerId], (after) =>
    unwrap(
      api.GET('/channels/letters', {
        params: { query: { customer: customerId, limit: 20, ...(after ? { after } : {}) } },
      }),
    ),
  );
  return (
    <>
      <Section title={t('messages')}>
        <ErrorAlert error={messages.error} />
        <KeyTable
          label={t('messages')}
          rowKey={(m) => m.id}
          dataSource={messages.data?.data ?? []}
          loading={messages.isPending}
          locale={{ emptyText: <EmptyText text={t('noMessages')} /> }}
          columns={[
            { title: t('at'), dataIndex: 'createdAt', render: (d: string) => fmt.dateTime(d) },
            { title: t('channel'), dataIndex: 'channel' },
            { title: t('recipient'), dataIndex: 'recipient' },
            {
              title: t('subject'),
              key: 'subject',
              render: (_: unknown, m) =>
                m.subject ?? (m.bodyText.length > 80 ? `${m.bodyText.slice(0, 80)}…` : m.bodyText),
            },
            { title: t('template'), dataIndex: 'template', render: (v: string | null) => v ?? '—' },
            { title: t('status'), dataIndex: 'status', render: (s: string) => <Tag>{s}</Tag> },
          ]}
        />
      </Section>
      <Section title={t('letters')}>
        <ErrorAlert error={letters.query.error} />
        <KeyTable
          label={t('letters')}
          rowKey={(l) => l.id}
          dataSource={letters.rows}
          loading={letters.query.isPending}
          locale={{ emptyText: <EmptyText text={t('noLetters')} /> }}
          columns={[
            { title: t('at'), dataIndex: 'createdAt', render: (d: string) => fmt.dateTime(d) },
            { title: t('subject'), dataIndex: 'subject' },
            { title: t('template'), dataIndex: 'template' },
            { title: t('pages'), dataIndex: 'pages' },
            { title: t('status'), dataIndex: 'status', render: (s: string) => <Tag>{s}</Tag> },
          ]}
        />
        <LoadMore query={letters.query} />
      </Section>
    </>
  );
}

export function CustomerPage() {
  const { t } = useTranslation('customers');
  const { id = '' } = useParams();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const customer = useQuery({
    queryKey: ['customer', id],
    queryFn: () => unwrap(api.GET('/customers/{id}', { params: { path: { id } } })),
  });
  const receivables = usePaged<Receivable>(['customer-receivables', id], (after) =>
    unwrap(api.GET('/receivables', { params: { query: { customerId: id, limit: 50, ...(after ? { after } : {}) } } })),
  );
  if (customer.isPending) return <Skeleton active />;
  if (customer.error) return <ErrorAlert error={customer.error} />;
  const c = customer.data;
  const tab = params.get('tab') ?? 'overview';
  const items = [
    {
      key: 'overview',
      label: t('tabs.overview'),
      children: <Overview customerId={c.id} receivables={receivables.rows} />,
    },
    {
      key: 'receivables',
      label: `${t('tabs.receivables')} (${receivables.rows.length}${receivables.query.hasNextPage ? '+' : ''})`,
      children: <Receivables rows={receivables.rows} query={receivables.query} />,
    },
    ...(can('collections:read')
      ? [{ key: 'collections', label: t('tabs.collections'), children: <Collections customerId={c.id} /> }]
      : []),
    ...(can('credit:read') ? [{ key: 'credit', label: t('tabs.credit'), children: <Credit customerId={c.id} /> }] : []),
    ...(can('channels:read')
      ? [{ key: 'messages', label: t('tabs.messages'), children: <Messages customerId={c.id} /> }]
      : []),
  ];
  return (
    <>
      <PageHeader
        title={c.name}
        sub={
          <span>
            {c.externalId} · {c.segment ?? '—'} · {t('riskRating')} <RatingTag rating={c.riskRating} />
          </span>
        }
        extra={
          <Link to="/customers" style={LINK_STYLE}>
            {t('backToList')}
          </Link>
        }
      />
      {items.length === 0 ? (
        <Empty />
      ) : (
        <Tabs
          activeKey={items.some((i) => i.key === tab) ? tab : 'overview'}
          onChange={(key) => setParams({ tab: key }, { replace: true })}
          items={items}
          destroyInactiveTabPane
        />
      )}
    </>
  );
}

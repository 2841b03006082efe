// One collection case, everything a collector needs on one screen: the customer and the account's
// balances, the strategy's stages (done, next, still to come), a timeline of what happened (stages,
// contacts, promises, plans, disputes, hardship), each of those listed, and — for those who may work
// cases — the actions: record a call outcome, a promise to pay, request a plan, open a dispute, flag
// hardship.
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Col, Collapse, Descriptions, Empty, Flex, Result, Row, Space, Spin, Tag, Timeline } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import { ACTIONS, CaseActionModal, type ActionKind } from './case-actions';

type Detail = components['schemas']['CollectionCaseDetail'];
type Strategy = components['schemas']['CollectionCaseStrategy'];
type Row = Record<string, unknown>;

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
/** antd's link blue falls short of AA contrast on white; the theme's primary passes. */
const LINK = { color: '#0b5cad' };
const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

interface Event {
  at: string;
  text: string;
  color: string;
  key: string;
}

export function CasePage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('collections');
  const format = useFormat();
  const navigate = useNavigate();
  const { can } = useSession();
  const [action, setAction] = useState<ActionKind | null>(null);

  const detail = useQuery({
    queryKey: ['collections', 'case', id],
    queryFn: () => unwrap(api.GET('/collections/cases/{id}', { params: { path: { id } } })),
  });
  const strategy = useQuery({
    queryKey: ['collections', 'case', id, 'strategy'],
    queryFn: () => unwrap(api.GET('/collections/cases/{id}/strategy', { params: { path: { id } } })),
  });
  const customerId = detail.data?.customerId;
  const customer = useQuery({
    queryKey: ['customers', customerId],
    enabled: !!customerId && can('receivables:read'),
    queryFn: () => unwrap(api.GET('/customers/{id}', { params: { path: { id: customerId! } } })),
  });

  const c: Detail | undefined = detail.data;
  const events = useMemo(() => (c ? caseEvents(c, t, format) : []), [c, t, format]);

  if (detail.isPending) return <Spin size="large" style={{ display: 'block', margin: 48 }} />;
  if (detail.error instanceof ApiError && detail.error.status === 404) {
    return (
      <Result
        status="404"
        title={t('case.notFound')}
        extra={
          <Link style={LINK} to="/collections">
            {t('case.back')}
          </Link>
        }
      />
    );
  }
  if (!c) return <ErrorAlert error={detail.error} />;

  const account: Row = c.account;
  const money = (v: unknown) => format.money(str(v) || null, c.currency);
  const stateLabel = (s: string) => t(`states.${s}`, { defaultValue: s });
  const open = c.status === 'open';
  const cust = customer.data;

  return (
    <>
      <PageHeader
        title={cust?.name ?? t('case.title', { id: c.id })}
        sub={
          <Space size={8} wrap>
            <span>{c.id}</span>
            <Tag color={open ? 'blue' : 'default'}>{stateLabel(c.state)}</Tag>
            <span>
              {str(account.externalId)} · {format.number(Number(account.dpd))} {t('columns.dpd')}
            </span>
          </Space>
        }
        extra={
          <>
            <Button onClick={() => void navigate('/collections')}>{t('case.back')}</Button>
            <Button onClick={() => void Promise.all([detail.refetch(), strategy.refetch()])}>
              {t('common:actions.refresh')}
            </Button>
          </>
        }
      />

      <IfAllowed permission="collections:work">
        <Card style={{ marginBottom: 16 }} title={h2(t('actions.title'))} size="small">
          {open ? (
            <Flex wrap gap={8}>
              {ACTIONS.map((kind) => (
                <Button key={kind} type={kind === 'promise' ? 'primary' : 'default'} onClick={() => setAction(kind)}>
                  {t(`actions.${kind}`)}
                </Button>
              ))}
            </Flex>
          ) : (
            t('actions.closedCase')
          )}
        </Card>
        <CaseActionModal
          kind={action}
          facts={{ id: c.id, currency: c.currency, outstanding: str(account.outstanding) || '0' }}
          onClose={() => setAction(null)}
        />
      </IfAllowed>

      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={h2(t('case.customer'))} style={{ height: '100%' }}>
            <ErrorAlert error={customer.error} />
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('case.name')}>
                <Link style={LINK} to={`/customers/${c.customerId}`}>
                  {cust?.name ?? c.customerId}
                </Link>
              </Descriptions.Item>
              {cust && (
                <>
                  <Descriptions.Item label={t('case.externalId')}>{cust.externalId}</Descriptions.Item>
                  <Descriptions.Item label={t('case.email')}>{cust.email ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label={t('case.phone')}>{cust.phone ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label={t('case.language')}>{cust.language}</Descriptions.Item>
                  <Descriptions.Item label={t('case.riskRating')}>{cust.riskRating ?? '—'}</Descriptions.Item>
                </>
              )}
              <Descriptions.Item label={t('case.collector')}>{c.collector ?? '—'}</Descriptions.Item>
              <Descriptions.Item label={t('case.queue')}>{c.queue}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={h2(t('case.balances'))} style={{ height: '100%' }}>
            <Descriptions column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }} size="small">
              <Descriptions.Item label={t('case.account')}>
                {str(account.externalId)} ({str(account.kind)})
              </Descriptions.Item>
              <Descriptions.Item label={t('case.accountStatus')}>{str(account.status)}</Descriptions.Item>
              <Descriptions.Item label={t('case.dpd')}>{format.number(Number(account.dpd))}</Descriptions.Item>
              <Descriptions.Item label={t('case.bucket')}>{str(account.bucket)}</Descriptions.Item>
              <Descriptions.Item label={t('case.outstanding')}>
                <strong>{money(account.outstanding)}</strong>
              </Descriptions.Item>
              <Descriptions.Item label={t('case.oldestUnpaid')}>
                {format.date(str(account.oldestUnpaidDueDate) || null)}
              </Descriptions.Item>
              <Descriptions.Item label={t('case.openedOverdue')}>{money(c.openedOverdue)}</Descriptions.Item>
              <Descriptions.Item label={t('case.recovered')}>{money(c.recovered)}</Descriptions.Item>
              <Descriptions.Item label={t('case.segment')}>{c.segment}</Descriptions.Item>
              <Descriptions.Item label={t('case.variant')}>
                {t(`variants.${c.variant}`, { defaultValue: c.variant })}
              </Descriptions.Item>
              <Descriptions.Item label={t('case.opened')}>{format.dateTime(c.openedAt)}</Descriptions.Item>
              {c.closedAt && (
                <Descriptions.Item label={t('case.closed')}>
                  {format.dateTime(c.closedAt)} · {c.outcome}
                </Descriptions.Item>
              )}
              <Descriptions.Item label={t('case.decisions')}>
                {c.decisions.map((d) => `${d.key}@${d.version}`).join(', ')}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>

        <Col xs={24} lg={10}>
          <Card title={h2(t('case.strategy'))} style={{ height: '100%' }}>
            <ErrorAlert error={strategy.error} />
            {strategy.data && <StrategyTimeline strategy={strategy.data} />}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card title={h2(t('case.activity'))} style={{ height: '100%' }}>
            {events.length === 0 ? (
              <Empty description={t('case.none')} />
            ) : (
              <Timeline
                mode="left"
                items={events.map((e) => ({
                  key: e.key,
                  color: e.color,
                  label: format.dateTime(e.at),
                  children: e.text,
                }))}
              />
            )}
          </Card>
        </Col>

        <Col xs={24}>
          <CaseLists c={c} />
        </Col>
        <Col xs={24}>
          <Collapse
            items={[
              {
                key: 'workflow',
                label: t('case.workflow'),
                children: (
                  <KeyTable<Row>
                    label={t('case.workflow')}
                    rowKey={(r) => str(r.seq)}
                    dataSource={c.timeline}
                    columns={[
                      { title: '#', dataIndex: 'seq' },
                      { title: t('fields.at'), dataIndex: 'at', render: (v: string) => format.dateTime(v) },
                      { title: 'step', dataIndex: 'step' },
                      { title: 'event', dataIndex: 'event' },
                      { title: t('fields.by'), dataIndex: 'actor' },
                    ]}
                  />
                ),
              },
            ]}
          />
        </Col>
      </Row>
    </>
  );
}

function StrategyTimeline({ strategy }: { strategy: Strategy }) {
  const { t } = useTranslation('collections');
  const format = useFormat();
  return (
    <>
      <p style={{ marginTop: 0 }}>
        {t('case.strategyOf', {
          segment: strategy.segment,
          variant: t(`variants.${strategy.variant}`, { defaultValue: strategy.variant }),
          decision: `${strategy.decision.key}@${strategy.decision.version}`,
        })}
      </p>
      <Timeline
        items={strategy.stages.map((s) => {
          const when =
            s.status === 'done'
              ? t('case.stageDone', { when: format.dateTime(s.ranAt) })
              : s.status === 'next'
                ? s.dueOn
                  ? t('case.stageNext', { when: format.date(s.dueOn) })
                  : t('case.stageNextNoDate')
                : s.dueOn
                  ? format.date(s.dueOn)
                  : '';
          return {
            key: s.stage,
            color: s.status === 'done' ? 'green' : s.status === 'next' ? 'blue' : 'gray',
            children: (
              <div data-stage={s.stage} data-status={s.status}>
                <strong>{s.stage}</strong> · {s.kind} · {t('case.stageDay', { dpd: s.dpd })}
                {when && <div style={{ color: '#595959' }}>{when}</div>}
              </div>
            ),
          };
        })}
      />
    </>
  );
}

function caseEvents(
  c: Detail,
  t: (key: string, options?: Record<string, unknown>) => string,
  format: ReturnType<typeof useFormat>,
): Event[] {
  const money = (v: unknown) => format.money(str(v) || null, c.currency);
  const events: Event[] = [
    {
      key: 'opened',
      at: c.openedAt,
      color: 'gray',
      text: t('events.opened', { dpd: c.openedDpd, amount: money(c.openedOverdue) }),
    },
  ];
  for (const s of c.stages) {
    events.push({
      key: `stage-${str(s.stage)}`,
      at: str(s.ranAt),
      color: 'green',
      text: t('events.stage', { stage: str(s.stage), kind: str(s.kind) }),
    });
  }
  for (const x of c.contacts) {
    events.push({
      key: `contact-${str(x.id)}`,
      at: str(x.at),
      color: 'blue',
      text: t('events.contact', {
        channel: t(`channels.${str(x.channel)}`, { defaultValue: str(x.channel) }),
        direction: t(`directions.${str(x.direction)}`, { defaultValue: str(x.direction) }),
        result: x.reached ? t('events.reached') : t('events.notReached'),
      }),
    });
  }
  for (const p of c.promises) {
    events.push({
      key: `promise-${str(p.id)}`,
      at: str(p.createdAt),
      color: 'purple',
      text: t('events.promise', { amount: money(p.amount), date: format.date(str(p.date)), status: str(p.status) }),
    });
  }
  for (const p of c.plans) {
    events.push({
      key: `plan-${str(p.id)}`,
      at: str(p.createdAt ?? p.proposedAt),
      color: 'purple',
      text: t('events.plan', { amount: money(p.total), status: str(p.status) }),
    });
  }
  for (const d of c.disputes) {
    events.push({
      key: `dispute-${str(d.id)}`,
      at: str(d.createdAt ?? d.openedAt),
      color: 'orange',
      text: t('events.dispute', { amount: money(d.amount), status: str(d.status) }),
    });
  }
  for (const h of c.hardships) {
    events.push({
      key: `hardship-${str(h.id)}`,
      at: str(h.createdAt ?? h.raisedAt),
      color: 'orange',
      text: t('events.hardship', {
        circumstance: t(`circumstances.${str(h.circumstance)}`, { defaultValue: str(h.circumstance) }),
        status: str(h.status),
      }),
    });
  }
  if (c.closedAt) {
    events.push({ key: 'closed', at: c.closedAt, color: 'gray', text: t('events.closed', { outcome: c.outcome }) });
  }
  return events.filter((e) => e.at).sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

function CaseLists({ c }: { c: Detail }) {
  const { t } = useTranslation('collections');
  const format = useFormat();
  const money = (v: unknown) => format.money(str(v) || null, c.currency);
  const when = (v: unknown) => format.dateTime(str(v) || null);
  const status = (v: unknown) => <Tag>{str(v)}</Tag>;
  const section = (
    title: string,
    rows: Row[],
    columns: Array<{ title: string; render: (r: Row) => React.ReactNode }>,
  ) => (
    <Card title={h2(`${title} (${rows.length})`)} size="small" style={{ marginBottom: 16 }}>
      {rows.length === 0 ? (
        <span>{t('case.none')}</span>
      ) : (
        <KeyTable<Row>
          label={title}
          rowKey={(r) => str(r.id)}
          dataSource={rows}
          columns={columns.map((col, i) => ({
            key: i,
            title: col.title,
            render: (_: unknown, r: Row) => col.render(r),
          }))}
        />
      )}
    </Card>
  );
  return (
    <>
      {section(t('case.promises'), c.promises, [
        { title: t('fields.amount'), render: (r) => money(r.amount) },
        { title: t('fields.date'), render: (r) => format.date(str(r.date)) },
        { title: t('fields.status'), render: (r) => status(r.status) },
        { title: t('fields.paid'), render: (r) => money(r.paidAmount) },
        { title: t('fields.by'), render: (r) => str(r.createdBy) },
        { title: t('fields.created'), render: (r) => when(r.createdAt) },
      ])}
      {section(t('case.contacts'), c.contacts, [
        { title: t('fields.at'), render: (r) => when(r.at) },
        {
          title: t('fields.channel'),
          render: (r) => t(`channels.${str(r.channel)}`, { defaultValue: str(r.channel) }),
        },
        {
          title: t('fields.direction'),
          render: (r) => t(`directions.${str(r.direction)}`, { defaultValue: str(r.direction) }),
        },
        { title: t('fields.reached'), render: (r) => (r.reached ? t('fields.yes') : t('fields.no')) },
        {
          title: t('fields.willingness'),
          render: (r) =>
            r.willingness ? t(`willingness.${str(r.willingness)}`, { defaultValue: str(r.willingness) }) : '—',
        },
        { title: t('fields.notes'), render: (r) => str(r.notes) || '—' },
        { title: t('fields.by'), render: (r) => str(r.recordedBy) },
      ])}
      {section(t('case.plans'), c.plans, [
        { title: t('fields.total'), render: (r) => money(r.total) },
        {
          title: t('fields.installments'),
          render: (r) =>
            ((r.installments as Array<{ date: string; amount: string }> | undefined) ?? [])
              .map((l) => `${format.date(l.date)}: ${money(l.amount)}`)
              .join(' · '),
        },
        { title: t('fields.status'), render: (r) => status(r.status) },
        { title: t('fields.approvalQueue'), render: (r) => str(r.approvalQueue) || '—' },
      ])}
      {section(t('case.disputes'), c.disputes, [
        { title: t('fields.amount'), render: (r) => money(r.amount) },
        { title: t('fields.reason'), render: (r) => str(r.reason) },
        { title: t('fields.status'), render: (r) => status(r.status) },
      ])}
      {section(t('case.hardships'), c.hardships, [
        {
          title: t('fields.circumstance'),
          render: (r) => t(`circumstances.${str(r.circumstance)}`, { defaultValue: str(r.circumstance) }),
        },
        { title: t('fields.notes'), render: (r) => str(r.notes) },
        { title: t('fields.status'), render: (r) => status(r.status) },
      ])}
    </>
  );
}

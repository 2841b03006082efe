// One credit application and its assessment, on one screen: the request; the open review task, worked
// here (TaskPanel: claim, then an outcome with the task's form); the score with the points of every
// attribute; every rule that fired with its decision key@version; affordability; the applicant's
// history and bureau file; the authority level and the approvals so far; the offer and the contract.
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Col, Collapse, Descriptions, Empty, Progress, Result, Row, Space, Spin, Tag } from 'antd';
import { useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { TaskPanel } from '../../components/task-panel';
import { useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import { statusStyle } from './shared';

type Detail = components['schemas']['CreditApplicationDetail'];
type Row = Record<string, unknown>;

const str = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
const obj = (v: unknown): Row => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Row) : {});
/** antd's link blue falls short of AA contrast on white; the theme's primary passes. */
const LINK = { color: '#0b5cad' };
const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;
/** The best band of each attribute in the shipped scorecard: how far below it an applicant scored. */
const BEST_POINTS: Record<string, number> = {
  bureau_score: 150,
  dti: 140,
  employment_status: 120,
  months_in_job: 120,
  internal_max_dpd: 125,
};

const PENDING = new Set(['submitted', 'assessing']);

export function ApplicationPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation('credit');
  const format = useFormat();
  const navigate = useNavigate();
  const { can } = useSession();
  const awaitingTask = useRef(false);

  const application = useQuery({
    queryKey: ['credit', 'application', id],
    queryFn: () => unwrap(api.GET('/credit/applications/{id}', { params: { path: { id } } })),
    // While the workflow is moving (assessing, booking after an approval, between two review tasks), poll.
    refetchInterval: (q) => {
      const data = q.state.data;
      if (!data) return false;
      const moving =
        PENDING.has(data.status) ||
        (data.status === 'approved' && !data.contract) ||
        (data.status === 'in_review' && awaitingTask.current);
      return moving ? 1000 : false;
    },
  });
  const a: Detail | undefined = application.data;
  const instanceId = a?.instanceId ?? undefined;
  // The review task of this application: the open one, else the latest (its outcome and who decided).
  const task = useQuery({
    queryKey: ['tasks', 'credit-review', instanceId, a?.status, a?.approvals.length],
    enabled: !!instanceId && can('tasks:work'),
    queryFn: async () => {
      const page = await unwrap(api.GET('/tasks', { params: { query: { instanceId, limit: 100 } } }));
      return page.data.find((x) => x.status === 'open') ?? page.data[page.data.length - 1] ?? null;
    },
  });
  awaitingTask.current = can('tasks:work') && task.isSuccess && task.data?.status !== 'open';

  if (application.isPending) return <Spin size="large" style={{ display: 'block', margin: 48 }} />;
  if (application.error instanceof ApiError && application.error.status === 404) {
    return (
      <Result
        status="404"
        title={t('app.notFound')}
        extra={
          <Link style={LINK} to="/credit">
            {t('app.back')}
          </Link>
        }
      />
    );
  }
  if (!a) return <ErrorAlert error={application.error} />;

  const money = (v: unknown) => format.money(str(v) || null, a.currency);
  const name = str(a.applicant.name) || a.customerId;
  const assessment = obj(a.assessment);
  const affordability = obj(assessment.affordability);
  const history = obj(assessment.history);
  const bureau = assessment.bureau ? obj(assessment.bureau) : null;
  const score = obj(a.score);
  const points = obj(score.points);
  const scoreDecision = obj(score.decision);
  const terms = obj(a.terms);
  const authority = obj(a.authority);
  const employment = obj(a.employment);
  const yesNo = (v: unknown) => (v === true ? t('app.yes') : v === false ? t('app.no') : '—');
  const num = (v: unknown) => (typeof v === 'number' ? format.number(v) : '—');
  const pct = (v: unknown) => (typeof v === 'number' ? format.percent(v, 1) : '—');

  return (
    <>
      <PageHeader
        title={t('app.title', { name, amount: money(a.amount) })}
        sub={
          <Space size={8} wrap>
            <span>{a.id}</span>
            <Tag style={statusStyle(a.status)}>{t(`statuses.${a.status}`)}</Tag>
            {a.outcome && <span>{t(`outcomes.${a.outcome}`, { defaultValue: a.outcome })}</span>}
          </Space>
        }
        extra={
          <>
            <Button onClick={() => void navigate('/credit')}>{t('app.back')}</Button>
            <Button onClick={() => void Promise.all([application.refetch(), task.refetch()])}>
              {t('common:actions.refresh')}
            </Button>
          </>
        }
      />
      {PENDING.has(a.status) && <Alert type="info" showIcon message={t('app.waiting')} style={{ marginBottom: 16 }} />}

      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card title={h2(t('app.application'))} style={{ height: '100%' }}>
            <Descriptions column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }} size="small">
              <Descriptions.Item label={t('app.applicant')}>
                <Link style={LINK} to={`/customers/${a.customerId}`}>
                  {name}
                </Link>
              </Descriptions.Item>
              <Descriptions.Item label={t('app.product')}>{a.product}</Descriptions.Item>
              <Descriptions.Item label={t('app.amount')}>
                <strong>{money(a.amount)}</strong>
              </Descriptions.Item>
              <Descriptions.Item label={t('app.term')}>{t('months', { count: a.termMonths })}</Descriptions.Item>
              <Descriptions.Item label={t('app.purpose')}>{a.purpose}</Descriptions.Item>
              <Descriptions.Item label={t('app.employment')}>
                {str(employment.status)}
                {typeof employment.monthsInJob === 'number' &&
                  ` · ${t('app.monthsInJob', { count: employment.monthsInJob })}`}
              </Descriptions.Item>
              <Descriptions.Item label={t('app.income')}>{money(a.monthlyIncome)}</Descriptions.Item>
              <Descriptions.Item label={t('app.expenses')}>{money(a.monthlyExpenses)}</Descriptions.Item>
              <Descriptions.Item label={t('app.submittedBy')}>{a.submittedBy}</Descriptions.Item>
              <Descriptions.Item label={t('app.submittedAt')}>{format.dateTime(a.createdAt)}</Descriptions.Item>
              {a.decidedAt && (
                <Descriptions.Item label={t('app.decidedAt')}>{format.dateTime(a.decidedAt)}</Descriptions.Item>
              )}
            </Descriptions>
            {a.reasons.length > 0 && (
              <>
                <h3 style={{ fontSize: 14, margin: '12px 0 4px' }}>{t('app.reasons')}</h3>
                <ul style={{ margin: 0, paddingLeft: 20 }}>
                  {a.reasons.map((r) => (
                    <li key={r.code}>
                      <code>{r.code}</code> {r.text}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <section aria-label={t('app.task')} style={{ height: '100%' }}>
            {can('tasks:work') ? (
              task.data?.status === 'open' ? (
                <TaskPanel
                  key={task.data.id}
                  taskId={task.data.id}
                  onDone={() => void Promise.all([application.refetch(), task.refetch()])}
                />
              ) : (
                <Card title={h2(t('app.task'))} style={{ height: '100%' }}>
                  <ErrorAlert error={task.error} />
                  {task.isPending && !!instanceId ? (
                    <Spin />
                  ) : task.data ? (
                    <>
                      <p style={{ marginTop: 0 }}>{task.data.title}</p>
                      <Descriptions column={1} size="small">
                        <Descriptions.Item label={t('app.outcome')}>
                          <strong>{task.data.outcome ?? task.data.status}</strong>
                        </Descriptions.Item>
                        <Descriptions.Item label={t('app.by')}>{task.data.completedBy ?? '—'}</Descriptions.Item>
                        <Descriptions.Item label={t('app.at')}>
                          {format.dateTime(task.data.completedAt)}
                        </Descriptions.Item>
                      </Descriptions>
                    </>
                  ) : (
                    t('app.noTask')
                  )}
                </Card>
              )
            ) : (
              <Card title={h2(t('app.task'))} style={{ height: '100%' }}>
                {t('app.taskHidden')}
              </Card>
            )}
          </section>
        </Col>

        <Col xs={24} lg={12}>
          <Card
            title={h2(t('app.score'))}
            extra={scoreDecision.key ? <code>{`${str(scoreDecision.key)}@${str(scoreDecision.version)}`}</code> : null}
            style={{ height: '100%' }}
          >
            {a.score ? (
              <>
                <Descriptions column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }} size="small">
                  <Descriptions.Item label={t('app.score')}>
                    <strong>{num(score.score)}</strong>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('app.grade')}>
                    <strong>{str(score.grade)}</strong>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('app.pd')}>{pct(score.pd)}</Descriptions.Item>
                  <Descriptions.Item label={t('app.riskBand')}>{str(score.riskBand)}</Descriptions.Item>
                </Descriptions>
                <h3 style={{ fontSize: 14, margin: '12px 0 4px' }}>{t('app.points')}</h3>
                <KeyTable<{ attribute: string; points: number }>
                  label={t('app.points')}
                  rowKey={(r) => r.attribute}
                  dataSource={Object.entries(points).map(([attribute, p]) => ({
                    attribute,
                    points: typeof p === 'number' ? p : 0,
                  }))}
                  columns={[
                    { title: t('app.attribute'), dataIndex: 'attribute', render: (v: string) => <code>{v}</code> },
                    { title: t('app.pointsCol'), dataIndex: 'points', align: 'right' },
                    {
                      title: '',
                      key: 'bar',
                      width: '40%',
                      render: (_: unknown, r) => (
                        <Progress
                          percent={Math.round((100 * r.points) / (BEST_POINTS[r.attribute] ?? 150))}
                          showInfo={false}
                          size="small"
                          aria-label={`${r.attribute}: ${r.points}`}
                        />
                      ),
                    },
                  ]}
                />
              </>
            ) : (
              <Empty description={t('app.none')} />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={h2(t('app.affordability'))} style={{ height: '100%' }}>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('app.installment')}>{money(affordability.installment)}</Descriptions.Item>
              <Descriptions.Item label={t('app.assessmentRate')}>
                {affordability.assessmentRate ? format.percent(Number(affordability.assessmentRate), 2) : '—'}
              </Descriptions.Item>
              <Descriptions.Item label={t('app.existingDebt')}>
                {money(affordability.existingDebtPayments)}
              </Descriptions.Item>
              <Descriptions.Item label={t('app.disposable')}>{money(affordability.disposableIncome)}</Descriptions.Item>
              <Descriptions.Item label={t('app.dti')}>{pct(affordability.dti)}</Descriptions.Item>
              <Descriptions.Item label={t('app.pti')}>{pct(affordability.pti)}</Descriptions.Item>
            </Descriptions>
            {a.terms && (
              <>
                <h3 style={{ fontSize: 14, margin: '12px 0 4px' }}>{t('app.terms')}</h3>
                <Descriptions column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }} size="small">
                  <Descriptions.Item label={t('app.maxAmount')}>{money(terms.maxAmount)}</Descriptions.Item>
                  <Descriptions.Item label={t('app.rate')}>
                    {terms.annualRate ? format.percent(Number(terms.annualRate), 2) : '—'}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('app.maxTerm')}>
                    {typeof terms.maxTermMonths === 'number' ? t('months', { count: terms.maxTermMonths }) : '—'}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('app.autoApprove')}>{money(terms.autoApproveUpTo)}</Descriptions.Item>
                </Descriptions>
              </>
            )}
          </Card>
        </Col>

        <Col xs={24}>
          <Card title={h2(t('app.rules'))}>
            <KeyTable<Row>
              label={t('app.rules')}
              rowKey={(r) => `${str(r.decision)}-${str(r.code)}`}
              dataSource={a.rules}
              columns={[
                { title: t('app.kind'), render: (_: unknown, r) => <Tag>{str(r.kind)}</Tag> },
                { title: t('app.code'), render: (_: unknown, r) => <code>{str(r.code)}</code> },
                { title: t('app.reason'), render: (_: unknown, r) => str(r.reason) },
                {
                  title: t('app.decision'),
                  render: (_: unknown, r) => <code>{`${str(r.decision)}@${str(r.version)}`}</code>,
                },
              ]}
            />
            <p style={{ margin: '12px 0 0' }}>
              {t('app.decisions')}:{' '}
              {a.decisions.map((d) => (
                <Tag key={d.key}>{`${d.key}@${d.version}`}</Tag>
              ))}
            </p>
          </Card>
        </Col>

        <Col xs={24} lg={12}>
          <Card title={h2(t('app.authority'))} style={{ height: '100%' }}>
            {a.authority ? (
              <Descriptions column={{ xs: 1, sm: 1, md: 3, lg: 3, xl: 3, xxl: 3 }} size="small">
                <Descriptions.Item label={t('app.level')}>
                  <strong>{t('levelN', { level: str(authority.level) })}</strong>
                </Descriptions.Item>
                <Descriptions.Item label={t('app.approvalsRequired')}>
                  {num(authority.approvalsRequired)}
                </Descriptions.Item>
                <Descriptions.Item label={t('app.queues')}>
                  {Array.isArray(authority.queues) ? authority.queues.map(str).join(' → ') : '—'}
                </Descriptions.Item>
              </Descriptions>
            ) : (
              <p style={{ marginTop: 0 }}>{t('app.none')}</p>
            )}
            <h3 style={{ fontSize: 14, margin: '12px 0 4px' }}>{t('app.approvals')}</h3>
            {a.approvals.length === 0 ? (
              <span>{t('app.noApprovals')}</span>
            ) : (
              <KeyTable<Row>
                label={t('app.approvals')}
                rowKey={(r) => `${str(r.level)}-${str(r.by)}-${str(r.at)}`}
                dataSource={a.approvals}
                columns={[
                  { title: t('app.level'), render: (_: unknown, r) => str(r.level) },
                  { title: t('app.by'), render: (_: unknown, r) => str(r.by) },
                  {
                    title: t('app.outcome'),
                    render: (_: unknown, r) => <Tag>{str(r.outcome)}</Tag>,
                  },
                  { title: t('app.comment'), render: (_: unknown, r) => str(r.comment) || '—' },
                  { title: t('app.at'), render: (_: unknown, r) => format.dateTime(str(r.at) || null) },
                ]}
              />
            )}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={h2(t('app.history'))} style={{ height: '100%' }}>
            <Descriptions column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }} size="small">
              <Descriptions.Item label={t('app.age')}>{num(assessment.age)}</Descriptions.Item>
              <Descriptions.Item label={t('app.bureau')}>
                {bureau && bureau.found !== false
                  ? `${t('app.bureauScore')}: ${num(bureau.score)}`
                  : t('app.bureauNone')}
              </Descriptions.Item>
              <Descriptions.Item label={t('app.existingCustomer')}>{yesNo(history.existingCustomer)}</Descriptions.Item>
              <Descriptions.Item label={t('app.exposure')}>{money(history.exposure)}</Descriptions.Item>
              <Descriptions.Item label={t('app.maxDpd')}>{num(history.maxDpd)}</Descriptions.Item>
              <Descriptions.Item label={t('app.missed')}>{num(history.missedInstallments)}</Descriptions.Item>
              <Descriptions.Item label={t('app.riskRating')}>{str(history.riskRating) || '—'}</Descriptions.Item>
              <Descriptions.Item label={t('app.applications30d')}>{num(history.applications30d)}</Descriptions.Item>
              <Descriptions.Item label={t('app.collectionCases')}>{num(history.collectionCases)}</Descriptions.Item>
              <Descriptions.Item label={t('app.openCollectionCases')}>
                {num(history.openCollectionCases)}
              </Descriptions.Item>
              <Descriptions.Item label={t('app.brokenPromises')}>{num(history.brokenPromises)}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>

        <Col xs={24} lg={12}>
          <Card title={h2(t('app.offer'))} style={{ height: '100%' }}>
            {a.offer ? <Fields row={a.offer} money={money} /> : t('app.none')}
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={h2(t('app.contract'))} style={{ height: '100%' }}>
            {a.contract ? <Contract contract={a.contract} money={money} /> : t('app.noContract')}
          </Card>
        </Col>

        <Col xs={24}>
          <Collapse
            items={[
              {
                key: 'timeline',
                label: t('app.timeline'),
                children: (
                  <KeyTable<Row>
                    label={t('app.timeline')}
                    rowKey={(r) => str(r.seq)}
                    dataSource={a.timeline}
                    columns={[
                      { title: '#', render: (_: unknown, r) => str(r.seq) },
                      { title: t('app.at'), render: (_: unknown, r) => format.dateTime(str(r.at) || null) },
                      { title: t('app.step'), render: (_: unknown, r) => <code>{str(r.step) || '—'}</code> },
                      { title: t('app.event'), render: (_: unknown, r) => str(r.event) },
                      { title: t('app.actor'), render: (_: unknown, r) => str(r.actor) || '—' },
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

/** A record's fields as label: value, money fields formatted (amounts are minor-unit strings). */
function Fields({ row, money }: { row: Row; money: (v: unknown) => string }) {
  const items = Object.entries(row).filter(([, v]) => v !== null && typeof v !== 'object');
  return (
    <Descriptions column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }} size="small">
      {items.map(([key, value]) => (
        <Descriptions.Item key={key} label={key}>
          {/amount|principal|installment|limit/i.test(key) && /^\d+$/.test(str(value)) ? money(value) : str(value)}
        </Descriptions.Item>
      ))}
    </Descriptions>
  );
}

function Contract({ contract, money }: { contract: Row; money: (v: unknown) => string }) {
  const { t } = useTranslation('credit');
  const format = useFormat();
  const disbursement = obj(contract.disbursement);
  const line = (label: string, value: ReactNode) => (
    <Descriptions.Item key={label} label={label}>
      {value}
    </Descriptions.Item>
  );
  return (
    <Descriptions column={{ xs: 1, sm: 1, md: 2, lg: 2, xl: 2, xxl: 2 }} size="small">
      {contract.receivableId !== undefined &&
        line(
          t('app.receivable'),
          <span>
            {str(contract.externalId)} <code>{str(contract.receivableId)}</code>
          </span>,
        )}
      {contract.principal !== undefined && line(t('app.principal'), <strong>{money(contract.principal)}</strong>)}
      {contract.annualRate !== undefined &&
        line(t('app.rate'), format.percent(Number(contract.annualRate ?? contract.rate), 2))}
      {contract.termMonths !== undefined && line(t('app.term'), t('months', { count: Number(contract.termMonths) }))}
      {contract.installment !== undefined && line(t('app.monthlyInstallment'), money(contract.installment))}
      {contract.firstDueDate !== undefined && line(t('app.firstDue'), format.date(str(contract.firstDueDate)))}
      {contract.creditLimit !== undefined && line(t('app.creditLimit'), money(contract.creditLimit))}
      {contract.disbursement !== undefined &&
        line(t('app.disbursement'), `${str(disbursement.id ?? disbursement.transferId)} ${str(disbursement.status)}`)}
    </Descriptions>
  );
}

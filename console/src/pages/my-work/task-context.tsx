// Everything a task is about, beside the task, so that no one copies an id into another screen: the
// customer, the account's balances and schedule, the case's contacts, promises and timeline, or the
// credit application and its decision. Found from what the task carries: its data and its
// instance's input and steps (a collections case's `steps.open.caseId`, an application's
// `input.applicationId`, an account's `input.receivableId`).
import { useQuery } from '@tanstack/react-query';
import { Flex, Skeleton, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { Task } from '../../components/task-panel';
import { ErrorAlert } from '../../components/error-alert';
import { useSession } from '../../session/session';
import {
  ApplicationSummary,
  CaseSummary,
  ContactsTable,
  LINK_STYLE,
  CustomerSummary,
  DisputesTable,
  PlansTable,
  PromisesTable,
  ReceivableBalances,
  ScheduleTable,
  Section,
  TimelineList,
  str,
  useCase,
  useReceivable,
} from '../customers/widgets';

type Row = Record<string, unknown>;
const obj = (value: unknown): Row => (value && typeof value === 'object' ? (value as Row) : {});
const idOf = (value: unknown, prefix: string): string | null =>
  typeof value === 'string' && value.startsWith(`${prefix}_`) ? value : null;

/** The references a task's instance and data hold: case, application, account, customer. */
export function taskReferences(task: Task, instanceContext: unknown) {
  const context = obj(instanceContext);
  const input = obj(context.input);
  const steps = obj(context.steps);
  const data = obj(task.data);
  const first = (prefix: string, ...values: unknown[]) => values.map((v) => idOf(v, prefix)).find(Boolean) ?? null;
  return {
    caseId: first('ccase', obj(steps.open).caseId, data.caseId, input.caseId, input.case),
    applicationId: first('capp', input.applicationId, data.applicationId),
    receivableId: first('rcv', input.receivableId, data.receivableId),
    customerId: first('cus', input.customerId, data.customerId, obj(data.customer).id),
  };
}

export function TaskContext({ task }: { task: Task }) {
  const { t } = useTranslation('my-work');
  const { can } = useSession();
  const instance = useQuery({
    queryKey: ['instance', task.instanceId],
    enabled: can('workflows:read'),
    queryFn: () => unwrap(api.GET('/instances/{id}', { params: { path: { id: task.instanceId } } })),
  });
  const refs = taskReferences(task, instance.data?.context);
  // Polled: a completed task's effects (a promise, a contact) arrive when the instance moves on.
  const theCase = useCase(can('collections:read') ? refs.caseId : null, 5000);
  const application = useQuery({
    queryKey: ['credit-application', refs.applicationId],
    enabled: !!refs.applicationId && can('credit:read'),
    queryFn: () => unwrap(api.GET('/credit/applications/{id}', { params: { path: { id: refs.applicationId! } } })),
  });
  const receivableId = refs.receivableId ?? theCase.data?.receivableId ?? null;
  const receivable = useReceivable(can('receivables:read') ? receivableId : null);
  const customerId =
    refs.customerId ?? theCase.data?.customerId ?? application.data?.customerId ?? receivable.data?.customerId ?? null;

  if (instance.isPending && can('workflows:read')) return <Skeleton active />;
  const timeline = theCase.data?.timeline ?? instance.data?.timeline ?? [];
  const detail = theCase.data;
  const currency = detail?.currency ?? receivable.data?.currency ?? 'EUR';

  return (
    <Flex vertical gap={0} aria-label={t('context')} role="region">
      <ErrorAlert error={instance.error ?? theCase.error ?? application.error ?? receivable.error} />
      {customerId && can('receivables:read') && <CustomerSummary customerId={customerId} currency={currency} />}
      {receivable.data && (
        <Section title={t('balances')}>
          <ReceivableBalances receivable={receivable.data} />
        </Section>
      )}
      {detail && (
        <Section
          title={t('case')}
          extra={
            <Link to={`/collections/cases/${detail.id}`} style={LINK_STYLE}>
              {t('openCase')}
            </Link>
          }
        >
          <CaseSummary detail={detail} />
        </Section>
      )}
      {application.data && (
        <Section
          title={t('application')}
          extra={
            <Link to={`/credit/applications/${application.data.id}`} style={LINK_STYLE}>
              {t('openApplication')}
            </Link>
          }
        >
          <ApplicationSummary application={application.data} />
        </Section>
      )}
      <Section title={t('details')}>
        <Tabs
          size="small"
          items={[
            ...(detail
              ? [
                  {
                    key: 'promises',
                    label: `${t('promises')} (${detail.promises.length})`,
                    children: <PromisesTable promises={detail.promises} />,
                  },
                  {
                    key: 'contacts',
                    label: `${t('contacts')} (${detail.contacts.length})`,
                    children: <ContactsTable contacts={detail.contacts} />,
                  },
                ]
              : []),
            ...(receivable.data
              ? [
                  {
                    key: 'schedule',
                    label: t('schedule'),
                    children: <ScheduleTable receivableId={receivable.data.id} currency={currency} />,
                  },
                ]
              : []),
            ...(detail && (detail.plans.length > 0 || detail.disputes.length > 0)
              ? [
                  {
                    key: 'plans',
                    label: `${t('plansDisputes')} (${detail.plans.length + detail.disputes.length})`,
                    children: (
                      <>
                        <PlansTable plans={detail.plans} currency={currency} />
                        <DisputesTable disputes={detail.disputes} currency={currency} />
                      </>
                    ),
                  },
                ]
              : []),
            {
              key: 'timeline',
              label: t('timeline'),
              children: <TimelineList entries={timeline} />,
            },
          ]}
        />
        {!detail && !application.data && !receivable.data && (
          <p style={{ margin: 0 }}>
            {t('instance')}:{' '}
            <Link to={`/workflows/instances/${task.instanceId}`} style={LINK_STYLE}>
              {task.instanceId}
            </Link>
            {str(instance.data?.workflow) && ` (${str(instance.data?.workflow)})`}
          </p>
        )}
      </Section>
    </Flex>
  );
}

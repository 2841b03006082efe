// The approvals inbox: the payment approval tasks open for me (tasks of the payment-instruction-approval
// workflow, in my queues or assigned to me), each with what the approver must see — amount,
// beneficiary and account, remittance, the anomaly checks' reasons — and approved or rejected with one
// key. Four eyes is the server's: the maker's own payment is listed (marked) and its refusal shown.
import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { ApiError, api, idempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { KeyTable } from '../../components/key-table';
import { LoadMore, usePaged } from '../../components/paged';
import { isOverdue } from '../../components/task-panel';
import { useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import { AnomalyList } from './anomalies';
import { ReasonDialog } from './reason-dialog';
import { EmptyText, L, PAGE, accountText, h2, paymentPath, type InstructionDetail } from './shared';

type Task = components['schemas']['Task'];
interface Row {
  task: Task;
  payment: InstructionDetail;
}
type Outcome = 'approve' | 'reject';

const paymentIdOf = (task: Task): string | undefined => {
  const id = (task.data as { paymentId?: unknown } | null | undefined)?.paymentId;
  return typeof id === 'string' ? id : undefined;
};
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Which approval of how many the task is, from its step in the workflow. */
const LEVELS: Record<string, [number, number]> = {
  single_approval: [1, 1],
  first_approval: [1, 2],
  second_approval: [2, 2],
};

export function ApprovalsInbox() {
  const { t } = useTranslation('payments-work');
  const fmt = useFormat();
  const navigate = useNavigate();
  const me = useSession().session?.user.id;
  const { message } = App.useApp();
  const client = useQueryClient();
  const [rejecting, setRejecting] = useState<Row | null>(null);
  const { query, rows: tasks } = usePaged<Task>(
    ['payments', 'approvals'],
    (after) => unwrap(api.GET('/me/tasks', { params: { query: { limit: PAGE, ...(after ? { after } : {}) } } })),
    { refetchInterval: 30_000 },
  );
  const candidates = tasks.filter((task) => paymentIdOf(task));
  const payments = useQueries({
    queries: candidates.map((task) => {
      const id = paymentIdOf(task) ?? '';
      return {
        queryKey: ['payments', 'payment', id],
        queryFn: () => unwrap(api.GET('/payments/{id}', { params: { path: { id } } })),
      };
    }),
  });
  // A task is one of these approvals when its payment names it among its approval tasks.
  const rows: Row[] = candidates.flatMap((task, i) => {
    const payment = payments[i]?.data;
    return payment?.tasks.some((x) => x.id === task.id) ? [{ task, payment }] : [];
  });

  const decide = useMutation({
    mutationFn: ({ row, outcome, comment }: { row: Row; outcome: Outcome; comment?: string }) =>
      unwrap(
        api.POST('/tasks/{id}/complete', {
          params: { path: { id: row.task.id }, header: { 'idempotency-key': idempotencyKey() } },
          body: { outcome, data: comment ? { comment } : {} },
        }),
      ),
    onSuccess: async (_task, { row, outcome }) => {
      setRejecting(null);
      void message.success(
        t(outcome === 'approve' ? 'approvals.approved' : 'approvals.rejected', { id: row.payment.id }),
      );
      await Promise.all([
        client.invalidateQueries({ queryKey: ['payments'] }),
        client.invalidateQueries({ queryKey: ['me-tasks'] }),
      ]);
    },
  });
  const approve = (row: Row) => !decide.isPending && decide.mutate({ row, outcome: 'approve' });
  const reject = (row: Row) => {
    decide.reset();
    setRejecting(row);
  };
  const ownRefused = decide.error instanceof ApiError && decide.error.code === 'separation_of_duties';

  return (
    <Card title={h2(t('approvals.list'))}>
      <ErrorAlert error={query.error ?? payments.find((q) => q.error)?.error} />
      {!rejecting && decide.error && (
        <div style={{ marginBottom: 12 }}>
          {ownRefused && <Typography.Paragraph strong>{t('approvals.fourEyes')}</Typography.Paragraph>}
          <ErrorAlert error={decide.error} />
        </div>
      )}
      <KeyTable<Row>
        label={t('approvals.list')}
        rowKey={(r) => r.task.id}
        loading={query.isPending || payments.some((q) => q.isPending)}
        dataSource={rows}
        locale={{ emptyText: <EmptyText text={t('approvals.none')} /> }}
        onOpen={(r) => void navigate(paymentPath(r.payment.id))}
        shortcuts={{ a: approve, r: reject }}
        columns={[
          {
            title: t('approvals.payment'),
            key: 'payment',
            render: (_, { payment: p, task }) => (
              <Space direction="vertical" size={0}>
                <L to={paymentPath(p.id)} style={{ fontWeight: 600 }}>
                  {fmt.money(p.amount, p.currency)}
                </L>
                <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
                  {p.endToEndId}
                </Typography.Text>
                {task.excludedUsers.includes(me ?? '') && <Tag color="warning">{t('approvals.yours')}</Tag>}
              </Space>
            ),
          },
          {
            title: t('approvals.beneficiary'),
            key: 'beneficiary',
            render: (_, { payment: p }) => (
              <Space direction="vertical" size={0}>
                <span>{text(p.beneficiarySnapshot?.name) ?? p.beneficiaryId}</span>
                <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
                  {accountText(p.beneficiarySnapshot ?? {})}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t('approvals.remittance'),
            key: 'remittance',
            render: (_, { payment: p }) =>
              text(p.remittance?.unstructured) ?? text(p.remittance?.creditorReference) ?? '—',
          },
          {
            title: t('approvals.anomalies'),
            key: 'anomalies',
            render: (_, { payment }) => (
              <div style={{ minWidth: 180 }}>
                <AnomalyList payment={payment} />
              </div>
            ),
          },
          {
            title: t('approvals.approval'),
            key: 'level',
            render: (_, { task, payment }) => {
              const [level, of] = LEVELS[task.step] ?? [1, 1];
              return (
                <div style={{ minWidth: 180 }}>
                  <div>{t('approvals.level', { level, of })}</div>
                  <div style={{ whiteSpace: 'nowrap' }}>
                    {t('approvals.dueAt', { at: fmt.dateTime(task.dueAt) })}{' '}
                    {isOverdue(task) && <Tag color="error">{t('approvals.overdue')}</Tag>}
                  </div>
                  <Typography.Text type="secondary">{text(payment.approval?.reason) ?? ''}</Typography.Text>
                </div>
              );
            },
          },
          {
            title: t('approvals.actions'),
            key: 'actions',
            render: (_, row) => (
              <Space wrap={false}>
                <Button
                  type="primary"
                  size="small"
                  loading={decide.isPending && decide.variables.row === row && decide.variables.outcome === 'approve'}
                  onClick={() => approve(row)}
                  aria-label={t('approvals.approveOne', { id: row.payment.id })}
                >
                  {t('approvals.approve')}
                </Button>
                <Button
                  danger
                  size="small"
                  onClick={() => reject(row)}
                  aria-label={t('approvals.rejectOne', { id: row.payment.id })}
                >
                  {t('approvals.reject')}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <LoadMore query={query} />
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 8, marginBottom: 0 }}>
        {t('approvals.keys')}
      </Typography.Paragraph>
      {/* Rejecting ends the payment: the approver says why, and it becomes the payment's rejection. */}
      <ReasonDialog
        open={!!rejecting}
        title={t('approvals.rejectTitle')}
        okText={t('approvals.reject')}
        label={t('approvals.reason')}
        requiredMessage={t('approvals.reasonRequired')}
        intro={
          rejecting &&
          t('approvals.rejectText', {
            amount: fmt.money(rejecting.payment.amount, rejecting.payment.currency),
            name: text(rejecting.payment.beneficiarySnapshot?.name) ?? rejecting.payment.beneficiaryId,
          })
        }
        pending={decide.isPending}
        error={rejecting ? decide.error : null}
        onSubmit={(comment) => rejecting && decide.mutate({ row: rejecting, outcome: 'reject', comment })}
        onClose={() => setRejecting(null)}
      />
    </Card>
  );
}

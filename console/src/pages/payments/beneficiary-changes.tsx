// A beneficiary's proposed bank details, newest first, and — for a person with payments:approve who
// did not propose it — approve or reject the open one. The server refuses the proposer (four eyes);
// the page shows that answer as it is.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idempotencyKey, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import { ReasonDialog } from './reason-dialog';
import { EmptyText, accountText, type BeneficiaryChange, type BeneficiaryDetail } from './shared';

type Decision = 'approve' | 'reject';
const COLOR: Record<BeneficiaryChange['status'], string | undefined> = {
  proposed: 'warning',
  approved: 'success',
  rejected: 'default',
};

export function BankDetailsChanges({ beneficiary }: { beneficiary: BeneficiaryDetail }) {
  const { t } = useTranslation('payments-work');
  const fmt = useFormat();
  const { can } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [rejecting, setRejecting] = useState<BeneficiaryChange | null>(null);
  const decide = useMutation({
    mutationFn: ({ change, decision, reason }: { change: BeneficiaryChange; decision: Decision; reason?: string }) => {
      const params = {
        path: { id: beneficiary.id, changeId: change.id },
        header: { 'idempotency-key': idempotencyKey() },
      };
      return decision === 'approve'
        ? unwrap(api.POST('/beneficiaries/{id}/changes/{changeId}/approve', { params, body: {} }))
        : unwrap(api.POST('/beneficiaries/{id}/changes/{changeId}/reject', { params, body: { reason: reason ?? '' } }));
    },
    onSuccess: async (_answer, { decision }) => {
      setRejecting(null);
      void message.success(t(decision === 'approve' ? 'changes.approved' : 'changes.rejected'));
      await client.invalidateQueries({ queryKey: ['payments'] });
    },
  });
  const changes = [...beneficiary.changes].reverse();
  // The decide column only while there is something this person may decide.
  const deciding = can('payments:approve') && changes.some((c) => c.status === 'proposed');
  return (
    <>
      {!rejecting && <ErrorAlert error={decide.error} />}
      <Table<BeneficiaryChange>
        size="small"
        pagination={false}
        rowKey="id"
        aria-label={t('changes.title')}
        dataSource={changes}
        locale={{ emptyText: <EmptyText text={t('changes.none')} /> }}
        columns={[
          {
            title: t('changes.details'),
            key: 'details',
            render: (_, c) => (
              <Space direction="vertical" size={0}>
                <strong style={{ whiteSpace: 'nowrap' }}>{c.bankDetails ? accountText(c.bankDetails) : '—'}</strong>
                <Typography.Text type="secondary">
                  {[c.bankDetails?.bic, c.bankDetails?.country].filter(Boolean).join(' · ')}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: t('changes.proposed'),
            key: 'proposed',
            render: (_, c) => t('by', { at: fmt.dateTime(c.proposedAt), by: c.proposedBy }),
          },
          {
            title: t('changes.status'),
            key: 'status',
            render: (_, c) => <Tag color={COLOR[c.status]}>{t(`changeStatus.${c.status}`)}</Tag>,
          },
          {
            title: t('changes.decided'),
            key: 'decided',
            render: (_, c) => (
              <Space direction="vertical" size={0}>
                <span>{c.decidedAt ? t('by', { at: fmt.dateTime(c.decidedAt), by: c.decidedBy }) : '—'}</span>
                {c.reason && <Typography.Text type="secondary">{c.reason}</Typography.Text>}
              </Space>
            ),
          },
          ...(!deciding
            ? []
            : [
                {
                  title: t('changes.actions'),
                  key: 'actions',
                  render: (_: unknown, c: BeneficiaryChange) =>
                    c.status === 'proposed' && (
                      <IfAllowed permission="payments:approve">
                        <Space>
                          <Button
                            type="primary"
                            size="small"
                            loading={decide.isPending && decide.variables.change === c}
                            onClick={() => decide.mutate({ change: c, decision: 'approve' })}
                          >
                            {t('changes.approve')}
                          </Button>
                          <Button
                            danger
                            size="small"
                            onClick={() => {
                              decide.reset();
                              setRejecting(c);
                            }}
                          >
                            {t('changes.reject')}
                          </Button>
                        </Space>
                      </IfAllowed>
                    ),
                },
              ]),
        ]}
      />
      <ReasonDialog
        open={!!rejecting}
        title={t('changes.rejectTitle')}
        okText={t('changes.reject')}
        label={t('changes.reason')}
        requiredMessage={t('changes.reasonRequired')}
        pending={decide.isPending}
        error={rejecting ? decide.error : null}
        onSubmit={(reason) => rejecting && decide.mutate({ change: rejecting, decision: 'reject', reason })}
        onClose={() => setRejecting(null)}
      />
    </>
  );
}

// Four-eyes changes awaiting review: a decision (or workflow, or role grant) proposed by one person
// takes effect when a second person approves it. The proposer cannot approve their own: the button
// says why, and the server refuses it anyway (409 separation_of_duties).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Checkbox, Input, Space, Tooltip } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import { diffDecisions } from './diff';
import { LINK } from '../workflows/tone';
import { expandIcon, ToneTag } from '../workflows/tone';

type Change = components['schemas']['ChangeRequest'];

export function ChangesPage({ tabs }: { tabs: ReactNode }) {
  const { t } = useTranslation('decisions');
  const format = useFormat();
  const [all, setAll] = useState(false);
  const changes = useQuery({
    queryKey: ['changes', all],
    queryFn: () =>
      unwrap(api.GET('/changes', { params: { query: { limit: 100, ...(all ? {} : { status: 'proposed' }) } } })),
    refetchInterval: 15_000,
  });
  return (
    <>
      <PageHeader title={t('changes.title')} />
      {tabs}
      <Space style={{ marginBottom: 12 }}>
        <Checkbox checked={all} onChange={(e) => setAll(e.target.checked)}>
          {t('changes.showAll')}
        </Checkbox>
      </Space>
      <ErrorAlert error={changes.error} />
      <KeyTable<Change>
        label={t('changes.label')}
        rowKey={(c) => c.id}
        loading={changes.isLoading}
        dataSource={changes.data?.data}
        locale={{ emptyText: t('changes.none') }}
        expandable={{
          expandIcon: expandIcon({ expand: t('changes.expand'), collapse: t('changes.collapse') }),
          expandedRowRender: (c) => <ChangeDetail change={c} />,
          rowExpandable: (c) => c.kind === 'decision',
        }}
        columns={[
          { title: 'Id', dataIndex: 'id', render: (id: string) => <code>{id}</code> },
          { title: t('changes.kind'), dataIndex: 'kind', render: (k: Change['kind']) => t(`changes.kinds.${k}`) },
          {
            title: t('changes.target'),
            dataIndex: 'target',
            render: (target: string, c) =>
              c.kind === 'decision' ? (
                <Link style={LINK} to={`/decisions/${encodeURIComponent(target)}`}>
                  {target}
                </Link>
              ) : (
                target
              ),
          },
          { title: t('changes.proposedBy'), dataIndex: 'proposedActor' },
          { title: t('changes.proposedAt'), dataIndex: 'proposedAt', render: (v: string) => format.dateTime(v) },
          { title: t('changes.reason'), dataIndex: 'reason', render: (v: string | null) => v ?? '—' },
          {
            title: t('changes.status'),
            dataIndex: 'status',
            render: (s: Change['status'], c) => (
              <Space direction="vertical" size={0}>
                <ToneTag tone={s === 'proposed' ? 'orange' : s === 'approved' ? 'green' : 'grey'}>
                  {t(`changes.statuses.${s}`)}
                </ToneTag>
                {c.decidedActor && <small>{c.decidedActor}</small>}
              </Space>
            ),
          },
          {
            title: '',
            key: 'review',
            render: (_: unknown, c) =>
              c.status === 'proposed' ? (
                <IfAllowed permission="changes:review">
                  <Review change={c} />
                </IfAllowed>
              ) : null,
          },
        ]}
      />
    </>
  );
}

function ChangeDetail({ change }: { change: Change }) {
  const { t } = useTranslation('decisions');
  const active = useQuery({
    queryKey: ['decisions', change.target],
    queryFn: () => unwrap(api.GET('/decisions/{key}', { params: { path: { key: change.target }, query: {} } })),
    retry: false,
  });
  const diff = active.data ? diffDecisions(active.data.content, change.payload.content) : [];
  return (
    <div>
      <strong>{t('diff.title')}</strong>
      <ul style={{ margin: '4px 0' }}>
        {diff.map((d) => (
          <li key={d.path}>
            <code>{d.path}</code>: <del>{JSON.stringify(d.before)}</del> → <ins>{JSON.stringify(d.after)}</ins>
          </li>
        ))}
      </ul>
      {change.result !== null && change.result !== undefined && (
        <div>
          {t('changes.result')}: <code>{JSON.stringify(change.result)}</code>
        </div>
      )}
    </div>
  );
}

function Review({ change }: { change: Change }) {
  const { t } = useTranslation('decisions');
  const { session } = useSession();
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [reason, setReason] = useState('');
  const own = session?.user.id === change.proposedBy;
  const decide = useMutation({
    mutationFn: (verb: 'approve' | 'reject') => {
      const init = {
        params: { path: { id: change.id } },
        body: reason.trim() ? { reason: reason.trim() } : {},
      };
      return unwrap(
        verb === 'approve' ? api.POST('/changes/{id}/approve', init) : api.POST('/changes/{id}/reject', init),
      );
    },
    onSuccess: (decided) => {
      void message.success(decided.status === 'approved' ? t('changes.approved') : t('changes.rejected'));
      void client.invalidateQueries({ queryKey: ['changes'] });
      void client.invalidateQueries({ queryKey: ['decisions'] });
    },
  });
  return (
    <Space direction="vertical" size={4}>
      <Input
        size="small"
        aria-label={`${t('changes.decisionReason')} ${change.id}`}
        placeholder={t('changes.decisionReason')}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <Space size={4}>
        <Tooltip title={own ? t('changes.ownChange') : undefined}>
          <Button
            size="small"
            type="primary"
            disabled={own}
            loading={decide.isPending && decide.variables === 'approve'}
            onClick={() => decide.mutate('approve')}
          >
            {t('changes.approve')}
          </Button>
        </Tooltip>
        <Button
          size="small"
          danger
          loading={decide.isPending && decide.variables === 'reject'}
          onClick={() => decide.mutate('reject')}
        >
          {t('changes.reject')}
        </Button>
      </Space>
      {own && <small>{t('changes.ownChange')}</small>}
      <ErrorAlert error={decide.error} />
    </Space>
  );
}

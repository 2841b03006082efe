// Decisions: the list with versions, one decision in the JDM editor (simulate, diff, propose), and
// the four-eyes changes awaiting review.
import './locales';
import { useQuery } from '@tanstack/react-query';
import { Badge, Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { RequirePermission } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import { ChangesPage } from './changes';
import { DecisionEditorPage } from './editor';
import { LINK } from '../workflows/tone';

type Summary = components['schemas']['DecisionSummary'];

function SectionTabs() {
  const { t } = useTranslation('decisions');
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const pending = useQuery({
    queryKey: ['changes', false],
    queryFn: () => unwrap(api.GET('/changes', { params: { query: { status: 'proposed', limit: 100 } } })),
  });
  const count = pending.data?.data.length ?? 0;
  return (
    <Tabs
      aria-label={t('tabs.label')}
      activeKey={pathname.startsWith('/decisions/changes') ? 'changes' : 'decisions'}
      onChange={(key) => void navigate(key === 'changes' ? '/decisions/changes' : '/decisions')}
      items={[
        { key: 'decisions', label: t('tabs.decisions') },
        {
          key: 'changes',
          label: (
            <span>
              {t('tabs.changes')} {count > 0 && <Badge count={count} color="#a15c07" />}
            </span>
          ),
        },
      ]}
      style={{ marginBottom: 8 }}
    />
  );
}

function DecisionsList({ tabs }: { tabs: React.ReactNode }) {
  const { t } = useTranslation('decisions');
  const format = useFormat();
  const navigate = useNavigate();
  const list = useQuery({ queryKey: ['decisions'], queryFn: () => unwrap(api.GET('/decisions')) });
  return (
    <>
      <PageHeader title={t('title')} />
      {tabs}
      <ErrorAlert error={list.error} />
      <KeyTable<Summary>
        label={t('list.label')}
        rowKey={(d) => d.key}
        loading={list.isLoading}
        dataSource={list.data?.data}
        onOpen={(d) => void navigate(`/decisions/${encodeURIComponent(d.key)}`)}
        columns={[
          {
            title: t('list.key'),
            dataIndex: 'key',
            render: (key: string) => (
              <Link style={LINK} to={`/decisions/${encodeURIComponent(key)}`}>
                {key}
              </Link>
            ),
          },
          { title: t('list.version'), dataIndex: 'version', render: (v: number) => `v${v}` },
          { title: t('list.createdAt'), dataIndex: 'createdAt', render: (v: string) => format.dateTime(v) },
          { title: t('list.createdBy'), dataIndex: 'createdBy' },
        ]}
      />
    </>
  );
}

export default function DecisionsArea() {
  const tabs = <SectionTabs />;
  return (
    <RequirePermission permission="workflows:read">
      <Routes>
        <Route index element={<DecisionsList tabs={tabs} />} />
        <Route path="changes" element={<ChangesPage tabs={tabs} />} />
        <Route path=":key" element={<DecisionEditorPage tabs={tabs} />} />
        <Route path="*" element={<Navigate to="/decisions" replace />} />
      </Routes>
    </RequirePermission>
  );
}

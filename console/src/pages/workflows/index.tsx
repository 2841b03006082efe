// Workflows (operations): definitions with their versions and graphs, instances with filters and
// bulk actions, and one instance with its tokens on the graph, its timeline and operator actions.
import './locales';
import { Tabs } from 'antd';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { RequirePermission } from '../../components/guard';
import { DefinitionPage, DefinitionsPage } from './definitions';
import { InstancePage } from './instance';
import { InstancesPage } from './instances';

function SectionTabs() {
  const { t } = useTranslation('workflows');
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const active = pathname.startsWith('/workflows/instances') ? 'instances' : 'definitions';
  return (
    <Tabs
      aria-label={t('tabs.label')}
      activeKey={active}
      onChange={(key) => void navigate(key === 'instances' ? '/workflows/instances' : '/workflows')}
      items={[
        { key: 'definitions', label: t('tabs.definitions') },
        { key: 'instances', label: t('tabs.instances') },
      ]}
      style={{ marginBottom: 8 }}
    />
  );
}

export default function WorkflowsArea() {
  const tabs = <SectionTabs />;
  return (
    <RequirePermission permission="workflows:read">
      <Routes>
        <Route index element={<DefinitionsPage tabs={tabs} />} />
        <Route path="definitions/:key" element={<DefinitionPage tabs={tabs} />} />
        <Route path="instances" element={<InstancesPage tabs={tabs} />} />
        <Route path="instances/:id" element={<InstancePage tabs={tabs} />} />
        <Route path="*" element={<Navigate to="/workflows" replace />} />
      </Routes>
    </RequirePermission>
  );
}

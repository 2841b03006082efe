// Administration: one section per thing an installation is set up with, each shown only to those
// whose permissions allow it (the sub-menu lists only those), at /admin/<section>.
import './locales';
import { Menu, Result } from 'antd';
import { lazy, Suspense, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { PageHeader } from '../../components/page';
import { useSession, type Permission } from '../../session/session';

interface Section {
  path: string;
  label: string;
  anyOf: Permission[];
  page: ComponentType;
}

const SECTIONS: Section[] = [
  { path: 'users', label: 'sections.users', anyOf: ['users:manage'], page: lazy(() => import('./users')) },
  { path: 'api-keys', label: 'sections.apiKeys', anyOf: ['apikeys:manage'], page: lazy(() => import('./api-keys')) },
  {
    path: 'webhooks',
    label: 'sections.webhooks',
    anyOf: ['webhooks:manage', 'workflows:operate'],
    page: lazy(() => import('./webhooks')),
  },
  {
    path: 'templates',
    label: 'sections.templates',
    anyOf: ['channels:write'],
    page: lazy(() => import('./templates')),
  },
  { path: 'queues', label: 'sections.queues', anyOf: ['decisions:manage'], page: lazy(() => import('./queues')) },
  {
    path: 'calendars',
    label: 'sections.calendars',
    anyOf: ['decisions:manage'],
    page: lazy(() => import('./calendars')),
  },
  {
    path: 'settings',
    label: 'sections.settings',
    anyOf: ['decisions:manage', 'receivables:write', 'channels:write'],
    page: lazy(() => import('./settings')),
  },
];

export default function AdminArea() {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const { can } = useSession();
  const location = useLocation();
  const sections = SECTIONS.filter((s) => s.anyOf.some((p) => can(p)));
  if (sections.length === 0) return <Result status="403" title="403" subTitle={tc('states.forbidden')} />;
  const current = sections.find((s) => location.pathname.startsWith(`/admin/${s.path}`));
  return (
    <div>
      <PageHeader title={current ? `${t('title')} · ${t(current.label)}` : t('title')} />
      <nav aria-label={t('sections.label')} style={{ marginBottom: 16 }}>
        <Menu
          mode="horizontal"
          selectedKeys={current ? [current.path] : []}
          items={sections.map((s) => ({ key: s.path, label: <Link to={`/admin/${s.path}`}>{t(s.label)}</Link> }))}
          style={{ background: 'transparent' }}
        />
      </nav>
      <Suspense fallback={null}>
        <Routes>
          <Route index element={<Navigate to={`/admin/${sections[0].path}`} replace />} />
          {sections.map((s) => (
            <Route key={s.path} path={`${s.path}/*`} element={<s.page />} />
          ))}
          <Route path="*" element={<Result status="404" title="404" subTitle={tc('states.notFound')} />} />
        </Routes>
      </Suspense>
    </div>
  );
}

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider, Result, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import esES from 'antd/locale/es_ES';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense, useEffect, type ComponentType } from 'react';
import { useTranslation } from 'react-i18next';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { i18next, type Language } from '../i18n/i18n';
import { SignInPage } from '../pages/sign-in/sign-in-page';
import { AREA_LOADERS } from './areas';
import { SessionProvider, useSession } from '../session/session';
import { Shell } from './layout';

const ANTD_LOCALES = { en: enUS, es: esES, 'zh-CN': zhCN } as const;

const AREAS: Array<[string, ComponentType]> = [...AREA_LOADERS].map(([path, load]) => [path, lazy(load)]);

// antd's grey secondary text falls short of WCAG AA contrast (4.5:1) on the light background.
const THEME = {
  token: {
    colorPrimary: '#0b5cad',
    colorLink: '#0b5cad',
    borderRadius: 6,
    colorTextSecondary: '#595959',
    colorTextTertiary: '#595959',
    colorTextDescription: '#595959',
    colorTextPlaceholder: '#6b6b6b',
    colorError: '#b42318',
    colorSuccess: '#2b7a0b',
    colorWarning: '#a15c07',
    // antd derives the alert backgrounds from the seed colours; from these dark seeds it derives murky
    // ones (success #b0baa8) that links on them fail contrast. Light tints, set by hand:
    colorSuccessBg: '#f1f8ec',
    colorSuccessBgHover: '#e3f0d9',
    colorSuccessBorder: '#b5d6a0',
    colorWarningBg: '#fdf6e7',
    colorWarningBgHover: '#faebc8',
    colorWarningBorder: '#e8c98a',
    colorErrorBg: '#fdf1f0',
    colorErrorBgHover: '#fbe0dd',
    colorErrorBorder: '#f0b4ae',
  },
};

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { staleTime: 10_000, refetchOnWindowFocus: false, retry: 1 },
  },
});

function Loading() {
  return (
    <div style={{ padding: 48, textAlign: 'center' }}>
      <Spin size="large" />
    </div>
  );
}

function Home() {
  const { can } = useSession();
  return <Navigate to={can('tasks:work') ? '/my-work' : '/dashboards'} replace />;
}

function NotFound() {
  const { t } = useTranslation();
  return <Result status="404" title="404" subTitle={t('states.notFound')} />;
}

/** Signed in and past every pending step: the console; otherwise the sign-in page and its steps. */
function Gate() {
  const { session, loading } = useSession();
  const { i18n } = useTranslation();
  const language = session?.user.locale;
  useEffect(() => {
    if (language && i18n.language !== language) void i18next.changeLanguage(language);
  }, [language, i18n]);
  useEffect(() => {
    document.documentElement.lang = i18n.language;
  }, [i18n.language]);
  if (loading) return <Loading />;
  if (!session || session.pending) return <SignInPage />;
  return (
    <Suspense fallback={<Loading />}>
      <Routes>
        <Route element={<Shell />}>
          <Route index element={<Home />} />
          {AREAS.map(([path, Area]) => (
            <Route key={path} path={`${path}/*`} element={<Area />} />
          ))}
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

function Localized() {
  const { i18n } = useTranslation();
  const locale = ANTD_LOCALES[i18n.language as Language] ?? enUS;
  return (
    <ConfigProvider locale={locale} theme={THEME}>
      <AntApp>
        <Gate />
      </AntApp>
    </ConfigProvider>
  );
}

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <SessionProvider>
          <Localized />
        </SessionProvider>
      </BrowserRouter>
    </QueryClientProvider>
  );
}

import { Avatar, Button, Dropdown, Flex, Layout, Menu, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useSession } from '../session/session';
import { GlobalSearch } from './global-search';
import { NAV } from './nav';

/** The frame around every signed-in page: the menu of what the person may open, search, and their menu. */
export function Shell() {
  const { t } = useTranslation();
  const { session, can, signOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const items = NAV.filter((item) => item.anyOf.some((p) => can(p)));
  const selected = items.find((item) => location.pathname.startsWith(item.path))?.path;
  const name = session?.user.name ?? '';
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a className="ff-skip-link" href="#main">
        {t('shell.skipToContent')}
      </a>
      <Layout.Sider
        width={216}
        theme="light"
        breakpoint="lg"
        collapsedWidth={0}
        style={{ borderRight: '1px solid #e5e7eb' }}
      >
        <Link to="/" className="ff-brand" aria-label="finflow home">
          finflow
        </Link>
        <nav aria-label={t('shell.mainNavigation')}>
          <Menu
            mode="inline"
            selectedKeys={selected ? [selected] : []}
            items={items.map((item) => ({ key: item.path, label: <Link to={item.path}>{t(item.label)}</Link> }))}
          />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header className="ff-header">
          <Flex align="center" justify="space-between" gap={16} style={{ height: '100%' }}>
            <GlobalSearch />
            <Dropdown
              menu={{
                items: [
                  { key: 'profile', label: t('shell.profile'), onClick: () => void navigate('/profile') },
                  {
                    key: 'sign-out',
                    label: t('shell.signOut'),
                    onClick: () => void signOut().then(() => navigate('/')),
                  },
                ],
              }}
            >
              <Button type="text">
                <Avatar size="small" aria-hidden style={{ background: '#0b5cad' }}>
                  {name.slice(0, 1).toUpperCase()}
                </Avatar>
                <Typography.Text style={{ marginLeft: 8 }}>{name}</Typography.Text>
              </Button>
            </Dropdown>
          </Flex>
        </Layout.Header>
        <Layout.Content id="main" tabIndex={-1} style={{ padding: 24 }}>
          <Outlet />
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

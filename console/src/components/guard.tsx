import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession, type Permission } from '../session/session';

/** Renders children only when the session holds the permission; otherwise says why not. */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useSession();
  const { t } = useTranslation();
  if (!can(permission)) return <Result status="403" title="403" subTitle={t('states.forbidden')} />;
  return <>{children}</>;
}

/** Shows a write control only to those who may use it: a viewer sees no write buttons. */
export function IfAllowed({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { can } = useSession();
  return can(permission) ? <>{children}</> : null;
}

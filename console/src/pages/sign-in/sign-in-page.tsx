// Signing in, step by step as the server's session says: password, then whichever step is pending
// (a new password for a one-time one, the TOTP code, or enrolling TOTP when a role requires it).
import { Button, Card, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, setCsrfToken, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { useSession, type Session } from '../../session/session';
import { MfaEnrollment } from './mfa-enrollment';

export function SignInPage() {
  const { t } = useTranslation();
  const { session } = useSession();
  const step = session?.pending ?? 'password';
  return (
    <main className="ff-sign-in">
      <Card style={{ width: 420, margin: '10vh auto' }}>
        <Typography.Title level={1} style={{ fontSize: 22 }}>
          {t('signIn.title')}
        </Typography.Title>
        {step === 'password' && <PasswordStep />}
        {step === 'mfa' && <CodeStep />}
        {step === 'password_change' && <NewPasswordStep />}
        {step === 'mfa_enrollment' && <MfaEnrollment />}
      </Card>
    </main>
  );
}

/** Runs one sign-in call: shows its error, or hands the new session to the context. */
function useStep<V>(call: (values: V) => Promise<Session>) {
  const { update } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (values: V) => {
    setBusy(true);
    setError(null);
    try {
      const next = await call(values);
      setCsrfToken(next.csrfToken);
      update(next);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit };
}

function PasswordStep() {
  const { t } = useTranslation();
  const step = useStep((body: { email: string; password: string }) => unwrap(api.POST('/session', { body })));
  return (
    <Form
      layout="vertical"
      onFinish={(v: { email: string; password: string }) => void step.submit(v)}
      requiredMark={false}
    >
      <Form.Item label={t('signIn.email')} name="email" rules={[{ required: true }]}>
        <Input type="email" autoComplete="username" autoFocus />
      </Form.Item>
      <Form.Item label={t('signIn.password')} name="password" rules={[{ required: true }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <ErrorAlert error={step.error} />
      <Button type="primary" htmlType="submit" block loading={step.busy} style={{ marginTop: 16 }}>
        {t('signIn.submit')}
      </Button>
    </Form>
  );
}

function CodeStep() {
  const { t } = useTranslation();
  const [recovery, setRecovery] = useState(false);
  const step = useStep((body: { code?: string; recoveryCode?: string }) => unwrap(api.POST('/session/mfa', { body })));
  return (
    <Form
      layout="vertical"
      onFinish={(v: { code?: string; recoveryCode?: string }) => void step.submit(v)}
      requiredMark={false}
    >
      {recovery ? (
        <Form.Item label={t('signIn.recoveryCode')} name="recoveryCode" rules={[{ required: true }]}>
          <Input autoComplete="off" autoFocus />
        </Form.Item>
      ) : (
        <Form.Item label={t('signIn.code')} name="code" help={t('signIn.codeHelp')} rules={[{ required: true }]}>
          <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
        </Form.Item>
      )}
      <ErrorAlert error={step.error} />
      <Button type="primary" htmlType="submit" block loading={step.busy} style={{ marginTop: 16 }}>
        {t('signIn.verify')}
      </Button>
      <Button type="link" onClick={() => setRecovery(!recovery)} style={{ paddingLeft: 0 }}>
        {recovery ? t('signIn.code') : t('signIn.useRecoveryCode')}
      </Button>
    </Form>
  );
}

function NewPasswordStep() {
  const { t } = useTranslation();
  const step = useStep((body: { currentPassword: string; newPassword: string }) =>
    unwrap(api.POST('/session/password', { body })),
  );
  return (
    <Form
      layout="vertical"
      onFinish={(v: { currentPassword: string; newPassword: string }) => void step.submit(v)}
      requiredMark={false}
    >
      <Typography.Paragraph>{t('signIn.passwordChangeRequired')}</Typography.Paragraph>
      <Form.Item label={t('signIn.currentPassword')} name="currentPassword" rules={[{ required: true }]}>
        <Input.Password autoComplete="current-password" autoFocus />
      </Form.Item>
      <Form.Item label={t('signIn.newPassword')} name="newPassword" rules={[{ required: true }]}>
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <ErrorAlert error={step.error} />
      <Button type="primary" htmlType="submit" block loading={step.busy} style={{ marginTop: 16 }}>
        {t('signIn.changePassword')}
      </Button>
    </Form>
  );
}

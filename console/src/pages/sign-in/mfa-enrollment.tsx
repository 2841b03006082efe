// Enrolling TOTP: a new secret shown as a QR code and as text, confirmed with one code; then the
// ten recovery codes, shown once, before the session continues. Used at sign-in and from the profile.
import { Alert, Button, Form, Input, Spin, Typography } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { useSession, type Session } from '../../session/session';

export function MfaEnrollment({ onDone }: { onDone?: () => void }) {
  const { t } = useTranslation();
  const { update } = useSession();
  const enrollment = useQuery({
    queryKey: ['mfa-enrollment'],
    queryFn: () => unwrap(api.POST('/session/mfa/enrollment')),
    staleTime: Infinity,
    gcTime: 0,
    retry: false,
  });
  const [done, setDone] = useState<{ codes: string[]; session: Session } | null>(null);
  const confirm = useMutation({
    mutationFn: (code: string) => unwrap(api.POST('/session/mfa/enrollment/confirm', { body: { code } })),
    onSuccess: (result) => setDone({ codes: result.recoveryCodes, session: result.session }),
  });

  if (done) {
    return (
      <div>
        <Typography.Title level={2} style={{ fontSize: 18 }}>
          {t('signIn.recoveryCodesTitle')}
        </Typography.Title>
        <Alert type="warning" showIcon message={t('signIn.recoveryCodesHelp')} style={{ marginBottom: 12 }} />
        <pre aria-label={t('signIn.recoveryCodesTitle')} style={{ columns: 2, background: '#f5f6f8', padding: 12 }}>
          {done.codes.join('\n')}
        </pre>
        <Button
          type="primary"
          block
          onClick={() => {
            update(done.session);
            onDone?.();
          }}
        >
          {t('signIn.continue')}
        </Button>
      </div>
    );
  }
  if (enrollment.isPending) return <Spin />;
  if (enrollment.error) return <ErrorAlert error={enrollment.error} />;
  const { qrSvg, secret } = enrollment.data;
  return (
    <Form layout="vertical" onFinish={(v: { code: string }) => confirm.mutate(v.code)} requiredMark={false}>
      <Typography.Title level={2} style={{ fontSize: 18 }}>
        {t('signIn.enrollTitle')}
      </Typography.Title>
      <Typography.Paragraph>{t('signIn.enrollHelp')}</Typography.Paragraph>
      <img
        src={`data:image/svg+xml;utf8,${encodeURIComponent(qrSvg)}`}
        alt="QR code"
        width={200}
        height={200}
        style={{ display: 'block', margin: '0 auto 12px' }}
      />
      <Typography.Paragraph>
        {t('signIn.enrollSecret')}:{' '}
        <Typography.Text code copyable data-testid="totp-secret">
          {secret}
        </Typography.Text>
      </Typography.Paragraph>
      <Form.Item label={t('signIn.code')} name="code" rules={[{ required: true }]}>
        <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
      </Form.Item>
      <ErrorAlert error={confirm.error} />
      <Button type="primary" htmlType="submit" block loading={confirm.isPending} style={{ marginTop: 16 }}>
        {t('signIn.enrollConfirm')}
      </Button>
    </Form>
  );
}

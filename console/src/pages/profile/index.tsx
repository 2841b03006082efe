// A person's own settings: name, language and time zone (the console formats every date in it),
// two-factor authentication, password, and signing out of every session.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Descriptions, Form, Input, Modal, Select, Space, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page';
import { LANGUAGE_NAMES, LANGUAGES } from '../../i18n/i18n';
import { useSession } from '../../session/session';
import { MfaEnrollment } from '../sign-in/mfa-enrollment';

interface ProfileForm {
  name: string;
  locale: string;
  timeZone: string;
}

export default function ProfilePage() {
  const { t } = useTranslation();
  const { session, update } = useSession();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [enrolling, setEnrolling] = useState(false);
  const zones = useMemo(() => Intl.supportedValuesOf('timeZone').map((z) => ({ value: z, label: z })), []);
  const save = useMutation({
    mutationFn: (body: ProfileForm) => unwrap(api.PATCH('/me', { body })),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['session'] });
      void message.success(t('profile.saved'));
    },
  });
  const password = useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) =>
      unwrap(api.POST('/session/password', { body })),
    onSuccess: (next) => {
      update(next);
      void message.success(t('profile.passwordChanged'));
    },
  });
  const everywhere = useMutation({
    mutationFn: () => unwrap(api.POST('/session/sign-out-everywhere')),
    onSuccess: () => update(null),
  });
  if (!session) return null;
  const user = session.user;
  return (
    <div style={{ maxWidth: 720 }}>
      <PageHeader title={t('profile.title')} sub={user.email} />
      <Card style={{ marginBottom: 16 }}>
        <Form<ProfileForm>
          layout="vertical"
          initialValues={{ name: user.name, locale: user.locale, timeZone: user.timeZone }}
          onFinish={(values) => save.mutate(values)}
        >
          <Form.Item label={t('profile.name')} name="name" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item label={t('profile.language')} name="locale">
            <Select options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
          </Form.Item>
          <Form.Item label={t('profile.timeZone')} name="timeZone">
            <Select showSearch options={zones} />
          </Form.Item>
          <ErrorAlert error={save.error} />
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t('profile.save')}
          </Button>
        </Form>
      </Card>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t('profile.security')}</h2>} style={{ marginBottom: 16 }}>
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t('profile.roles')}>
            <Space wrap>
              {user.roles.map((r) => (
                <Tag key={r}>{r}</Tag>
              ))}
            </Space>
          </Descriptions.Item>
          <Descriptions.Item label={t('profile.mfa')}>
            {session.mfaEnrolled ? (
              <Tag color="green">{t('profile.mfaOn')}</Tag>
            ) : (
              <Space>
                <Tag>{t('profile.mfaOff')}</Tag>
                <Button size="small" onClick={() => setEnrolling(true)}>
                  {t('profile.mfaEnroll')}
                </Button>
              </Space>
            )}
          </Descriptions.Item>
        </Descriptions>
        <Typography.Title level={3} style={{ fontSize: 15, marginTop: 16 }}>
          {t('signIn.changePassword')}
        </Typography.Title>
        <Form layout="vertical" onFinish={(v: { currentPassword: string; newPassword: string }) => password.mutate(v)}>
          <Form.Item label={t('signIn.currentPassword')} name="currentPassword" rules={[{ required: true }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item label={t('signIn.newPassword')} name="newPassword" rules={[{ required: true }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <ErrorAlert error={password.error} />
          <Button htmlType="submit" loading={password.isPending}>
            {t('signIn.changePassword')}
          </Button>
        </Form>
      </Card>
      <Card>
        <Typography.Paragraph>{t('profile.signOutEverywhereHelp')}</Typography.Paragraph>
        <ErrorAlert error={everywhere.error} />
        <Button danger onClick={() => everywhere.mutate()} loading={everywhere.isPending}>
          {t('profile.signOutEverywhere')}
        </Button>
      </Card>
      <Modal
        open={enrolling}
        footer={null}
        onCancel={() => setEnrolling(false)}
        destroyOnClose
        title={t('profile.mfa')}
      >
        <MfaEnrollment onDone={() => setEnrolling(false)} />
      </Modal>
    </div>
  );
}

// Users and roles: list (by email, paged by the server, searched by name or email), create (the
// one-time password shown once), disable, reset password or MFA, and change roles — under four eyes a
// role change is a proposal a second person approves, and the list shows which users have one waiting.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat } from '../../i18n/format';
import { LANGUAGE_NAMES, LANGUAGES } from '../../i18n/i18n';
import { useSession } from '../../session/session';
import { ROLES, type Role } from './roles';
import { CardTitle, ShownOnce, showFieldErrors, StatusTag } from './shared';

type User = components['schemas']['User'];
type Change = components['schemas']['ChangeRequest'];

const roleOptions = ROLES.map((r) => ({ value: r, label: r }));

interface CreateForm {
  email: string;
  name: string;
  roles: Role[];
  locale?: string;
  timeZone?: string;
}

function CreateUser({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const client = useQueryClient();
  const [form] = Form.useForm<CreateForm>();
  const zones = useMemo(() => Intl.supportedValuesOf('timeZone').map((z) => ({ value: z, label: z })), []);
  const create = useMutation({
    mutationFn: (body: CreateForm) => unwrap(api.POST('/users', { body })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['admin', 'users'] }),
    onError: (error) => showFieldErrors(form, error, ['email', 'name', 'roles', 'locale', 'timeZone']),
  });
  const created = create.data;
  if (created) {
    return (
      <div>
        <Typography.Paragraph>{t('users.created', { email: created.email })}</Typography.Paragraph>
        <ShownOnce
          label={t('users.oneTimePassword')}
          value={created.oneTimePassword}
          extra={<div>{t('users.oneTimePasswordHelp')}</div>}
        />
        {created.pendingChange && (
          <Alert type="info" showIcon message={t('users.pendingChange', { id: created.pendingChange })} />
        )}
        <Button type="primary" style={{ marginTop: 16 }} onClick={onClose}>
          {tc('actions.close')}
        </Button>
      </div>
    );
  }
  return (
    <Form<CreateForm>
      form={form}
      layout="vertical"
      initialValues={{ locale: 'en', timeZone: 'UTC', roles: [] }}
      onFinish={(values) => create.mutate(values)}
    >
      <Form.Item label={t('users.email')} name="email" rules={[{ required: true, type: 'email' }]}>
        <Input autoComplete="off" />
      </Form.Item>
      <Form.Item label={t('users.name')} name="name" rules={[{ required: true, max: 200 }]}>
        <Input autoComplete="off" />
      </Form.Item>
      <Form.Item label={t('users.roles')} name="roles" rules={[{ required: true, type: 'array', min: 1 }]}>
        <Select mode="multiple" options={roleOptions} />
      </Form.Item>
      <Form.Item label={t('users.locale')} name="locale">
        <Select options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))} />
      </Form.Item>
      <Form.Item label={t('users.timeZone')} name="timeZone">
        <Select showSearch options={zones} />
      </Form.Item>
      <ErrorAlert error={create.error} />
      <Space style={{ marginTop: 12 }}>
        <Button type="primary" htmlType="submit" loading={create.isPending}>
          {t('common.create')}
        </Button>
        <Button onClick={onClose}>{tc('actions.cancel')}</Button>
      </Space>
    </Form>
  );
}

function ChangeRoles({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ roles: Role[]; reason?: string }>();
  const [proposal, setProposal] = useState<Change | null>(null);
  const change = useMutation({
    mutationFn: async ({ roles, reason }: { roles: Role[]; reason?: string }) => {
      try {
        await unwrap(api.PUT('/users/{user}/roles', { params: { path: { user: user.id } }, body: { roles } }));
        return null;
      } catch (error) {
        // Four eyes: the change becomes a proposal a second person approves.
        if (!(error instanceof ApiError) || error.code !== 'change_approval_required') throw error;
        return unwrap(
          api.POST('/changes/user-roles/{user}', {
            params: { path: { user: user.id } },
            body: { roles, ...(reason ? { reason } : {}) },
          }),
        );
      }
    },
    onSuccess: (proposed) => {
      void client.invalidateQueries({ queryKey: ['admin', 'users'] });
      void client.invalidateQueries({ queryKey: ['admin', 'role-changes'] });
      if (proposed) setProposal(proposed);
      else {
        void message.success(t('users.rolesSaved'));
        onClose();
      }
    },
    onError: (error) => showFieldErrors(form, error, ['roles', 'reason']),
  });
  if (proposal) {
    return (
      <div>
        <Alert
          type="info"
          showIcon
          role="status"
          message={t('users.proposed', {
            roles: ((proposal.payload.roles as string[] | undefined) ?? []).join(', '),
            id: proposal.id,
          })}
        />
        <Button type="primary" style={{ marginTop: 16 }} onClick={onClose}>
          {tc('actions.close')}
        </Button>
      </div>
    );
  }
  return (
    <Form form={form} layout="vertical" initialValues={{ roles: user.roles }} onFinish={(v) => change.mutate(v)}>
      <Form.Item label={t('users.roles')} name="roles" rules={[{ required: true, type: 'array', min: 1 }]}>
        <Select mode="multiple" options={roleOptions} />
      </Form.Item>
      <Form.Item label={t('common.reason')} name="reason" rules={[{ max: 2000 }]}>
        <Input />
      </Form.Item>
      <ErrorAlert error={change.error} />
      <Space style={{ marginTop: 12 }}>
        <Button type="primary" htmlType="submit" loading={change.isPending}>
          {tc('actions.save')}
        </Button>
        <Button onClick={onClose}>{tc('actions.cancel')}</Button>
      </Space>
    </Form>
  );
}

export default function UsersSection() {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const { can } = useSession();
  const format = useFormat();
  const client = useQueryClient();
  const { modal } = App.useApp();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [password, setPassword] = useState<{ email: string; value: string } | null>(null);
  const [search, setSearch] = useState('');
  const { query: users, rows } = usePaged<User>(['admin', 'users', 'list', search], (after) =>
    unwrap(
      api.GET('/users', {
        params: { query: { limit: 50, ...(after ? { after } : {}), ...(search ? { search } : {}) } },
      }),
    ),
  );
  const changes = useQuery({
    queryKey: ['admin', 'role-changes'],
    enabled: can('workflows:read'),
    queryFn: () => unwrap(api.GET('/changes', { params: { query: { status: 'proposed', limit: 500 } } })),
  });
  const pending = useMemo(() => {
    const byUser = new Map<string, Change>();
    for (const c of changes.data?.data ?? []) if (c.kind === 'user_roles') byUser.set(c.target, c);
    return byUser;
  }, [changes.data]);

  const act = useMutation({
    mutationFn: async ({ user, action }: { user: User; action: 'disable' | 'reset-mfa' | 'reset-password' }) => {
      const params = { path: { user: user.id } };
      if (action === 'reset-password') {
        const reset = await unwrap(api.POST('/users/{user}/reset-password', { params }));
        setPassword({ email: reset.email, value: reset.oneTimePassword });
        return;
      }
      if (action === 'disable') await unwrap(api.POST('/users/{user}/disable', { params, body: {} }));
      else await unwrap(api.POST('/users/{user}/reset-mfa', { params, body: {} }));
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ['admin', 'users'] }),
  });
  const confirm = (user: User, action: 'disable' | 'reset-mfa' | 'reset-password', text: string): void => {
    void modal.confirm({
      title: text,
      okText: tc('actions.confirm'),
      cancelText: tc('actions.cancel'),
      onOk: () => act.mutateAsync({ user, action }),
    });
  };

  return (
    <Card
      title={<CardTitle>{t('users.list')}</CardTitle>}
      extra={
        <IfAllowed permission="users:manage">
          <Button type="primary" onClick={() => setCreating(true)}>
            {t('users.create')}
          </Button>
        </IfAllowed>
      }
    >
      <ErrorAlert error={users.error ?? act.error} />
      {password && (
        <ShownOnce
          label={`${t('users.oneTimePassword')} · ${password.email}`}
          value={password.value}
          extra={
            <Button size="small" style={{ marginTop: 8 }} onClick={() => setPassword(null)}>
              {tc('actions.close')}
            </Button>
          }
        />
      )}
      <Form layout="inline" style={{ marginBottom: 12 }} onSubmitCapture={(e) => e.preventDefault()}>
        <Form.Item label={t('users.search')} htmlFor="user-search">
          <Input.Search
            id="user-search"
            allowClear
            onSearch={(value) => setSearch(value.trim())}
            style={{ width: 280 }}
          />
        </Form.Item>
      </Form>
      <KeyTable<User>
        label={t('users.list')}
        rowKey={(u) => u.id}
        loading={users.isPending}
        dataSource={rows}
        onOpen={(u) => setEditing(u)}
        pagination={false}
        columns={[
          { title: t('users.name'), dataIndex: 'name' },
          { title: t('users.email'), dataIndex: 'email' },
          {
            title: t('users.roles'),
            dataIndex: 'roles',
            render: (roles: Role[], u) => {
              const proposal = pending.get(u.id);
              return (
                <Space size={4} wrap>
                  {roles.map((r) => (
                    <Tag key={r}>{r}</Tag>
                  ))}
                  {proposal && (
                    <StatusTag tone="warn" title={proposal.id}>
                      {t('users.pendingTag')}: {((proposal.payload.roles as string[] | undefined) ?? []).join(', ')}
                    </StatusTag>
                  )}
                </Space>
              );
            },
          },
          {
            title: t('users.status'),
            dataIndex: 'status',
            render: (status: User['status'], u) => (
              <Space size={4} wrap>
                <StatusTag tone={status === 'active' ? 'ok' : 'neutral'}>{t(`users.${status}`)}</StatusTag>
                {u.mustChangePassword && <Tag>{t('users.mustChangePassword')}</Tag>}
              </Space>
            ),
          },
          { title: t('users.locale'), dataIndex: 'locale' },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: (v: string) => format.date(v) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, u) =>
              u.status === 'active' && (
                <Space size={4} wrap>
                  <Button size="small" onClick={() => setEditing(u)}>
                    {t('users.changeRoles')}
                  </Button>
                  <Button
                    size="small"
                    onClick={() => confirm(u, 'reset-password', t('users.resetPasswordConfirm', { name: u.name }))}
                  >
                    {t('users.resetPassword')}
                  </Button>
                  <Button
                    size="small"
                    onClick={() => confirm(u, 'reset-mfa', t('users.resetMfaConfirm', { name: u.name }))}
                  >
                    {t('users.resetMfa')}
                  </Button>
                  <Popconfirm
                    title={t('users.disableConfirm', { name: u.name })}
                    okText={tc('actions.confirm')}
                    cancelText={tc('actions.cancel')}
                    onConfirm={() => act.mutate({ user: u, action: 'disable' })}
                  >
                    <Button size="small" danger>
                      {t('users.disable')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
          },
        ]}
      />
      <LoadMore query={users} />
      <Modal open={creating} title={t('users.create')} footer={null} destroyOnClose onCancel={() => setCreating(false)}>
        <CreateUser onClose={() => setCreating(false)} />
      </Modal>
      <Modal
        open={!!editing}
        title={editing ? `${t('users.changeRoles')} · ${editing.name}` : ''}
        footer={null}
        destroyOnClose
        onCancel={() => setEditing(null)}
      >
        {editing && <ChangeRoles user={editing} onClose={() => setEditing(null)} />}
      </Modal>
    </Card>
  );
}

// API keys: list (revoked ones too, oldest first, paged by the server), create — the token is shown
// once —, and revoke.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat } from '../../i18n/format';
import { CardTitle, ShownOnce, showFieldErrors, StatusTag } from './shared';
import { ROLES } from './roles';

type ApiKey = components['schemas']['ApiKey'];
type CreateApiKey = components['schemas']['CreateApiKey'];

function CreateKey({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const client = useQueryClient();
  const [form] = Form.useForm<CreateApiKey>();
  const create = useMutation({
    mutationFn: (values: CreateApiKey) =>
      unwrap(api.POST('/api-keys', { body: { ...values, owner: values.owner?.trim() || undefined } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['admin', 'api-keys'] }),
    onError: (error) => showFieldErrors(form, error, ['name', 'role', 'owner']),
  });
  if (create.data) {
    return (
      <div>
        <Typography.Paragraph>{t('apiKeys.createdTitle', { name: create.data.name })}</Typography.Paragraph>
        <ShownOnce label={t('apiKeys.token')} value={create.data.token} />
        <Button type="primary" onClick={onClose}>
          {tc('actions.close')}
        </Button>
      </div>
    );
  }
  return (
    <Form<CreateApiKey> form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
      <Form.Item label={t('apiKeys.name')} name="name" rules={[{ required: true, whitespace: true, max: 100 }]}>
        <Input autoComplete="off" />
      </Form.Item>
      <Form.Item label={t('apiKeys.role')} name="role" rules={[{ required: true }]}>
        <Select options={ROLES.map((r) => ({ value: r, label: r }))} />
      </Form.Item>
      <Form.Item label={t('apiKeys.owner')} name="owner" extra={t('apiKeys.ownerHelp')} rules={[{ max: 254 }]}>
        <Input autoComplete="off" />
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

export default function ApiKeysSection() {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const format = useFormat();
  const client = useQueryClient();
  const [creating, setCreating] = useState(false);
  const { query: keys, rows } = usePaged<ApiKey>(['admin', 'api-keys'], (after) =>
    unwrap(api.GET('/api-keys', { params: { query: { limit: 50, ...(after ? { after } : {}) } } })),
  );
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api-keys/{id}/revoke', { params: { path: { id } }, body: {} })),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['admin', 'api-keys'] }),
  });
  return (
    <Card
      title={<CardTitle>{t('apiKeys.list')}</CardTitle>}
      extra={
        <IfAllowed permission="apikeys:manage">
          <Button type="primary" onClick={() => setCreating(true)}>
            {t('apiKeys.create')}
          </Button>
        </IfAllowed>
      }
    >
      <ErrorAlert error={keys.error ?? revoke.error} />
      <KeyTable<ApiKey>
        label={t('apiKeys.list')}
        rowKey={(k) => k.id}
        loading={keys.isPending}
        dataSource={rows}
        pagination={false}
        columns={[
          { title: t('apiKeys.name'), dataIndex: 'name' },
          { title: 'Id', dataIndex: 'id', render: (v: string) => <code>{v}</code> },
          { title: t('apiKeys.role'), dataIndex: 'role', render: (v: string) => <Tag>{v}</Tag> },
          {
            title: t('apiKeys.owner'),
            dataIndex: 'owner',
            render: (v: string | null) => (v ? <code>{v}</code> : t('apiKeys.system')),
          },
          {
            title: t('common.status'),
            dataIndex: 'revokedAt',
            render: (v: string | null) =>
              v ? (
                <Tag>{`${t('apiKeys.revoked')} ${format.date(v)}`}</Tag>
              ) : (
                <StatusTag tone="ok">{t('apiKeys.active')}</StatusTag>
              ),
          },
          { title: t('common.createdAt'), dataIndex: 'createdAt', render: (v: string) => format.dateTime(v) },
          { title: t('apiKeys.lastUsedAt'), dataIndex: 'lastUsedAt', render: (v: string | null) => format.dateTime(v) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, k) =>
              !k.revokedAt && (
                <IfAllowed permission="apikeys:manage">
                  <Popconfirm
                    title={t('apiKeys.revokeConfirm', { name: k.name })}
                    okText={tc('actions.confirm')}
                    cancelText={tc('actions.cancel')}
                    onConfirm={() => revoke.mutate(k.id)}
                  >
                    <Button size="small" danger>
                      {t('apiKeys.revoke')}
                    </Button>
                  </Popconfirm>
                </IfAllowed>
              ),
          },
        ]}
      />
      <LoadMore query={keys} />
      <Modal
        open={creating}
        title={t('apiKeys.create')}
        footer={null}
        destroyOnClose
        onCancel={() => setCreating(false)}
      >
        <CreateKey onClose={() => setCreating(false)} />
      </Modal>
    </Card>
  );
}

// Work queues and their members (round-robin order): list, create, and replace the members.
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Select, Space, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import { CardTitle, showFieldErrors } from './shared';

type Queue = components['schemas']['Queue'];

/**
 * The names of the users among `members` (by id), read one by one — members are few, and the user
 * list is paged: it is never read whole — when the person may read users; otherwise members show as
 * they are stored.
 */
function useUserNames(members: readonly string[]): Map<string, string> {
  const { can } = useSession();
  const ids = [...new Set(members)].filter((m) => m.startsWith('usr_'));
  const users = useQueries({
    queries: ids.map((id) => ({
      queryKey: ['admin', 'users', 'one', id],
      enabled: can('users:manage'),
      staleTime: 60_000,
      queryFn: () => unwrap(api.GET('/users/{user}', { params: { path: { user: id } } })),
    })),
  });
  const names = new Map<string, string>();
  for (const user of users) if (user.data) names.set(user.data.id, user.data.name);
  return names;
}

/**
 * The member picker's choices: the active users whose name or email holds what is typed (searched by
 * the server, a page of them), and the members already chosen, by name.
 */
function useUserOptions(search: string, members: readonly string[]): Array<{ value: string; label: string }> {
  const { can } = useSession();
  const names = useUserNames(members);
  const found = useQuery({
    queryKey: ['admin', 'users', 'search', search],
    enabled: can('users:manage'),
    queryFn: () => unwrap(api.GET('/users', { params: { query: { limit: 20, ...(search ? { search } : {}) } } })),
  });
  return useMemo(() => {
    const options = new Map<string, string>();
    for (const m of members) options.set(m, names.get(m) ?? m);
    for (const u of found.data?.data ?? []) if (u.status === 'active') options.set(u.id, `${u.name} (${u.email})`);
    return [...options].map(([value, label]) => ({ value, label }));
  }, [found.data, members, names]);
}

function QueueForm({ queue, onClose }: { queue: Queue | null; onClose: () => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; members: string[] }>();
  const [search, setSearch] = useState('');
  const chosen = Form.useWatch('members', form) ?? queue?.members ?? [];
  const options = useUserOptions(search, chosen);
  const save = useMutation({
    mutationFn: ({ name, members }: { name: string; members: string[] }) =>
      unwrap(api.PUT('/queues/{name}', { params: { path: { name } }, body: { members } })),
    onSuccess: () => {
      void message.success(t('common.saved'));
      void client.invalidateQueries({ queryKey: ['admin', 'queues'] });
      onClose();
    },
    onError: (error) => showFieldErrors(form, error, ['name', 'members']),
  });
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{ name: queue?.name ?? '', members: queue?.members ?? [] }}
      onFinish={(v) => save.mutate(v)}
    >
      <Form.Item
        label={t('queues.name')}
        name="name"
        rules={[{ required: true, pattern: /^[A-Za-z0-9._-]{1,100}$/, message: 'A-Z a-z 0-9 . _ -, 1-100' }]}
      >
        <Input disabled={!!queue} />
      </Form.Item>
      <Form.Item label={t('queues.members')} name="members" extra={t('queues.membersHelp')}>
        <Select
          mode="tags"
          options={options}
          tokenSeparators={[',', ' ']}
          filterOption={false}
          onSearch={(value) => setSearch(value.trim())}
          onBlur={() => setSearch('')}
        />
      </Form.Item>
      <ErrorAlert error={save.error} />
      <Space style={{ marginTop: 12 }}>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {tc('actions.save')}
        </Button>
        <Button onClick={onClose}>{tc('actions.cancel')}</Button>
      </Space>
    </Form>
  );
}

export default function QueuesSection() {
  const { t } = useTranslation('admin');
  const format = useFormat();
  const [editing, setEditing] = useState<Queue | 'new' | null>(null);
  const queues = useQuery({ queryKey: ['admin', 'queues'], queryFn: () => unwrap(api.GET('/queues')) });
  const names = useUserNames((queues.data?.data ?? []).flatMap((q) => q.members));
  return (
    <Card
      title={<CardTitle>{t('queues.list')}</CardTitle>}
      extra={
        <IfAllowed permission="decisions:manage">
          <Button type="primary" onClick={() => setEditing('new')}>
            {t('queues.create')}
          </Button>
        </IfAllowed>
      }
    >
      <ErrorAlert error={queues.error} />
      <KeyTable<Queue>
        label={t('queues.list')}
        rowKey={(q) => q.name}
        loading={queues.isPending}
        dataSource={queues.data?.data ?? []}
        onOpen={(q) => setEditing(q)}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('queues.name'), dataIndex: 'name', render: (v: string) => <code>{v}</code> },
          {
            title: t('queues.members'),
            dataIndex: 'members',
            render: (members: string[]) =>
              members.length === 0 ? (
                t('queues.none')
              ) : (
                <Space size={4} wrap>
                  {members.map((m) => (
                    <Tag key={m} title={m}>
                      {names.get(m) ?? m}
                    </Tag>
                  ))}
                </Space>
              ),
          },
          { title: t('common.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => format.dateTime(v) },
          { title: t('common.updatedBy'), dataIndex: 'updatedBy', render: (v: string) => <code>{v}</code> },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, q) => (
              <IfAllowed permission="decisions:manage">
                <Button size="small" onClick={() => setEditing(q)} aria-label={`${t('queues.edit')} ${q.name}`}>
                  {t('queues.edit')}
                </Button>
              </IfAllowed>
            ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing === 'new' ? t('queues.create') : editing ? `${t('queues.edit')} · ${editing.name}` : ''}
        footer={null}
        destroyOnClose
        onCancel={() => setEditing(null)}
      >
        {editing && <QueueForm queue={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      </Modal>
    </Card>
  );
}

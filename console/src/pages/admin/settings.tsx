// Settings of the installation, each as the server keeps it: credit (bureau, products), collections
// (collectors, assignment, variants, approvals), receivables (buckets, waterfall, rating scale) and the
// contact rules. Each is viewed by those who may read it and edited, as JSON, by those who may change
// it; the server validates and its errors name the field (`body.products.0.maxAmount`).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Input, Space, Tabs, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { useSession, type Permission } from '../../session/session';
import { CardTitle, parseJson } from './shared';

type Schemas = components['schemas'];

interface SettingsDoc {
  key: string;
  title: string;
  help: string;
  read: Permission;
  write: Permission;
  load: () => Promise<unknown>;
  save: (value: unknown) => Promise<unknown>;
}

function JsonSettings({ doc }: { doc: SettingsDoc }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const { can } = useSession();
  const client = useQueryClient();
  const { message } = App.useApp();
  const writable = can(doc.write);
  const query = useQuery({ queryKey: ['admin', 'settings', doc.key], queryFn: doc.load });
  const [text, setText] = useState('');
  const [jsonError, setJsonError] = useState<string | null>(null);
  useEffect(() => {
    if (query.data !== undefined) setText(JSON.stringify(query.data, null, 2));
  }, [query.data]);
  const save = useMutation({
    mutationFn: doc.save,
    onSuccess: (saved) => {
      client.setQueryData(['admin', 'settings', doc.key], saved);
      void message.success(t('common.saved'));
    },
  });
  const submit = () => {
    const parsed = parseJson(text);
    if (!parsed.ok) return setJsonError(t('common.invalidJson', { message: parsed.message }));
    setJsonError(null);
    save.mutate(parsed.value);
  };
  const id = `settings-${doc.key}`;
  return (
    <Card title={<CardTitle>{doc.title}</CardTitle>}>
      <Typography.Paragraph type="secondary">{doc.help}</Typography.Paragraph>
      {!writable && <Alert type="info" showIcon message={t('settings.readOnly')} style={{ marginBottom: 12 }} />}
      <ErrorAlert error={query.error} />
      <label htmlFor={id}>{t('settings.json')}</label>
      <Input.TextArea
        id={id}
        value={text}
        readOnly={!writable}
        onChange={(e) => setText(e.target.value)}
        autoSize={{ minRows: 12, maxRows: 40 }}
        status={jsonError ? 'error' : undefined}
        style={{ fontFamily: 'monospace', fontSize: 12, marginTop: 4 }}
      />
      {jsonError && (
        <Typography.Text type="danger" role="alert">
          {jsonError}
        </Typography.Text>
      )}
      <div style={{ marginTop: 12 }}>
        <ErrorAlert error={save.error} />
      </div>
      {writable && (
        <Space style={{ marginTop: 12 }}>
          <Button type="primary" onClick={submit} loading={save.isPending} disabled={query.isPending}>
            {tc('actions.save')}
          </Button>
          <Button
            onClick={() => {
              setJsonError(null);
              save.reset();
              void query.refetch().then((r) => r.data !== undefined && setText(JSON.stringify(r.data, null, 2)));
            }}
          >
            {tc('actions.refresh')}
          </Button>
        </Space>
      )}
    </Card>
  );
}

export default function SettingsSection() {
  const { t } = useTranslation('admin');
  const { can } = useSession();
  const docs: SettingsDoc[] = [
    {
      key: 'credit',
      title: t('settings.credit'),
      help: t('settings.creditHelp'),
      read: 'credit:read',
      write: 'decisions:manage',
      load: () => unwrap(api.GET('/credit/settings')),
      save: (value) => unwrap(api.PUT('/credit/settings', { body: value as Schemas['CreditSettingsPatch'] })),
    },
    {
      key: 'collections',
      title: t('settings.collections'),
      help: t('settings.collectionsHelp'),
      read: 'collections:read',
      write: 'decisions:manage',
      load: () => unwrap(api.GET('/collections/settings')),
      save: (value) => unwrap(api.PUT('/collections/settings', { body: value as Schemas['CollectionsSettingsPatch'] })),
    },
    {
      key: 'receivables',
      title: t('settings.receivables'),
      help: t('settings.receivablesHelp'),
      read: 'receivables:read',
      write: 'receivables:write',
      load: () => unwrap(api.GET('/receivables/settings')),
      save: (value) =>
        unwrap(
          api.PATCH('/receivables/settings', {
            body: value as { buckets?: unknown; waterfall?: unknown; ratingScale?: unknown },
          }),
        ),
    },
    {
      key: 'contact-rules',
      title: t('settings.contactRules'),
      help: t('settings.contactRulesHelp'),
      read: 'channels:read',
      write: 'channels:write',
      load: () => unwrap(api.GET('/channels/contact-rules')),
      save: (value) => unwrap(api.PUT('/channels/contact-rules', { body: value as Schemas['ContactRules'] })),
    },
  ];
  const visible = docs.filter((d) => can(d.read));
  return (
    <Tabs
      destroyInactiveTabPane
      items={visible.map((d) => ({ key: d.key, label: d.title, children: <JsonSettings doc={d} /> }))}
    />
  );
}

// Message templates: every channel, name and locale (stored and shipped); a template opens to its
// rendered preview per locale (en / es / zh-CN) on sample data, and those who may edit templates
// change one locale's Liquid (the server names the field of a Liquid error).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Descriptions, Form, Input, Radio, Row, Space, Tag, Typography } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { LANGUAGE_NAMES, LANGUAGES, type Language } from '../../i18n/i18n';
import { CardTitle, LINK, parseJson, showFieldErrors, StatusTag } from './shared';

type Template = components['schemas']['MessageTemplate'];
type Channel = Template['channel'];

interface TemplateGroup {
  key: string;
  channel: Channel;
  name: string;
  locales: Template[];
}

const SAMPLE = {
  customer: { name: 'María García', externalId: 'DEMO-C1', language: 'es' },
  amount: '125000',
  currency: 'EUR',
  dueDate: '2026-04-01',
  reference: 'INV-1001',
  dpd: 12,
};

function useTemplates() {
  return useQuery({ queryKey: ['admin', 'templates'], queryFn: () => unwrap(api.GET('/channels/templates')) });
}

function TemplateList() {
  const { t } = useTranslation('admin');
  const navigate = useNavigate();
  const templates = useTemplates();
  const groups = useMemo(() => {
    const byKey = new Map<string, TemplateGroup>();
    for (const tpl of templates.data?.data ?? []) {
      const key = `${tpl.channel}/${tpl.name}`;
      const group = byKey.get(key) ?? { key, channel: tpl.channel, name: tpl.name, locales: [] };
      group.locales.push(tpl);
      byKey.set(key, group);
    }
    return [...byKey.values()];
  }, [templates.data]);
  return (
    <Card title={<CardTitle>{t('templates.list')}</CardTitle>}>
      <ErrorAlert error={templates.error} />
      <KeyTable<TemplateGroup>
        label={t('templates.list')}
        rowKey={(g) => g.key}
        loading={templates.isPending}
        dataSource={groups}
        onOpen={(g) => void navigate(`/admin/templates/${g.key}`)}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('templates.channel'), dataIndex: 'channel', render: (v: string) => <Tag>{v}</Tag> },
          {
            title: t('templates.name'),
            dataIndex: 'name',
            render: (v: string, g) => (
              <Link to={`/admin/templates/${g.key}`} style={LINK}>
                {v}
              </Link>
            ),
          },
          {
            title: t('templates.locale'),
            key: 'locales',
            render: (_: unknown, g) => (
              <Space size={4} wrap>
                {g.locales.map((l) => (
                  <StatusTag key={l.locale} tone={l.source === 'stored' ? 'ok' : 'neutral'}>
                    {l.locale} · v{l.version} · {t(`templates.${l.source}`)}
                  </StatusTag>
                ))}
              </Space>
            ),
          },
        ]}
      />
    </Card>
  );
}

function Preview({ channel, name }: { channel: Channel; name: string }) {
  const { t } = useTranslation('admin');
  const [locale, setLocale] = useState<Language>('en');
  const [dataText, setDataText] = useState(() => JSON.stringify(SAMPLE, null, 2));
  const [data, setData] = useState<Record<string, unknown>>(SAMPLE);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const preview = useQuery({
    queryKey: ['admin', 'template-preview', channel, name, locale, data],
    queryFn: () =>
      unwrap(
        api.POST('/channels/templates/{channel}/{name}/preview', {
          params: { path: { channel, name } },
          body: { locale, data },
        }),
      ),
    retry: false,
  });
  const render = () => {
    const parsed = parseJson(dataText);
    if (!parsed.ok) return setJsonError(t('common.invalidJson', { message: parsed.message }));
    if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
      return setJsonError(t('common.invalidJson', { message: 'an object {…} is expected' }));
    }
    setJsonError(null);
    setData(parsed.value as Record<string, unknown>);
  };
  const r = preview.data;
  return (
    <Card title={<CardTitle>{t('templates.previewOf', { channel, name })}</CardTitle>}>
      <Space direction="vertical" style={{ width: '100%' }} size={12}>
        <div>
          <Typography.Text id="preview-locale-label" style={{ marginRight: 8 }}>
            {t('templates.previewLocale')}
          </Typography.Text>
          <span role="radiogroup" aria-labelledby="preview-locale-label">
            <Radio.Group
              optionType="button"
              value={locale}
              onChange={(e) => setLocale(e.target.value as Language)}
              options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
            />
          </span>
        </div>
        <Row gutter={16}>
          <Col xs={24} lg={9}>
            <label htmlFor="preview-data">{t('templates.sampleData')}</label>
            <Input.TextArea
              id="preview-data"
              value={dataText}
              onChange={(e) => setDataText(e.target.value)}
              autoSize={{ minRows: 10, maxRows: 20 }}
              style={{ fontFamily: 'monospace', fontSize: 12, marginTop: 4 }}
              status={jsonError ? 'error' : undefined}
            />
            {jsonError && (
              <Typography.Text type="danger" role="alert">
                {jsonError}
              </Typography.Text>
            )}
            <div style={{ marginTop: 8 }}>
              <Button onClick={render} loading={preview.isFetching}>
                {t('templates.render')}
              </Button>
            </div>
          </Col>
          <Col xs={24} lg={15}>
            <ErrorAlert error={preview.error} />
            {r && (
              <div data-testid="template-preview">
                <Descriptions size="small" column={1} bordered>
                  <Descriptions.Item label={t('templates.locale')}>
                    {t('templates.renderedLocale', { locale: r.locale })}
                  </Descriptions.Item>
                  {r.subject !== null && (
                    <Descriptions.Item label={t('templates.subject')}>{r.subject}</Descriptions.Item>
                  )}
                  {r.segments && (
                    <Descriptions.Item label="SMS">{t('templates.segments', r.segments)}</Descriptions.Item>
                  )}
                </Descriptions>
                {r.html !== null ? (
                  <iframe
                    title={t('templates.html')}
                    sandbox=""
                    srcDoc={r.html}
                    style={{
                      width: '100%',
                      height: 360,
                      border: '1px solid #e5e7eb',
                      marginTop: 12,
                      background: '#fff',
                    }}
                  />
                ) : (
                  <pre
                    tabIndex={0}
                    aria-label={t('templates.text')}
                    style={{ whiteSpace: 'pre-wrap', background: '#fafafa', padding: 12, marginTop: 12 }}
                  >
                    {r.text}
                  </pre>
                )}
              </div>
            )}
          </Col>
        </Row>
      </Space>
    </Card>
  );
}

interface EditForm {
  subject?: string;
  body: string;
  textBody?: string;
}

function Editor({ channel, name, templates }: { channel: Channel; name: string; templates: Template[] }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [locale, setLocale] = useState<string>(templates[0]?.locale ?? 'en');
  const current = templates.find((x) => x.locale === locale);
  const [form] = Form.useForm<EditForm>();
  useEffect(() => {
    form.resetFields();
    form.setFieldsValue({
      subject: current?.subject ?? undefined,
      body: current?.body ?? '',
      textBody: current?.textBody ?? undefined,
    });
  }, [current, form]);
  const save = useMutation({
    mutationFn: (values: EditForm) =>
      unwrap(
        api.PUT('/channels/templates/{channel}/{name}/{locale}', {
          params: { path: { channel, name, locale } },
          body:
            channel === 'email'
              ? {
                  subject: values.subject ?? '',
                  body: values.body,
                  ...(values.textBody ? { textBody: values.textBody } : {}),
                }
              : { body: values.body },
        }),
      ),
    onSuccess: () => {
      void message.success(t('common.saved'));
      void client.invalidateQueries({ queryKey: ['admin', 'templates'] });
      void client.invalidateQueries({ queryKey: ['admin', 'template-preview', channel, name] });
    },
    onError: (error) => showFieldErrors(form, error, ['subject', 'body', 'textBody']),
  });
  return (
    <Card title={<CardTitle>{t('templates.edit')}</CardTitle>}>
      <div style={{ marginBottom: 12 }}>
        <Typography.Text id="edit-locale-label" style={{ marginRight: 8 }}>
          {t('templates.locale')}
        </Typography.Text>
        <span role="radiogroup" aria-labelledby="edit-locale-label">
          <Radio.Group
            optionType="button"
            value={locale}
            onChange={(e) => setLocale(e.target.value as string)}
            options={templates.map((x) => ({ value: x.locale, label: x.locale }))}
          />
        </span>
        {current && (
          <Typography.Text type="secondary" style={{ marginLeft: 12 }}>
            v{current.version} · {t(`templates.${current.source}`)}
          </Typography.Text>
        )}
      </div>
      <Form<EditForm> form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
        {channel === 'email' && (
          <Form.Item label={t('templates.subject')} name="subject" rules={[{ required: true }]}>
            <Input />
          </Form.Item>
        )}
        <Form.Item label={t('templates.body')} name="body" extra={t('templates.bodyHelp')} rules={[{ required: true }]}>
          <Input.TextArea autoSize={{ minRows: 6, maxRows: 20 }} style={{ fontFamily: 'monospace', fontSize: 12 }} />
        </Form.Item>
        {channel === 'email' && (
          <Form.Item label={t('templates.textBody')} name="textBody">
            <Input.TextArea autoSize={{ minRows: 3, maxRows: 12 }} style={{ fontFamily: 'monospace', fontSize: 12 }} />
          </Form.Item>
        )}
        <ErrorAlert error={save.error} />
        <Button type="primary" htmlType="submit" loading={save.isPending} style={{ marginTop: 12 }}>
          {tc('actions.save')}
        </Button>
      </Form>
    </Card>
  );
}

function TemplatePage() {
  const { channel, name } = useParams() as { channel: Channel; name: string };
  const { t: tc } = useTranslation();
  const templates = useTemplates();
  const mine = (templates.data?.data ?? []).filter((x) => x.channel === channel && x.name === name);
  return (
    <Space direction="vertical" size={16} style={{ width: '100%' }}>
      <Link to="/admin/templates" style={LINK}>
        ← {tc('actions.back')}
      </Link>
      <Preview channel={channel} name={name} />
      {mine.length > 0 && (
        <IfAllowed permission="channels:write">
          <Editor channel={channel} name={name} templates={mine} />
        </IfAllowed>
      )}
    </Space>
  );
}

export default function TemplatesSection() {
  return (
    <Routes>
      <Route index element={<TemplateList />} />
      <Route path=":channel/:name" element={<TemplatePage />} />
    </Routes>
  );
}

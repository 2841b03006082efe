// Business calendars (holidays and weekends for `businessDays` waits): list, create and replace.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Checkbox, Form, Input, Modal, Select, Space, Tag } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { useFormat } from '../../i18n/format';
import { CardTitle, showFieldErrors } from './shared';

type Calendar = components['schemas']['Calendar'];
const DAYS = ['1', '2', '3', '4', '5', '6', '7'] as const;

interface CalendarForm {
  name: string;
  timezone: string;
  weekend: string[];
  holidays: string;
}

function CalendarEditor({ calendar, onClose }: { calendar: Calendar | null; onClose: () => void }) {
  const { t } = useTranslation('admin');
  const { t: tc } = useTranslation();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [form] = Form.useForm<CalendarForm>();
  const zones = useMemo(() => Intl.supportedValuesOf('timeZone').map((z) => ({ value: z, label: z })), []);
  const save = useMutation({
    mutationFn: (v: CalendarForm) =>
      unwrap(
        api.PUT('/calendars/{name}', {
          params: { path: { name: v.name } },
          body: {
            timezone: v.timezone,
            weekend: v.weekend.map(Number),
            holidays: v.holidays
              .split(/[\s,]+/)
              .map((d) => d.trim())
              .filter(Boolean),
          },
        }),
      ),
    onSuccess: () => {
      void message.success(t('common.saved'));
      void client.invalidateQueries({ queryKey: ['admin', 'calendars'] });
      onClose();
    },
    onError: (error) => showFieldErrors(form, error, ['name', 'timezone', 'weekend', 'holidays']),
  });
  return (
    <Form<CalendarForm>
      form={form}
      layout="vertical"
      initialValues={{
        name: calendar?.name ?? '',
        timezone: calendar?.timezone ?? 'UTC',
        weekend: (calendar?.weekend ?? [6, 7]).map(String),
        holidays: (calendar?.holidays ?? []).join('\n'),
      }}
      onFinish={(v) => save.mutate(v)}
    >
      <Form.Item
        label={t('calendars.name')}
        name="name"
        rules={[{ required: true, pattern: /^[A-Za-z0-9_-]{1,50}$/, message: 'A-Z a-z 0-9 _ -, 1-50' }]}
      >
        <Input disabled={!!calendar} />
      </Form.Item>
      <Form.Item label={t('calendars.timezone')} name="timezone" rules={[{ required: true }]}>
        <Select showSearch options={zones} />
      </Form.Item>
      <Form.Item label={t('calendars.weekend')} name="weekend">
        <Checkbox.Group options={DAYS.map((d) => ({ value: d, label: t(`calendars.days.${d}`) }))} />
      </Form.Item>
      <Form.Item
        label={t('calendars.holidays')}
        name="holidays"
        extra={t('calendars.holidaysHelp')}
        rules={[
          {
            validator: (_, value: string) => {
              const bad = (value ?? '')
                .split(/[\s,]+/)
                .filter(Boolean)
                .find((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d));
              return bad ? Promise.reject(new Error(`${bad}: YYYY-MM-DD`)) : Promise.resolve();
            },
          },
        ]}
      >
        <Input.TextArea autoSize={{ minRows: 6, maxRows: 16 }} style={{ fontFamily: 'monospace' }} />
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

export default function CalendarsSection() {
  const { t } = useTranslation('admin');
  const format = useFormat();
  const [editing, setEditing] = useState<Calendar | 'new' | null>(null);
  const calendars = useQuery({ queryKey: ['admin', 'calendars'], queryFn: () => unwrap(api.GET('/calendars')) });
  return (
    <Card
      title={<CardTitle>{t('calendars.list')}</CardTitle>}
      extra={
        <IfAllowed permission="decisions:manage">
          <Button type="primary" onClick={() => setEditing('new')}>
            {t('calendars.create')}
          </Button>
        </IfAllowed>
      }
    >
      <ErrorAlert error={calendars.error} />
      <KeyTable<Calendar>
        label={t('calendars.list')}
        rowKey={(c) => c.name}
        loading={calendars.isPending}
        dataSource={calendars.data?.data ?? []}
        onOpen={(c) => setEditing(c)}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        columns={[
          { title: t('calendars.name'), dataIndex: 'name', render: (v: string) => <code>{v}</code> },
          { title: t('calendars.timezone'), dataIndex: 'timezone' },
          {
            title: t('calendars.weekend'),
            dataIndex: 'weekend',
            render: (days: number[]) => days.map((d) => t(`calendars.days.${d}`)).join(', '),
          },
          {
            title: t('calendars.holidays'),
            dataIndex: 'holidays',
            render: (holidays: string[]) => (
              <Space size={4} wrap>
                <Tag>{t('calendars.count', { count: holidays.length })}</Tag>
                {holidays.slice(0, 4).map((d) => (
                  <span key={d}>{format.date(d)}</span>
                ))}
                {holidays.length > 4 && '…'}
              </Space>
            ),
          },
          { title: t('common.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => format.dateTime(v) },
          {
            title: t('common.actions'),
            key: 'actions',
            render: (_: unknown, c) => (
              <IfAllowed permission="decisions:manage">
                <Button size="small" onClick={() => setEditing(c)} aria-label={`${t('calendars.edit')} ${c.name}`}>
                  {t('common.edit')}
                </Button>
              </IfAllowed>
            ),
          },
        ]}
      />
      <Modal
        open={!!editing}
        title={editing === 'new' ? t('calendars.create') : editing ? `${t('calendars.edit')} · ${editing.name}` : ''}
        footer={null}
        destroyOnClose
        width={640}
        onCancel={() => setEditing(null)}
      >
        {editing && <CalendarEditor calendar={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
      </Modal>
    </Card>
  );
}

// One human task, worked where it is shown: its status, queue, assignee and SLA; claim; and the
// completion form built from the task's own form fields and allowed outcomes (one button per
// outcome, keys 1–9 choose one). Used by My work and the credit pages.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Descriptions,
  Flex,
  Form,
  Input,
  InputNumber,
  Select,
  Skeleton,
  Tag,
  Typography,
} from 'antd';
import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, idempotencyKey, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useFormat } from '../i18n/format';
import { useSession } from '../session/session';
import { ErrorAlert } from './error-alert';
import './task-panel-locales';

export type Task = components['schemas']['Task'];

interface FormField {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'object';
  label?: string;
  required?: boolean;
  options?: Array<string | number>;
}

/** The task's form, as the server stores it (unknown on the wire): only well-formed fields are used. */
export function taskForm(task: Pick<Task, 'form'>): FormField[] {
  if (!Array.isArray(task.form)) return [];
  return (task.form as unknown[]).filter(
    (f): f is FormField =>
      typeof f === 'object' && f !== null && typeof (f as FormField).name === 'string' && 'type' in f,
  );
}

export function taskOutcomes(task: Pick<Task, 'outcomes'>): string[] {
  return Array.isArray(task.outcomes) ? (task.outcomes as unknown[]).filter((o) => typeof o === 'string') : ['done'];
}

export function isOverdue(task: Pick<Task, 'dueAt' | 'status'>, now = Date.now()): boolean {
  return task.status === 'open' && !!task.dueAt && new Date(task.dueAt).getTime() < now;
}

/** "promise_to_pay" → "Promise to pay". */
export function humanize(value: string): string {
  const text = value.replace(/[_-]+/g, ' ').trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const taskKey = (id: string) => ['task', id];

function fieldInput(field: FormField, t: (key: string) => string) {
  if (field.options?.length) {
    return <Select allowClear options={field.options.map((o) => ({ value: o, label: String(o) }))} />;
  }
  switch (field.type) {
    case 'number':
      return <InputNumber style={{ width: '100%' }} />;
    case 'integer':
      return <InputNumber style={{ width: '100%' }} precision={0} />;
    case 'boolean':
      return <Checkbox>{t('yes')}</Checkbox>;
    case 'date':
      return <Input type="date" />;
    case 'object':
      return <Input.TextArea rows={3} placeholder={t('objectHelp')} />;
    default:
      return <Input />;
  }
}

/** Form values → the `data` the server checks: empty values left out, objects parsed from JSON. */
function toData(form: FormField[], values: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of form) {
    const value = values[field.name];
    if (value === undefined || value === null || value === '') continue;
    if (field.type === 'boolean' && value === false && !field.required) continue;
    data[field.name] = field.type === 'object' && typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
  }
  return data;
}

function problemHint(error: unknown, t: (key: string) => string): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.code === 'separation_of_duties') return t('excluded');
  if (error.code === 'not_queue_member') return t('notMember');
  if (error.code === 'task_assigned') return t('assignedElsewhere');
  return null;
}

const isPrimitive = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** The task's data: plain values as a list; nested ones (lists, records) folded away as JSON. */
function DataView({ data }: { data: unknown }) {
  const { t } = useTranslation('tasks');
  if (data === null || data === undefined || typeof data !== 'object' || Object.keys(data).length === 0) return null;
  const entries = Object.entries(data as Record<string, unknown>);
  const plain = entries.filter(([, value]) => isPrimitive(value));
  const nested = entries.filter(([, value]) => !isPrimitive(value));
  return (
    <div>
      {plain.length > 0 && (
        <Descriptions
          size="small"
          column={{ xs: 1, sm: 2 }}
          title={<h3 style={{ fontSize: 14, margin: 0 }}>{t('data')}</h3>}
          items={plain.map(([key, value]) => ({
            key,
            label: humanize(key),
            children: String((value as string | number | boolean | null) ?? '—'),
          }))}
        />
      )}
      {nested.length > 0 && (
        <details>
          <summary style={{ cursor: 'pointer' }}>
            {t('moreData', { fields: nested.map(([key]) => humanize(key)).join(', ') })}
          </summary>
          <pre
            style={{ fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all', maxHeight: 240, overflow: 'auto' }}
          >
            {JSON.stringify(Object.fromEntries(nested), null, 2)}
          </pre>
        </details>
      )}
    </div>
  );
}

export function TaskPanel({ taskId, onDone }: { taskId: string; onDone?: () => void }) {
  const { t } = useTranslation('tasks');
  const fmt = useFormat();
  const { session, can } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Record<string, unknown>>();
  const me = session?.user.id;

  const query = useQuery({
    queryKey: taskKey(taskId),
    queryFn: () => unwrap(api.GET('/tasks/{id}', { params: { path: { id: taskId } } })),
  });
  const task = query.data;

  const refresh = useCallback(async () => {
    await Promise.all([
      client.invalidateQueries({ queryKey: taskKey(taskId) }),
      client.invalidateQueries({ queryKey: ['me-tasks'] }),
      client.invalidateQueries({ queryKey: ['tasks'] }),
    ]);
  }, [client, taskId]);

  const claim = useMutation({
    mutationFn: () => unwrap(api.POST('/tasks/{id}/claim', { params: { path: { id: taskId } } })),
    onSuccess: async (updated) => {
      client.setQueryData(taskKey(taskId), updated);
      void message.success(t('claimed'));
      await refresh();
    },
  });

  const fields = useMemo(() => (task ? taskForm(task) : []), [task]);
  const outcomes = useMemo(() => (task ? taskOutcomes(task) : []), [task]);

  // A key a request can be retried with: one per task shown, so a double press repeats nothing.
  const completionKey = useRef(idempotencyKey());
  useEffect(() => {
    completionKey.current = idempotencyKey();
  }, [taskId]);

  const complete = useMutation({
    mutationFn: async (outcome: string) => {
      const values = fields.length
        ? await form.validateFields().catch(() => {
            throw new Error(t('checkFields'));
          })
        : {};
      let data: Record<string, unknown>;
      try {
        data = toData(fields, values);
      } catch {
        throw new ApiError(400, 'validation_failed', t('badJson'));
      }
      return unwrap(
        api.POST('/tasks/{id}/complete', {
          params: { path: { id: taskId }, header: { 'idempotency-key': `${completionKey.current}-${outcome}` } },
          body: { outcome, data },
        }),
      );
    },
    onSuccess: async (updated) => {
      client.setQueryData(taskKey(taskId), updated);
      void message.success(t('completed', { outcome: humanize(updated.outcome ?? '') }));
      // The instance moves on: whatever shows its state (timelines, cases, lists) is stale now.
      await client.invalidateQueries();
      onDone?.();
    },
  });

  const excluded = !!me && !!task?.excludedUsers.includes(me);
  const open = task?.status === 'open';
  const mayWork = can('tasks:work') && open && !excluded && (!task?.assignee || task.assignee === me);
  const claimable = mayWork && task?.assignee !== me;

  const { mutate: completeWith, isPending: completing } = complete;
  useEffect(() => {
    if (!mayWork) return;
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || target.isContentEditable) return;
      if (event.ctrlKey || event.metaKey || event.altKey || completing) return;
      const index = Number(event.key) - 1;
      if (!Number.isInteger(index) || index < 0 || index > 8 || !outcomes[index]) return;
      event.preventDefault();
      completeWith(outcomes[index]);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [mayWork, outcomes, completeWith, completing]);

  if (query.isPending) return <Skeleton active />;
  if (query.error || !task) return <ErrorAlert error={query.error} />;

  const overdue = isOverdue(task);
  const assignee = task.assignee ? (task.assignee === me ? t('you') : task.assignee) : t('unassigned');
  const hint = problemHint(claim.error ?? complete.error, t);

  return (
    <section aria-label={`${t('title')}: ${task.title}`}>
      <Card
        size="small"
        title={<h2 style={{ fontSize: 16, margin: 0 }}>{task.title}</h2>}
        extra={
          claimable && (
            <Button type="primary" onClick={() => claim.mutate()} loading={claim.isPending}>
              {t('claim')}
            </Button>
          )
        }
      >
        <Flex vertical gap={12}>
          {task.description && <Typography.Paragraph style={{ margin: 0 }}>{task.description}</Typography.Paragraph>}
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 2 }}
            items={[
              {
                key: 'status',
                label: t('status'),
                children: (
                  <Tag color={open ? 'blue' : task.status === 'completed' ? 'success' : 'default'}>
                    {t(`statuses.${task.status}`)}
                  </Tag>
                ),
              },
              { key: 'queue', label: t('queue'), children: task.queue },
              { key: 'assignee', label: t('assignee'), children: assignee },
              {
                key: 'due',
                label: t('due'),
                children: task.dueAt ? (
                  <span>
                    {fmt.dateTime(task.dueAt)}{' '}
                    {overdue && (
                      <Tag color="error" style={{ marginLeft: 4 }}>
                        {t('overdue')}
                      </Tag>
                    )}
                  </span>
                ) : (
                  t('noDue')
                ),
              },
              { key: 'created', label: t('created'), children: fmt.dateTime(task.createdAt) },
              { key: 'step', label: t('step'), children: <code>{task.step}</code> },
              ...(task.status === 'completed'
                ? [
                    { key: 'outcome', label: t('outcome'), children: humanize(task.outcome ?? '') },
                    { key: 'completedBy', label: t('completedBy'), children: task.completedBy ?? '—' },
                    { key: 'completedAt', label: t('completedAt'), children: fmt.dateTime(task.completedAt) },
                  ]
                : []),
            ]}
          />
          <DataView data={task.data} />
          {!open && <Alert type="info" showIcon message={t('notOpen', { status: t(`statuses.${task.status}`) })} />}
          {open && excluded && <Alert type="warning" showIcon message={t('excluded')} />}
          {open && !excluded && task.assignee && task.assignee !== me && (
            <Alert type="warning" showIcon message={t('assignedElsewhere')} />
          )}
          {hint && <Alert type="warning" showIcon message={hint} />}
          <ErrorAlert error={claim.error ?? complete.error} />
          {mayWork && (
            <section aria-label={t('complete')}>
              <h3 style={{ fontSize: 14, margin: '0 0 8px' }}>{t('complete')}</h3>
              {fields.length > 0 && (
                <Form
                  form={form}
                  layout="vertical"
                  requiredMark
                  name={`task-${task.id}`}
                  style={{
                    display: 'grid',
                    gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))',
                    columnGap: 16,
                  }}
                >
                  {fields.map((field) => (
                    <Form.Item
                      key={field.name}
                      name={field.name}
                      label={field.label ?? humanize(field.name)}
                      valuePropName={field.type === 'boolean' && !field.options ? 'checked' : 'value'}
                      rules={[
                        { required: !!field.required },
                        ...(field.type === 'object'
                          ? [
                              {
                                validator: (_: unknown, value: unknown) => {
                                  if (typeof value !== 'string' || value.trim() === '') return Promise.resolve();
                                  try {
                                    JSON.parse(value);
                                    return Promise.resolve();
                                  } catch {
                                    return Promise.reject(new Error(t('badJson')));
                                  }
                                },
                              },
                            ]
                          : []),
                      ]}
                    >
                      {fieldInput(field, t)}
                    </Form.Item>
                  ))}
                </Form>
              )}
              <Flex gap={8} wrap>
                {outcomes.map((outcome, index) => (
                  <Button
                    key={outcome}
                    type={index === 0 ? 'primary' : 'default'}
                    loading={completing && complete.variables === outcome}
                    disabled={completing}
                    aria-keyshortcuts={index < 9 ? String(index + 1) : undefined}
                    title={index < 9 ? t('outcomeKey', { key: index + 1 }) : undefined}
                    onClick={() => completeWith(outcome)}
                  >
                    {index < 9 && (
                      <kbd aria-hidden style={{ marginRight: 6, fontSize: 11, opacity: 0.85 }}>
                        {index + 1}
                      </kbd>
                    )}
                    {humanize(outcome)}
                  </Button>
                ))}
              </Flex>
              {outcomes.length > 1 && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('outcomesHint')}
                </Typography.Text>
              )}
            </section>
          )}
        </Flex>
      </Card>
    </section>
  );
}

// My work: the signed-in person's open tasks across their queues, due first (overdue marked), paged by
// the server (a keyset cursor, "Load more"), and the selected task worked on the same screen with
// everything it is about beside it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Flex, Form, Select, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { LoadMore, usePaged } from '../../components/paged';
import { PageHeader } from '../../components/page';
import { isOverdue, TaskPanel, type Task } from '../../components/task-panel';
import { useFormat } from '../../i18n/format';
import { useSession } from '../../session/session';
import { LINK_STYLE, Section } from '../customers/widgets';
import { TaskContext } from './task-context';
import { MY_WORK_PAGE } from './requests';

/** A manager gives the task to another member of its queue, or puts it back in the queue. */
function Reassign({ task }: { task: Task }) {
  const { t } = useTranslation('my-work');
  const { message } = App.useApp();
  const client = useQueryClient();
  const [assignee, setAssignee] = useState<string | undefined>();
  const queues = useQuery({ queryKey: ['queues'], queryFn: () => unwrap(api.GET('/queues')) });
  const members = queues.data?.data.find((q) => q.name === task.queue)?.members ?? [];
  const reassign = useMutation({
    mutationFn: (to: string | null) =>
      unwrap(api.POST('/tasks/{id}/reassign', { params: { path: { id: task.id } }, body: { assignee: to } })),
    onSuccess: async (updated) => {
      client.setQueryData(['task', task.id], updated);
      void message.success(t('reassigned'));
      setAssignee(undefined);
      await client.invalidateQueries({ queryKey: ['me-tasks'] });
    },
  });
  if (task.status !== 'open') return null;
  const BACK = '\u0000queue';
  return (
    <Section title={t('reassign')} level={3}>
      <Form layout="inline" onSubmitCapture={(e) => e.preventDefault()}>
        <Form.Item label={t('reassignTo')} htmlFor={`reassign-${task.id}`}>
          <Select
            id={`reassign-${task.id}`}
            style={{ minWidth: 240 }}
            value={assignee}
            onChange={setAssignee}
            options={[
              { value: BACK, label: t('backToQueue') },
              ...members.filter((m) => m !== task.assignee).map((m) => ({ value: m, label: m })),
            ]}
          />
        </Form.Item>
        <Form.Item>
          <Button
            disabled={!assignee}
            loading={reassign.isPending}
            onClick={() => assignee && reassign.mutate(assignee === BACK ? null : assignee)}
          >
            {t('reassign')}
          </Button>
        </Form.Item>
      </Form>
      <ErrorAlert error={reassign.error} />
    </Section>
  );
}

export function MyWorkPage() {
  const { t } = useTranslation('my-work');
  const { t: tt } = useTranslation('tasks');
  const fmt = useFormat();
  const { session } = useSession();
  const { message } = App.useApp();
  const client = useQueryClient();
  const me = session?.user.id;
  const [params, setParams] = useSearchParams();
  const selected = params.get('task');

  const { query: tasks, rows } = usePaged<Task>(
    ['me-tasks'],
    (after) =>
      unwrap(api.GET('/me/tasks', { params: { query: { limit: MY_WORK_PAGE, ...(after ? { after } : {}) } } })),
    { refetchInterval: 30_000 },
  );

  const claim = useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/tasks/{id}/claim', { params: { path: { id } } })),
    onSuccess: async (task) => {
      client.setQueryData(['task', task.id], task);
      void message.success(tt('claimed'));
      await client.invalidateQueries({ queryKey: ['me-tasks'] });
    },
  });

  const open = (task: Task) => setParams({ task: task.id });
  const overdueCount = rows.filter((r) => isOverdue(r)).length;

  return (
    <>
      <PageHeader
        title={t('title')}
        sub={t(tasks.hasNextPage ? 'summaryMore' : 'summary', { count: rows.length, overdue: overdueCount })}
        extra={<Button onClick={() => void tasks.refetch()}>{t('common:actions.refresh')}</Button>}
      />
      <Flex gap={16} align="flex-start" wrap>
        <div style={{ flex: '1 1 380px', maxWidth: 520, minWidth: 320 }}>
          <ErrorAlert error={tasks.error ?? claim.error} />
          <KeyTable<Task>
            label={t('listLabel')}
            rowKey={(task) => task.id}
            loading={tasks.isPending}
            dataSource={rows}
            onOpen={open}
            shortcuts={{ c: (task) => !task.assignee && claim.mutate(task.id) }}
            locale={{ emptyText: <Empty description={t('empty')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
            columns={[
              {
                title: t('task'),
                key: 'title',
                render: (_: unknown, task) => (
                  <div>
                    <Link
                      to={`?task=${task.id}`}
                      style={{ ...LINK_STYLE, fontWeight: task.id === selected ? 600 : undefined }}
                    >
                      {task.title}
                    </Link>
                    <div style={{ fontSize: 12 }}>
                      <Typography.Text type="secondary">
                        {task.queue} ·{' '}
                        {task.assignee ? (task.assignee === me ? tt('you') : task.assignee) : tt('unassigned')}
                      </Typography.Text>
                    </div>
                  </div>
                ),
              },
              {
                title: tt('due'),
                key: 'due',
                width: 150,
                render: (_: unknown, task) =>
                  task.dueAt ? (
                    <div>
                      <div style={{ fontSize: 12 }}>{fmt.dateTime(task.dueAt)}</div>
                      {isOverdue(task) && <Tag color="error">{tt('overdue')}</Tag>}
                    </div>
                  ) : (
                    <Typography.Text type="secondary">{tt('noDue')}</Typography.Text>
                  ),
              },
            ]}
          />
          <LoadMore query={tasks} />
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 8 }}>
            {t('keys')}
          </Typography.Paragraph>
        </div>
        <div style={{ flex: '3 1 560px', minWidth: 0 }}>
          {selected ? <SelectedTask taskId={selected} /> : <Empty description={t('pick')} style={{ marginTop: 48 }} />}
        </div>
      </Flex>
    </>
  );
}

function SelectedTask({ taskId }: { taskId: string }) {
  const query = useQuery({
    queryKey: ['task', taskId],
    queryFn: () => unwrap(api.GET('/tasks/{id}', { params: { path: { id: taskId } } })),
  });
  return (
    <Flex vertical gap={16}>
      <TaskPanel key={taskId} taskId={taskId} />
      {query.data && (
        <IfAllowed permission="decisions:manage">
          <Reassign task={query.data} />
        </IfAllowed>
      )}
      {query.data && <TaskContext task={query.data} />}
    </Flex>
  );
}

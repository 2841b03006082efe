// Reconciliation exceptions: bank entries finflow could not match by itself, oldest first, each with
// why and the ranked suggestions. A person with reconciliation:work matches one to a suggestion
// (POST /bank-entries/{id}/match with the suggestion's target and amount) or ignores it with a reason.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Card, Descriptions, Empty, Form, Input, Modal, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idempotencyKey, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat } from '../../i18n/format';
import { EmptyText, PAGE, useBankAccounts, type ExceptionEntry, type Suggestion } from './shared';
import { entryReference } from './statement-pages';

type TargetKind = 'outgoing_payment' | 'receivable' | 'charge' | 'writeoff';

/** What matching to the suggestion takes from the entry: the server offers at most the target's open amount. */
const takes = (_entry: ExceptionEntry, s: Suggestion) => s.amount;

export function ExceptionsList() {
  const { t } = useTranslation('payments');
  const { query, rows } = usePaged(['payments', 'exceptions'], (after) =>
    unwrap(api.GET('/reconciliation/exceptions', { params: { query: { limit: PAGE, ...(after ? { after } : {}) } } })),
  );
  return (
    <section aria-label={t('exceptions.list')}>
      <ErrorAlert error={query.error} />
      {query.isPending && <Card loading />}
      {query.isSuccess && rows.length === 0 && <Empty description={<EmptyText text={t('exceptions.none')} />} />}
      {rows.map((entry) => (
        <ExceptionCard key={entry.id} entry={entry} />
      ))}
      <LoadMore query={query} />
    </section>
  );
}

function ExceptionCard({ entry }: { entry: ExceptionEntry }) {
  const { t } = useTranslation('payments');
  const fmt = useFormat();
  const accounts = useBankAccounts();
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const match = useMutation({
    mutationFn: (s: Suggestion) =>
      unwrap(
        api.POST('/bank-entries/{id}/match', {
          params: { path: { id: entry.id }, header: { 'idempotency-key': idempotencyKey() } },
          body: { targets: [{ kind: s.targetKind as TargetKind, targetId: s.targetId, amount: takes(entry, s) }] },
        }),
      ),
    onSuccess: async () => {
      void message.success(t('exceptions.matched'));
      await client.invalidateQueries({ queryKey: ['payments'] });
    },
  });
  const title = `${t(`direction.${entry.direction}`)} ${fmt.money(entry.amount, entry.currency)} · ${
    entry.counterpartyName ?? entryReference(entry)
  }`;
  return (
    <Card
      role="region"
      aria-labelledby={`exception-${entry.id}`}
      title={
        <h2 id={`exception-${entry.id}`} style={{ fontSize: 16, margin: 0 }}>
          {title}
        </h2>
      }
      style={{ marginBottom: 16 }}
      extra={
        <IfAllowed permission="reconciliation:work">
          <IgnoreEntry entry={entry} />
        </IfAllowed>
      }
    >
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2, xl: 3 }}
        items={[
          { key: 'reason', label: t('exceptions.reason'), children: <strong>{entry.exceptionReason ?? '—'}</strong> },
          { key: 'account', label: t('payments.account'), children: accounts.name(entry.bankAccountId) },
          { key: 'date', label: t('entries.bookingDate'), children: fmt.date(entry.bookingDate) },
          { key: 'ref', label: t('entries.reference'), children: entryReference(entry) },
          {
            key: 'remaining',
            label: t('exceptions.remaining'),
            children: fmt.money(entry.remaining, entry.currency),
          },
          { key: 'since', label: t('exceptions.since'), children: fmt.dateTime(entry.exceptionAt) },
        ]}
      />
      <Typography.Title level={3} style={{ fontSize: 14, marginTop: 12 }}>
        {t('exceptions.suggestions')}
      </Typography.Title>
      <ErrorAlert error={match.error} />
      <Table<Suggestion>
        size="small"
        pagination={false}
        rowKey={(s) => `${s.targetKind}:${s.targetId}`}
        aria-label={t('exceptions.suggestionsOf', { id: entry.id })}
        dataSource={entry.suggestions}
        locale={{ emptyText: <EmptyText text={t('exceptions.noSuggestions')} /> }}
        columns={[
          { title: t('exceptions.rank'), dataIndex: 'rank', width: 60 },
          {
            title: t('exceptions.target'),
            key: 'target',
            render: (_, s) => (
              <Space direction="vertical" size={0}>
                <span>
                  {t(`targetKind.${s.targetKind}`, { defaultValue: s.targetKind })}: {s.label}
                </span>
                {s.targetName && <Typography.Text type="secondary">{s.targetName}</Typography.Text>}
              </Space>
            ),
          },
          {
            title: t('exceptions.openAmount'),
            key: 'open',
            align: 'right',
            render: (_, s) => fmt.money(s.openAmount, entry.currency),
          },
          {
            title: t('exceptions.takes'),
            key: 'amount',
            align: 'right',
            render: (_, s) => fmt.money(takes(entry, s), entry.currency),
          },
          { title: t('exceptions.confidence'), key: 'confidence', render: (_, s) => `${s.confidence} (${s.code})` },
          { title: t('exceptions.why'), dataIndex: 'reason' },
          {
            title: t('exceptions.actions'),
            key: 'act',
            render: (_, s) => (
              <IfAllowed permission="reconciliation:work">
                <Button
                  size="small"
                  loading={match.isPending && match.variables === s}
                  onClick={() => match.mutate(s)}
                  aria-label={t('exceptions.matchTo', { label: s.label })}
                >
                  {t('exceptions.match')}
                </Button>
              </IfAllowed>
            ),
          },
        ]}
      />
    </Card>
  );
}

function IgnoreEntry({ entry }: { entry: ExceptionEntry }) {
  const { t } = useTranslation('payments');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const mutation = useMutation({
    mutationFn: (reason: string) =>
      unwrap(
        api.POST('/bank-entries/{id}/ignore', {
          params: { path: { id: entry.id }, header: { 'idempotency-key': idempotencyKey() } },
          body: { reason },
        }),
      ),
    onSuccess: async () => {
      setOpen(false);
      void message.success(t('exceptions.ignored'));
      await client.invalidateQueries({ queryKey: ['payments'] });
    },
  });
  return (
    <>
      <Button onClick={() => setOpen(true)}>{t('exceptions.ignore')}</Button>
      <Modal
        open={open}
        title={t('exceptions.ignoreTitle')}
        okText={t('exceptions.ignore')}
        cancelText={t('common:actions.cancel')}
        confirmLoading={mutation.isPending}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnClose
      >
        <Typography.Paragraph>{t('exceptions.ignoreHelp')}</Typography.Paragraph>
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          onFinish={(values) => mutation.mutate(values.reason.trim())}
        >
          <Form.Item
            name="reason"
            label={t('exceptions.ignoreReason')}
            rules={[{ required: true, whitespace: true, message: t('exceptions.reasonRequired') }]}
          >
            <Input maxLength={500} />
          </Form.Item>
        </Form>
        <ErrorAlert error={mutation.error} />
      </Modal>
    </>
  );
}

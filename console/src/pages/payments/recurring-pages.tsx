// Recurring payments (docs/payments.md "Recurring payments"): standing orders — monthly on a day or the
// last business day, or weekly on a weekday — whose occurrences become payment instructions when due;
// the list, a create form, and a page per standing order with its occurrences' payments and a cancel.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { CreateDialog, useCreateDialog } from './create-dialog';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat } from '../../i18n/format';
import { todayUtc } from '../collections/money';
import { ReasonDialog } from './reason-dialog';
import { AmountField, BeneficiaryField, toMinor, useBeneficiaryNames } from './scheduled-fields';
import {
  DetailsCard,
  EmptyText,
  L,
  PAGE,
  StatusTag,
  bankAccountPath,
  beneficiaryPath,
  h2,
  paymentPath,
  useBankAccounts,
} from './shared';

type Recurring = components['schemas']['RecurringPayment'];
type RecurringInput = components['schemas']['RecurringPaymentInput'];
type Occurrence = components['schemas']['RecurringPaymentDetail']['payments'][number];
type Frequency = Recurring['schedule']['frequency'];
type Day = Recurring['schedule']['day'];

export const recurringPath = (id: string) => `/payments/recurring/${encodeURIComponent(id)}`;

function RecurringStatus({ status }: { status: Recurring['status'] }) {
  const { t } = useTranslation('payments-scheduled');
  return <Tag color={status === 'active' ? 'success' : undefined}>{t(`recurringStatus.${status}`)}</Tag>;
}

/** "Monthly, Day 31" / "Weekly, Friday" / "Monthly, Last business day". */
function useScheduleText() {
  const { t } = useTranslation('payments-scheduled');
  const dayText = (frequency: Frequency, day: Day) =>
    day === 'last_business_day' ? t('day.last') : frequency === 'weekly' ? t(`day.w${day}`) : t('day.nth', { day });
  return {
    dayText,
    text: (s: Recurring['schedule']) =>
      t('recurring.scheduleText', { frequency: t(`frequency.${s.frequency}`), day: dayText(s.frequency, s.day) }),
  };
}

interface Values {
  beneficiaryId: string;
  bankAccountId: string;
  amount: string;
  currency: string;
  remittance?: string;
  frequency: Frequency;
  day: Day;
  startDate: string;
  endDate?: string;
}

function toInput(v: Values): RecurringInput {
  const remittance = v.remittance?.trim();
  return {
    beneficiaryId: v.beneficiaryId,
    bankAccountId: v.bankAccountId,
    amount: toMinor(v.amount, v.currency) ?? '',
    currency: v.currency,
    ...(remittance ? { remittance: { unstructured: remittance } } : {}),
    schedule: {
      frequency: v.frequency,
      day: v.day,
      startDate: v.startDate,
      ...(v.endDate ? { endDate: v.endDate } : {}),
    },
  };
}

export function AddRecurring() {
  const { t } = useTranslation('payments-scheduled');
  const { message } = App.useApp();
  const navigate = useNavigate();
  const client = useQueryClient();
  const beneficiaries = useBeneficiaryNames();
  const accounts = useBankAccounts();
  const { dayText } = useScheduleText();
  const [form] = Form.useForm<Values>();
  const currency = Form.useWatch('currency', form);
  const frequency = Form.useWatch('frequency', form) ?? 'monthly';
  const add = useCreateDialog(
    (values: Values, key: string) =>
      unwrap(
        api.POST('/recurring-payments', { params: { header: { 'idempotency-key': key } }, body: toInput(values) }),
      ),
    async (r) => {
      void message.success(t('recurring.added', { name: beneficiaries.name(r.beneficiaryId) }));
      await client.invalidateQueries({ queryKey: ['payments', 'recurring'] });
      void navigate(recurringPath(r.id));
    },
  );
  const accountList = accounts.query.data?.data ?? [];
  const days: Day[] =
    frequency === 'weekly'
      ? [1, 2, 3, 4, 5, 6, 7]
      : [...Array.from({ length: 31 }, (_, i) => i + 1), 'last_business_day' as const];
  return (
    <CreateDialog
      dialog={add}
      form={form}
      button={t('recurring.add')}
      title={t('recurring.addTitle')}
      okText={t('submit')}
      width={640}
    >
      <Form<Values>
        name="recurring"
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ frequency: 'monthly', day: 1, startDate: todayUtc() }}
        onFinish={(values) => add.mutation.mutate(values)}
        onValuesChange={(changed: Partial<Values>) => {
          // The account's currency is the payment's: picking an account sets it.
          if (changed.bankAccountId) {
            const account = accountList.find((a) => a.id === changed.bankAccountId);
            if (account) form.setFieldValue('currency', account.currency);
          }
          if (changed.frequency) form.setFieldValue('day', 1);
        }}
      >
        <BeneficiaryField />
        <Form.Item
          name="bankAccountId"
          label={t('field.account')}
          rules={[{ required: true, message: t('field.required') }]}
        >
          <Select options={accountList.map((a) => ({ value: a.id, label: `${a.name} (${a.currency})` }))} />
        </Form.Item>
        <Space align="start" wrap>
          <AmountField currency={currency} />
          <Form.Item
            name="currency"
            label={t('field.currency')}
            rules={[{ required: true, message: t('field.required') }]}
          >
            <Select
              style={{ width: 110 }}
              options={[...new Set(accountList.map((a) => a.currency))].map((c) => ({ value: c, label: c }))}
            />
          </Form.Item>
        </Space>
        <Form.Item name="remittance" label={t('field.remittance')}>
          <Input maxLength={140} />
        </Form.Item>
        <Space align="start" wrap>
          <Form.Item name="frequency" label={t('field.frequency')}>
            <Select
              style={{ width: 140 }}
              options={(['monthly', 'weekly'] as const).map((f) => ({ value: f, label: t(`frequency.${f}`) }))}
            />
          </Form.Item>
          <Form.Item name="day" label={t('field.day')}>
            <Select
              style={{ width: 200 }}
              // 32 options, all rendered (not virtual): a scroll or a search reaches the last business day.
              virtual={false}
              options={days.map((d) => ({ value: d, label: dayText(frequency, d) }))}
            />
          </Form.Item>
          <Form.Item
            name="startDate"
            label={t('field.startDate')}
            rules={[{ required: true, message: t('field.required') }]}
          >
            <Input type="date" min={todayUtc()} />
          </Form.Item>
          <Form.Item name="endDate" label={t('field.endDate')}>
            <Input type="date" />
          </Form.Item>
        </Space>
      </Form>
      <ErrorAlert error={add.mutation.error} />
    </CreateDialog>
  );
}

export function RecurringList() {
  const { t } = useTranslation('payments-scheduled');
  const fmt = useFormat();
  const navigate = useNavigate();
  const beneficiaries = useBeneficiaryNames();
  const schedule = useScheduleText();
  const { query, rows } = usePaged(['payments', 'recurring'], (after) =>
    unwrap(api.GET('/recurring-payments', { params: { query: { limit: PAGE, ...(after ? { after } : {}) } } })),
  );
  return (
    <Card
      title={h2(t('recurring.list'))}
      extra={
        <IfAllowed permission="payments:initiate">
          <AddRecurring />
        </IfAllowed>
      }
    >
      <ErrorAlert error={query.error} />
      <KeyTable<Recurring>
        label={t('recurring.list')}
        rowKey={(r) => r.id}
        loading={query.isPending}
        dataSource={rows}
        locale={{ emptyText: <EmptyText text={t('recurring.none')} /> }}
        onOpen={(r) => void navigate(recurringPath(r.id))}
        columns={[
          { title: t('recurring.id'), key: 'id', render: (_, r) => <L to={recurringPath(r.id)}>{r.id}</L> },
          { title: t('field.beneficiary'), key: 'beneficiary', render: (_, r) => beneficiaries.name(r.beneficiaryId) },
          {
            title: t('field.amount'),
            key: 'amount',
            align: 'right',
            render: (_, r) => fmt.money(r.amount, r.currency),
          },
          { title: t('recurring.schedule'), key: 'schedule', render: (_, r) => schedule.text(r.schedule) },
          { title: t('recurring.from'), key: 'from', render: (_, r) => fmt.date(r.schedule.startDate) },
          {
            title: t('recurring.until'),
            key: 'until',
            render: (_, r) => (r.schedule.endDate ? fmt.date(r.schedule.endDate) : '—'),
          },
          {
            title: t('recurring.last'),
            key: 'last',
            render: (_, r) => (r.lastOccurrence ? fmt.date(r.lastOccurrence) : '—'),
          },
          { title: t('recurring.status'), key: 'status', render: (_, r) => <RecurringStatus status={r.status} /> },
        ]}
      />
      <LoadMore query={query} />
    </Card>
  );
}

export function RecurringPage() {
  const { t } = useTranslation('payments-scheduled');
  const { t: tp } = useTranslation('payments');
  const { message } = App.useApp();
  const fmt = useFormat();
  const navigate = useNavigate();
  const client = useQueryClient();
  const beneficiaries = useBeneficiaryNames();
  const accounts = useBankAccounts();
  const schedule = useScheduleText();
  const id = useParams().id ?? '';
  const [cancelling, setCancelling] = useState(false);
  const query = useQuery({
    queryKey: ['payments', 'recurring', id],
    queryFn: () => unwrap(api.GET('/recurring-payments/{id}', { params: { path: { id } } })),
  });
  const cancel = useMutation({
    mutationFn: (reason: string) =>
      unwrap(
        api.POST('/recurring-payments/{id}/cancel', {
          params: { path: { id }, header: { 'idempotency-key': idempotencyKey() } },
          body: { reason },
        }),
      ),
    onSuccess: async () => {
      setCancelling(false);
      void message.success(t('recurring.cancelled'));
      await client.invalidateQueries({ queryKey: ['payments', 'recurring'] });
    },
  });
  const r = query.data;
  return (
    <>
      <PageHeader
        title={t('recurring.title', { id })}
        extra={
          <Space>
            {r?.status === 'active' && (
              <IfAllowed permission="payments:initiate">
                <Button danger onClick={() => (cancel.reset(), setCancelling(true))}>
                  {t('recurring.cancel')}
                </Button>
              </IfAllowed>
            )}
            <Button onClick={() => void navigate('/payments?tab=recurring')}>{t('common:actions.back')}</Button>
          </Space>
        }
      />
      <ErrorAlert error={query.error} />
      {query.isPending && <Card loading />}
      {r && (
        <DetailsCard
          title={t('recurring.details')}
          items={[
            {
              key: 'beneficiary',
              label: t('field.beneficiary'),
              children: <L to={beneficiaryPath(r.beneficiaryId)}>{beneficiaries.name(r.beneficiaryId)}</L>,
            },
            { key: 'amount', label: t('field.amount'), children: <strong>{fmt.money(r.amount, r.currency)}</strong> },
            {
              key: 'account',
              label: t('field.account'),
              children: <L to={bankAccountPath(r.bankAccountId)}>{accounts.name(r.bankAccountId)}</L>,
            },
            { key: 'schedule', label: t('recurring.schedule'), children: schedule.text(r.schedule) },
            { key: 'from', label: t('recurring.from'), children: fmt.date(r.schedule.startDate) },
            {
              key: 'until',
              label: t('recurring.until'),
              children: r.schedule.endDate ? fmt.date(r.schedule.endDate) : '—',
            },
            { key: 'remittance', label: t('field.remittance'), children: r.remittance?.unstructured ?? '—' },
            { key: 'status', label: t('recurring.status'), children: <RecurringStatus status={r.status} /> },
            {
              key: 'created',
              label: t('recurring.createdBy'),
              children: `${r.createdBy} · ${fmt.dateTime(r.createdAt)}`,
            },
            ...(r.cancelledAt
              ? [
                  {
                    key: 'cancelled',
                    label: t('recurring.cancelledBy'),
                    children: `${r.cancelledBy ?? ''} · ${fmt.dateTime(r.cancelledAt)}${r.reason ? ` — ${r.reason}` : ''}`,
                  },
                ]
              : []),
          ]}
        />
      )}
      {r && (
        <Card title={h2(t('recurring.occurrences'))}>
          <Table<Occurrence>
            aria-label={t('recurring.occurrences')}
            size="small"
            pagination={false}
            rowKey={(o) => o.paymentId}
            dataSource={r.payments}
            locale={{ emptyText: <EmptyText text={t('recurring.noOccurrences')} /> }}
            columns={[
              { title: t('recurring.occurrence'), key: 'occurrence', render: (_, o) => fmt.date(o.occurrence) },
              {
                title: tp('payments.id'),
                key: 'id',
                render: (_, o) => <L to={paymentPath(o.paymentId)}>{o.paymentId}</L>,
              },
              { title: tp('payments.valueDate'), key: 'date', render: (_, o) => fmt.date(o.requestedExecutionDate) },
              { title: tp('payments.status'), key: 'status', render: (_, o) => <StatusTag status={o.status} /> },
            ]}
          />
        </Card>
      )}
      <ReasonDialog
        open={cancelling}
        title={t('recurring.cancelTitle')}
        okText={t('recurring.cancelOk')}
        label={t('recurring.reason')}
        requiredMessage={t('recurring.reasonRequired')}
        intro={t('recurring.cancelIntro')}
        pending={cancel.isPending}
        error={cancel.error}
        onSubmit={(reason) => cancel.mutate(reason)}
        onClose={() => setCancelling(false)}
      />
    </>
  );
}

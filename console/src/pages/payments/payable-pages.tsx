// Payables (docs/payments.md "Payables"): supplier invoices recorded by one person and approved by
// another (the server refuses the maker's own approval and says so), then turned into payment
// instructions when due — on the early-payment discount date for the discounted amount while it lasts.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, InputNumber, Radio, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { CreateDialog, useCreateDialog } from './create-dialog';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat } from '../../i18n/format';
import { ReasonDialog } from './reason-dialog';
import { AmountField, BeneficiaryField, currencyDigits, toMinor, useBeneficiaryNames } from './scheduled-fields';
import { EmptyText, L, PAGE, StatusFilter, beneficiaryPath, h2, paymentPath, useBankAccounts } from './shared';

type Payable = components['schemas']['Payable'];
type PayableInput = components['schemas']['PayableInput'];
type Status = Payable['status'];
const STATUSES: Status[] = ['pending_approval', 'approved', 'scheduled', 'rejected'];
const STATUS_COLOR: Record<Status, string | undefined> = {
  pending_approval: 'warning',
  approved: 'processing',
  scheduled: 'success',
  rejected: 'error',
};

export function PayableStatus({ status }: { status: Status }) {
  const { t } = useTranslation('payments-scheduled');
  return <Tag color={STATUS_COLOR[status]}>{t(`payableStatus.${status}`)}</Tag>;
}

interface Values {
  beneficiaryId: string;
  bankAccountId?: string;
  invoiceNumber: string;
  amount: string;
  currency: string;
  dueDate: string;
  discountDate?: string;
  discountKind: 'percent' | 'amount';
  discountValue?: string;
}

function toInput(v: Values): PayableInput {
  const value = v.discountValue?.trim();
  const discount =
    v.discountDate && value
      ? {
          date: v.discountDate,
          ...(v.discountKind === 'percent'
            ? { percent: value.replace(',', '.') }
            : { amount: toMinor(value, v.currency) ?? '' }),
        }
      : undefined;
  return {
    beneficiaryId: v.beneficiaryId,
    ...(v.bankAccountId ? { bankAccountId: v.bankAccountId } : {}),
    invoiceNumber: v.invoiceNumber.trim(),
    amount: toMinor(v.amount, v.currency) ?? '',
    currency: v.currency,
    dueDate: v.dueDate,
    ...(discount ? { discount } : {}),
  };
}

export function AddPayable() {
  const { t } = useTranslation('payments-scheduled');
  const { message } = App.useApp();
  const client = useQueryClient();
  const accounts = useBankAccounts();
  const [form] = Form.useForm<Values>();
  const currency = Form.useWatch('currency', form);
  const kind = Form.useWatch('discountKind', form);
  const add = useCreateDialog(
    (values: Values, key: string) =>
      unwrap(api.POST('/payables', { params: { header: { 'idempotency-key': key } }, body: toInput(values) })),
    async (p) => {
      void message.success(t('payables.added', { invoice: p.invoiceNumber }));
      await client.invalidateQueries({ queryKey: ['payments', 'payables'] });
    },
  );
  const accountList = accounts.query.data?.data ?? [];
  const currencies = [...new Set(accountList.map((a) => a.currency))];
  return (
    <CreateDialog
      dialog={add}
      form={form}
      button={t('payables.add')}
      title={t('payables.addTitle')}
      okText={t('submit')}
      width={640}
    >
      <Form<Values>
        name="payable"
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ currency: currencies[0] ?? 'EUR', discountKind: 'percent' }}
        onFinish={(values) => add.mutation.mutate(values)}
      >
        <BeneficiaryField />
        <Form.Item
          name="invoiceNumber"
          label={t('field.invoice')}
          rules={[{ required: true, whitespace: true, message: t('field.required') }]}
        >
          <Input maxLength={140} />
        </Form.Item>
        <Space align="start" wrap>
          <AmountField currency={currency} />
          <Form.Item name="currency" label={t('field.currency')} rules={[{ required: true }]}>
            <Select style={{ width: 110 }} options={currencies.map((c) => ({ value: c, label: c }))} />
          </Form.Item>
          <Form.Item
            name="dueDate"
            label={t('field.dueDate')}
            rules={[{ required: true, message: t('field.required') }]}
          >
            <Input type="date" />
          </Form.Item>
        </Space>
        <Form.Item name="bankAccountId" label={t('field.account')}>
          <Select
            allowClear
            placeholder={t('field.accountAny')}
            options={accountList
              .filter((a) => !currency || a.currency === currency)
              .map((a) => ({ value: a.id, label: `${a.name} (${a.currency})` }))}
          />
        </Form.Item>
        <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
          <legend style={{ fontSize: 14, marginBottom: 8 }}>{t('field.discount')}</legend>
          <Space align="start" wrap>
            <Form.Item name="discountDate" label={t('field.discountDate')}>
              <Input type="date" />
            </Form.Item>
            <Form.Item name="discountKind" label={t('field.discountKind')}>
              <Radio.Group
                options={[
                  { value: 'percent', label: t('field.percent') },
                  { value: 'amount', label: t('field.fixed') },
                ]}
              />
            </Form.Item>
            <Form.Item
              name="discountValue"
              label={t('field.discountValue')}
              dependencies={['discountKind', 'currency']}
              rules={[
                {
                  validator: (_, value: string | undefined) => {
                    const v = value?.trim();
                    const bad = !v
                      ? null
                      : kind === 'percent'
                        ? /^\d{1,2}([.,]\d{1,4})?$/.test(v)
                          ? null
                          : t('field.badPercent')
                        : toMinor(v, currency ?? 'EUR') === null
                          ? t('field.badAmount', { digits: currencyDigits(currency ?? 'EUR') })
                          : null;
                    return bad ? Promise.reject(new Error(bad)) : Promise.resolve();
                  },
                },
              ]}
            >
              <Input inputMode="decimal" style={{ width: 140 }} suffix={kind === 'percent' ? '%' : currency} />
            </Form.Item>
          </Space>
        </fieldset>
      </Form>
      <ErrorAlert error={add.mutation.error} />
    </CreateDialog>
  );
}

export function PayablesList() {
  const { t } = useTranslation('payments-scheduled');
  const { message } = App.useApp();
  const fmt = useFormat();
  const client = useQueryClient();
  const beneficiaries = useBeneficiaryNames();
  const [status, setStatus] = useState<Status | undefined>();
  const [rejecting, setRejecting] = useState<Payable | undefined>();
  const { query, rows } = usePaged(['payments', 'payables', status], (after) =>
    unwrap(
      api.GET('/payables', {
        params: { query: { limit: PAGE, ...(status ? { status } : {}), ...(after ? { after } : {}) } },
      }),
    ),
  );
  const decide = useMutation({
    mutationFn: ({ payable, approve, reason }: { payable: Payable; approve: boolean; reason?: string }) =>
      unwrap(
        api.POST(approve ? '/payables/{id}/approve' : '/payables/{id}/reject', {
          params: { path: { id: payable.id }, header: { 'idempotency-key': idempotencyKey() } },
          body: reason ? { reason } : {},
        }),
      ),
    onSuccess: async (p, { approve }) => {
      setRejecting(undefined);
      void message.success(t(approve ? 'payables.approved' : 'payables.rejected', { invoice: p.invoiceNumber }));
      await client.invalidateQueries({ queryKey: ['payments', 'payables'] });
    },
  });
  const refused = decide.error && !rejecting ? decide.error : undefined;
  return (
    <Card
      title={h2(t('payables.list'))}
      extra={
        <IfAllowed permission="payments:initiate">
          <AddPayable />
        </IfAllowed>
      }
      style={{ marginBottom: 16 }}
    >
      <StatusFilter<Status>
        id="payables-status"
        label={t('payables.status')}
        any={t('payables.anyStatus')}
        value={status}
        onChange={setStatus}
        options={STATUSES.map((s) => ({ value: s, label: t(`payableStatus.${s}`) }))}
      />
      <ErrorAlert error={query.error} />
      <ErrorAlert error={refused} />
      <KeyTable<Payable>
        label={t('payables.list')}
        rowKey={(p) => p.id}
        loading={query.isPending}
        dataSource={rows}
        locale={{ emptyText: <EmptyText text={t('payables.none')} /> }}
        columns={[
          { title: t('field.invoice'), key: 'invoice', render: (_, p) => p.invoiceNumber },
          {
            title: t('field.beneficiary'),
            key: 'beneficiary',
            render: (_, p) => <L to={beneficiaryPath(p.beneficiaryId)}>{beneficiaries.name(p.beneficiaryId)}</L>,
          },
          {
            title: t('field.amount'),
            key: 'amount',
            align: 'right',
            render: (_, p) => fmt.money(p.amount, p.currency),
          },
          { title: t('payables.due'), key: 'due', render: (_, p) => fmt.date(p.dueDate) },
          {
            title: t('payables.discount'),
            key: 'discount',
            render: (_, p) =>
              p.discount
                ? t('payables.discountText', {
                    amount: fmt.money(p.discount.amount, p.currency),
                    date: fmt.date(p.discount.date),
                  })
                : '—',
          },
          { title: t('payables.status'), key: 'status', render: (_, p) => <PayableStatus status={p.status} /> },
          {
            title: t('payables.payment'),
            key: 'payment',
            render: (_, p) => (p.paymentId ? <L to={paymentPath(p.paymentId)}>{p.paymentId}</L> : '—'),
          },
          {
            title: t('payables.actions'),
            key: 'actions',
            render: (_, p) =>
              p.status === 'pending_approval' ? (
                <IfAllowed permission="payments:approve">
                  <Space>
                    <Button
                      size="small"
                      type="primary"
                      aria-label={`${t('payables.approve')} ${p.invoiceNumber}`}
                      loading={decide.isPending && decide.variables.payable.id === p.id && decide.variables.approve}
                      onClick={() => decide.mutate({ payable: p, approve: true })}
                    >
                      {t('payables.approve')}
                    </Button>
                    <Button
                      size="small"
                      danger
                      aria-label={`${t('payables.reject')} ${p.invoiceNumber}`}
                      onClick={() => {
                        decide.reset();
                        setRejecting(p);
                      }}
                    >
                      {t('payables.reject')}
                    </Button>
                  </Space>
                </IfAllowed>
              ) : null,
          },
        ]}
      />
      <LoadMore query={query} />
      <ReasonDialog
        open={rejecting !== undefined}
        title={t('payables.rejectTitle')}
        okText={t('payables.reject')}
        label={t('payables.reason')}
        requiredMessage={t('payables.reasonRequired')}
        intro={
          rejecting &&
          t('payables.rejectIntro', {
            amount: fmt.money(rejecting.amount, rejecting.currency),
            name: beneficiaries.name(rejecting.beneficiaryId),
            invoice: rejecting.invoiceNumber,
          })
        }
        pending={decide.isPending}
        error={rejecting ? decide.error : undefined}
        onSubmit={(reason) => rejecting && decide.mutate({ payable: rejecting, approve: false, reason })}
        onClose={() => setRejecting(undefined)}
      />
    </Card>
  );
}

/** POST /payables/schedule: the approved payables due within N days become payments, shown as made. */
export function SchedulePayables() {
  const { t } = useTranslation('payments-scheduled');
  const fmt = useFormat();
  const client = useQueryClient();
  const beneficiaries = useBeneficiaryNames();
  const [within, setWithin] = useState<number>(7);
  const schedule = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/payables/schedule', {
          params: { header: { 'idempotency-key': idempotencyKey() } },
          body: { withinDays: within },
        }),
      ),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['payments'] });
    },
  });
  const result = schedule.data;
  type Made = NonNullable<typeof result>['scheduled'][number];
  const payables = new Map<string, Payable>();
  for (const page of client.getQueriesData<{ pages: Array<{ data: Payable[] }> }>({
    queryKey: ['payments', 'payables'],
  })) {
    for (const p of page[1]?.pages.flatMap((x) => x.data) ?? []) payables.set(p.id, p);
  }
  return (
    <Card title={h2(t('schedule.title'))}>
      <Form layout="inline" onFinish={() => schedule.mutate()} style={{ marginBottom: 12 }}>
        <Form.Item label={t('schedule.within')} htmlFor="payables-within">
          <InputNumber id="payables-within" min={0} max={90} value={within} onChange={(v) => setWithin(v ?? 0)} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={schedule.isPending}>
          {t('schedule.run')}
        </Button>
      </Form>
      <ErrorAlert error={schedule.error} />
      {result && (
        <section aria-label={t('schedule.result')}>
          <Alert
            type="success"
            showIcon
            style={{ marginBottom: 12 }}
            message={t('schedule.count', { count: result.scheduled.length, horizon: fmt.date(result.horizon) })}
          />
          {result.scheduled.length > 0 && (
            <Table<Made>
              aria-label={t('schedule.result')}
              size="small"
              pagination={false}
              rowKey={(s) => s.paymentId}
              dataSource={result.scheduled}
              columns={[
                {
                  title: t('field.invoice'),
                  key: 'invoice',
                  render: (_, s) => payables.get(s.payableId)?.invoiceNumber ?? s.payableId,
                },
                {
                  title: t('field.beneficiary'),
                  key: 'beneficiary',
                  render: (_, s) => {
                    const p = payables.get(s.payableId);
                    return p ? beneficiaries.name(p.beneficiaryId) : '—';
                  },
                },
                {
                  title: t('payables.payment'),
                  key: 'payment',
                  render: (_, s) => <L to={paymentPath(s.paymentId)}>{s.paymentId}</L>,
                },
                {
                  title: t('field.amount'),
                  key: 'amount',
                  align: 'right',
                  render: (_, s) => (
                    <>
                      {fmt.money(s.amount, s.currency)} {s.discounted && <Tag>{t('schedule.discounted')}</Tag>}
                    </>
                  ),
                },
                { title: t('schedule.date'), key: 'date', render: (_, s) => fmt.date(s.requestedExecutionDate) },
              ]}
            />
          )}
        </section>
      )}
    </Card>
  );
}

export function PayablesTab() {
  return (
    <>
      <PayablesList />
      <IfAllowed permission="payments:initiate">
        <SchedulePayables />
      </IfAllowed>
    </>
  );
}

// What a collector does on a case, each a form checked before it is sent and sent to the existing
// collections routes: a call outcome (a contact), a promise to pay, a payment plan request, a dispute,
// a hardship report. The server's refusals come back naming the field, shown on that field.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Flex, Form, Input, Modal, Radio, Select } from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, idempotencyKey, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { useFormat } from '../../i18n/format';
import { addDaysIso, currencyDigits, todayUtc, toMinor } from './money';

export type ActionKind = 'call' | 'promise' | 'plan' | 'dispute' | 'hardship';
export const ACTIONS: ActionKind[] = ['call', 'promise', 'plan', 'dispute', 'hardship'];

const CHANNELS = ['call', 'email', 'sms', 'letter', 'visit', 'chat'] as const;
const WILLINGNESS = ['willing', 'unable', 'unwilling', 'disputes', 'unknown'] as const;
const CIRCUMSTANCES = ['job_loss', 'illness', 'bereavement', 'disaster', 'divorce', 'other'] as const;

export interface CaseFacts {
  id: string;
  currency: string;
  outstanding: string;
}

type Values = Record<string, unknown>;

/** An antd rule validator from a check that answers the problem, or null when the value is fine. */
const check =
  (problem: (value: string | undefined) => string | null) =>
  (_: unknown, value: string | undefined): Promise<void> => {
    const found = problem(value);
    return found ? Promise.reject(new Error(found)) : Promise.resolve();
  };

/** `body.installments.0.amount` → ['installments', 0, 'amount'] (the form's name path). */
function fieldPath(field: string): Array<string | number> {
  return field
    .replace(/^body\./, '')
    .split('.')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

export function CaseActionModal({
  kind,
  facts,
  onClose,
}: {
  kind: ActionKind | null;
  facts: CaseFacts;
  onClose: () => void;
}) {
  const { t } = useTranslation('collections');
  const format = useFormat();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [key, setKey] = useState(idempotencyKey);
  const digits = currencyDigits(facts.currency);
  const today = todayUtc();

  const amountRules = (required: boolean) => [
    ...(required ? [{ required: true, message: t('validation.required') }] : []),
    {
      validator: check((value) => {
        if (!value && !required) return null;
        if (!value) return null; // the required rule says so
        const minor = toMinor(value, facts.currency);
        if (minor === null) return t('validation.amount', { digits });
        if (BigInt(minor) > BigInt(facts.outstanding)) {
          return t('validation.maxAmount', { amount: format.money(facts.outstanding, facts.currency) });
        }
        return null;
      }),
    },
  ];

  const send = useMutation({
    mutationFn: async (values: Values) => {
      const path = { id: facts.id };
      const text = (name: string) => {
        const v = values[name];
        return typeof v === 'string' && v.trim() ? v.trim() : undefined;
      };
      const money = (name: string) => toMinor(text(name), facts.currency) ?? undefined;
      switch (kind) {
        case 'call':
          return unwrap(
            api.POST('/collections/cases/{id}/contacts', {
              params: { path },
              body: {
                channel: values.channel as (typeof CHANNELS)[number],
                direction: values.direction as 'outbound' | 'inbound',
                reached: values.reached === true,
                rightParty: values.reached === true ? values.rightParty === true : undefined,
                willingness: values.willingness as (typeof WILLINGNESS)[number] | undefined,
                delayReason: text('delayReason'),
                notes: text('notes'),
                newPhone: text('newPhone'),
                newEmail: text('newEmail'),
              },
            }),
          );
        case 'promise':
          return unwrap(
            api.POST('/collections/cases/{id}/promises', {
              params: { path, header: { 'idempotency-key': key } },
              body: { amount: money('amount')!, date: text('date')! },
            }),
          );
        case 'plan': {
          const lines = (values.installments as Array<{ date?: string; amount?: string }> | undefined) ?? [];
          return unwrap(
            api.POST('/collections/cases/{id}/plans', {
              params: { path, header: { 'idempotency-key': key } },
              body: {
                installments: lines.map((l) => ({
                  date: l.date ?? '',
                  amount: toMinor(l.amount, facts.currency) ?? '0',
                })),
              },
            }),
          );
        }
        case 'dispute':
          return unwrap(
            api.POST('/collections/cases/{id}/disputes', {
              params: { path },
              body: { reason: text('reason')!, amount: money('amount') },
            }),
          );
        case 'hardship':
          return unwrap(
            api.POST('/collections/cases/{id}/hardship', {
              params: { path },
              body: {
                circumstance: values.circumstance as (typeof CIRCUMSTANCES)[number],
                notes: text('notes')!,
              },
            }),
          );
        default:
          throw new Error('no action');
      }
    },
    onSuccess: async () => {
      void message.success(t('actions.done'));
      await client.invalidateQueries({ queryKey: ['collections'] });
      close();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.fields.length > 0) {
        form.setFields(
          error.fields
            .filter((f) => f.field.startsWith('body.'))
            .map((f) => ({ name: fieldPath(f.field), errors: [f.message] })),
        );
      }
    },
  });

  const close = () => {
    form.resetFields();
    send.reset();
    setKey(idempotencyKey());
    onClose();
  };

  const required = { required: true, message: t('validation.required') };
  let fields: ReactNode = null;
  let initialValues: Values = {};
  if (kind === 'call') {
    initialValues = { channel: 'call', direction: 'outbound', reached: true, rightParty: true };
    fields = (
      <>
        <Flex gap={12}>
          <Form.Item name="channel" label={t('fields.channel')} rules={[required]} style={{ flex: 1 }}>
            <Select options={CHANNELS.map((c) => ({ value: c, label: t(`channels.${c}`) }))} />
          </Form.Item>
          <Form.Item name="direction" label={t('fields.direction')} rules={[required]} style={{ flex: 1 }}>
            <Select
              options={(['outbound', 'inbound'] as const).map((d) => ({ value: d, label: t(`directions.${d}`) }))}
            />
          </Form.Item>
        </Flex>
        <Form.Item name="reached" label={t('fields.reached')} rules={[required]}>
          <Radio.Group
            options={[
              { value: true, label: t('fields.yes') },
              { value: false, label: t('fields.no') },
            ]}
          />
        </Form.Item>
        <Form.Item noStyle shouldUpdate={(a: Values, b: Values) => a.reached !== b.reached}>
          {({ getFieldValue }) =>
            getFieldValue('reached') === true && (
              <>
                <Form.Item name="rightParty" label={t('fields.rightParty')}>
                  <Radio.Group
                    options={[
                      { value: true, label: t('fields.yes') },
                      { value: false, label: t('fields.no') },
                    ]}
                  />
                </Form.Item>
                <Form.Item name="willingness" label={t('fields.willingness')}>
                  <Select allowClear options={WILLINGNESS.map((w) => ({ value: w, label: t(`willingness.${w}`) }))} />
                </Form.Item>
                <Form.Item name="delayReason" label={t('fields.delayReason')} rules={[{ max: 200 }]}>
                  <Input maxLength={200} />
                </Form.Item>
              </>
            )
          }
        </Form.Item>
        <Flex gap={12}>
          <Form.Item name="newPhone" label={t('fields.newPhone')} style={{ flex: 1 }}>
            <Input type="tel" maxLength={40} />
          </Form.Item>
          <Form.Item
            name="newEmail"
            label={t('fields.newEmail')}
            rules={[{ type: 'email', message: t('validation.email') }]}
            style={{ flex: 1 }}
          >
            <Input type="email" maxLength={200} />
          </Form.Item>
        </Flex>
        <Form.Item name="notes" label={t('fields.notes')} rules={[{ max: 4000 }]}>
          <Input.TextArea rows={3} maxLength={4000} />
        </Form.Item>
      </>
    );
  } else if (kind === 'promise') {
    fields = (
      <>
        <Form.Item
          name="amount"
          label={t('fields.amount')}
          extra={t('actions.amountHelp', { currency: facts.currency })}
          rules={amountRules(true)}
        >
          <Input inputMode="decimal" addonAfter={facts.currency} />
        </Form.Item>
        <Form.Item
          name="date"
          label={t('fields.date')}
          extra={t('actions.promiseDateHelp')}
          rules={[
            { required: true, message: t('validation.date') },
            {
              validator: check((v) =>
                v && (v < today || v > addDaysIso(today, 90)) ? t('validation.dateRange') : null,
              ),
            },
          ]}
        >
          <Input type="date" min={today} max={addDaysIso(today, 90)} />
        </Form.Item>
      </>
    );
  } else if (kind === 'plan') {
    initialValues = { installments: [{}, {}] };
    fields = (
      <Form.List name="installments">
        {(lines, { add, remove }) => (
          <>
            {lines.map((line, index) => (
              <Flex key={line.key} gap={8} align="start">
                <Form.Item
                  name={[line.name, 'date']}
                  label={t('actions.installmentDate', { n: index + 1 })}
                  rules={[
                    { required: true, message: t('validation.date') },
                    ({ getFieldValue }) => ({
                      validator: check((v) => {
                        if (!v) return null;
                        if (v < today) return t('validation.dateRange');
                        const previous =
                          index > 0 ? (getFieldValue(['installments', index - 1, 'date']) as string) : '';
                        return previous && v <= previous ? t('validation.dateOrder') : null;
                      }),
                    }),
                  ]}
                  style={{ flex: 1 }}
                >
                  <Input type="date" min={today} />
                </Form.Item>
                <Form.Item
                  name={[line.name, 'amount']}
                  label={t('actions.installmentAmount', { n: index + 1 })}
                  rules={amountRules(true)}
                  style={{ flex: 1 }}
                >
                  <Input inputMode="decimal" addonAfter={facts.currency} />
                </Form.Item>
                <Button
                  style={{ marginTop: 30 }}
                  disabled={lines.length <= 1}
                  onClick={() => remove(line.name)}
                  aria-label={t('actions.removeInstallment', { n: index + 1 })}
                >
                  ×
                </Button>
              </Flex>
            ))}
            <Button onClick={() => add({})} disabled={lines.length >= 36}>
              {t('actions.addInstallment')}
            </Button>
          </>
        )}
      </Form.List>
    );
  } else if (kind === 'dispute') {
    fields = (
      <>
        <Form.Item name="reason" label={t('fields.reason')} rules={[required, { max: 1000 }]}>
          <Input.TextArea rows={3} maxLength={1000} />
        </Form.Item>
        <Form.Item
          name="amount"
          label={t('fields.amount')}
          extra={t('actions.disputeAmountHelp')}
          rules={amountRules(false)}
        >
          <Input inputMode="decimal" addonAfter={facts.currency} />
        </Form.Item>
      </>
    );
  } else if (kind === 'hardship') {
    fields = (
      <>
        <Form.Item name="circumstance" label={t('fields.circumstance')} rules={[required]}>
          <Select options={CIRCUMSTANCES.map((c) => ({ value: c, label: t(`circumstances.${c}`) }))} />
        </Form.Item>
        <Form.Item name="notes" label={t('fields.notes')} rules={[required, { max: 4000 }]}>
          <Input.TextArea rows={4} maxLength={4000} />
        </Form.Item>
      </>
    );
  }

  return (
    <Modal
      open={kind !== null}
      title={kind ? t(`actions.${kind}`) : ''}
      onCancel={close}
      destroyOnClose
      okText={t('actions.submit')}
      cancelText={t('common:actions.cancel')}
      confirmLoading={send.isPending}
      onOk={() => form.submit()}
      width={kind === 'plan' ? 640 : 520}
    >
      {kind && (
        <Form
          key={kind}
          form={form}
          layout="vertical"
          initialValues={initialValues}
          onFinish={(values) => send.mutate(values)}
          requiredMark
        >
          {fields}
        </Form>
      )}
      <ErrorAlert error={send.error} />
    </Modal>
  );
}

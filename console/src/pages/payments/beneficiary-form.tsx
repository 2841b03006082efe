// Add a beneficiary: name, kind and proposed bank details (an IBAN, or a local account number with its
// bank code and country). The server checks the details (ibantools) and names any field it refuses;
// the beneficiary stays unverified until a second person approves them.
import { App, Form, Input, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { CreateDialog, useCreateDialog } from './create-dialog';
import type { BeneficiaryDetail } from './shared';

type NewBeneficiary = components['schemas']['BeneficiaryInput'];
type Kind = NewBeneficiary['kind'];
const KINDS: Kind[] = ['supplier', 'employee', 'customer', 'other'];

interface Values {
  name: string;
  kind: Kind;
  iban?: string;
  bic?: string;
  accountNumber?: string;
  bankCode?: string;
  country?: string;
}

/** Only what was typed: an empty field is absent, not an empty string the server would refuse. */
function toInput(v: Values): NewBeneficiary {
  const given = (s: string | undefined) => (s?.trim() ? s.trim() : undefined);
  const bankDetails = Object.fromEntries(
    (['iban', 'bic', 'accountNumber', 'bankCode', 'country'] as const)
      .map((k) => [k, given(v[k])] as const)
      .filter(([, value]) => value !== undefined),
  );
  return { name: v.name.trim(), kind: v.kind, bankDetails };
}

export function AddBeneficiary({ onAdded }: { onAdded: (b: BeneficiaryDetail) => void }) {
  const { t } = useTranslation('payments-work');
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const add = useCreateDialog(
    (values: Values, key: string) =>
      unwrap(api.POST('/beneficiaries', { params: { header: { 'idempotency-key': key } }, body: toInput(values) })),
    (b) => {
      void message.success(t('add.added', { name: b.name }));
      onAdded(b);
    },
  );
  return (
    <CreateDialog
      dialog={add}
      form={form}
      button={t('add.button')}
      title={t('add.title')}
      okText={t('add.submit')}
      width={560}
    >
      <Typography.Paragraph type="secondary">{t('add.help')}</Typography.Paragraph>
      <Form<Values>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ kind: 'supplier' }}
        onFinish={(values) => add.mutation.mutate(values)}
      >
        <Form.Item
          name="name"
          label={t('add.name')}
          rules={[{ required: true, whitespace: true, message: t('add.nameRequired') }]}
        >
          <Input maxLength={140} autoFocus />
        </Form.Item>
        <Form.Item name="kind" label={t('beneficiaries.kind')}>
          <Select<Kind> options={KINDS.map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
        </Form.Item>
        <Form.Item
          name="iban"
          label={t('add.iban')}
          dependencies={['accountNumber']}
          rules={[
            ({ getFieldValue }) => ({
              validator: (_, value?: string) =>
                value?.trim() || String(getFieldValue('accountNumber') ?? '').trim()
                  ? Promise.resolve()
                  : Promise.reject(new Error(t('add.accountRequired'))),
            }),
          ]}
        >
          <Input maxLength={42} placeholder="DE89 3704 0044 0532 0130 00" />
        </Form.Item>
        <Form.Item name="bic" label={t('add.bic')}>
          <Input maxLength={11} placeholder="COBADEFFXXX" />
        </Form.Item>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
          {t('add.withoutIban')}
        </Typography.Paragraph>
        <div style={{ display: 'grid', gridTemplateColumns: '2fr 1fr 1fr', gap: 12 }}>
          <Form.Item name="accountNumber" label={t('add.accountNumber')}>
            <Input maxLength={34} />
          </Form.Item>
          <Form.Item name="bankCode" label={t('add.bankCode')}>
            <Input maxLength={20} />
          </Form.Item>
          <Form.Item name="country" label={t('add.country')}>
            <Input maxLength={2} placeholder="US" />
          </Form.Item>
        </div>
      </Form>
      <ErrorAlert error={add.mutation.error} />
    </CreateDialog>
  );
}

// What the payables and recurring-payments forms share: the beneficiaries to pick from (by name), and
// an amount typed in major units checked against the currency's decimals and turned into minor units
// in string arithmetic (collections' toMinor), never through a float.
import { useQuery } from '@tanstack/react-query';
import { Form, Input, Select, type FormRule } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { currencyDigits, toMinor } from '../collections/money';

export { currencyDigits, toMinor };

/** The beneficiaries (the route's page of 500: a company's suppliers and payees fit in it). */
export function useBeneficiaryNames() {
  const query = useQuery({
    queryKey: ['payments', 'beneficiaries', 'names'],
    queryFn: () => unwrap(api.GET('/beneficiaries', { params: { query: { limit: 500 } } })),
    staleTime: 60_000,
  });
  const rows = query.data?.data ?? [];
  const byId = new Map(rows.map((b) => [b.id, b]));
  return {
    query,
    name: (id: string) => byId.get(id)?.name ?? id,
    // A blocked beneficiary is refused by the server: not offered.
    options: rows.filter((b) => b.status !== 'blocked').map((b) => ({ value: b.id, label: b.name })),
  };
}

/** The rules of an amount field in `currency`: required, positive, at most the currency's decimals. */
export function useAmountRules(currency: string | undefined): FormRule[] {
  const { t } = useTranslation('payments-scheduled');
  return [
    { required: true, message: t('field.required') },
    {
      validator: (_, value: string | undefined) => {
        const bad =
          value && currency && toMinor(value, currency) === null
            ? t('field.badAmount', { digits: currencyDigits(currency) })
            : null;
        return bad ? Promise.reject(new Error(bad)) : Promise.resolve();
      },
    },
  ];
}

/** The beneficiary picker of the add forms (payable, recurring payment): required, blocked ones not offered. */
export function BeneficiaryField() {
  const { t } = useTranslation('payments-scheduled');
  const beneficiaries = useBeneficiaryNames();
  return (
    <Form.Item
      name="beneficiaryId"
      label={t('field.beneficiary')}
      rules={[{ required: true, message: t('field.required') }]}
    >
      <Select
        showSearch
        optionFilterProp="label"
        placeholder={t('field.beneficiaryPick')}
        loading={beneficiaries.query.isPending}
        options={beneficiaries.options}
      />
    </Form.Item>
  );
}

/** The amount of the add forms, typed in major units of `currency` (checked by useAmountRules). */
export function AmountField({ currency }: { currency: string | undefined }) {
  const { t } = useTranslation('payments-scheduled');
  const rules = useAmountRules(currency);
  return (
    <Form.Item
      name="amount"
      label={t('field.amount')}
      rules={rules}
      extra={currency ? t('field.amountHelp', { currency }) : undefined}
    >
      <Input inputMode="decimal" style={{ width: 200 }} />
    </Form.Item>
  );
}

// What the payments area's pages share: links in the theme's blue, section headings, the paths of
// each page, and the organisation's bank accounts (a few, read once) to name an account by its id.
import { useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Form, Select, Tag, Typography, type DescriptionsProps } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, type LinkProps } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';

export type Instruction = components['schemas']['PaymentInstruction'];
export type InstructionDetail = components['schemas']['PaymentDetail'];
export type Batch = components['schemas']['PaymentBatch'];
export type BatchDetail = components['schemas']['PaymentBatchWithReports'];
export type BankAccount = components['schemas']['BankAccount'];
export type Statement = components['schemas']['BankStatement'];
export type BankEntry = components['schemas']['BankEntry'];
export type ExceptionEntry = components['schemas']['ReconciliationEntry'];
export type Suggestion = components['schemas']['ReconciliationSuggestion'];
export type Beneficiary = components['schemas']['Beneficiary'];
export type BeneficiaryDetail = components['schemas']['BeneficiaryDetail'];
export type BeneficiaryChange = components['schemas']['BeneficiaryChange'];
export type BankDetails = components['schemas']['BankDetails'];

export const PAGE = 50;

/** A link in the theme's primary blue, which keeps AA contrast on white and on a highlighted row. */
export const L = ({ style, ...props }: LinkProps) => <Link {...props} style={{ color: '#0b5cad', ...style }} />;
export const h2 = (text: ReactNode) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

export const paymentPath = (id: string) => `/payments/${encodeURIComponent(id)}`;
export const batchPath = (id: string) => `/payments/batches/${encodeURIComponent(id)}`;
/** The treasury area's tabs (pages/treasury), once tabs of the payments area. */
export const TREASURY_TABS = ['accounts', 'statements', 'exceptions', 'forecast'] as const;

export const statementPath = (id: string) => `/treasury/statements/${encodeURIComponent(id)}`;
export const beneficiaryPath = (id: string) => `/payments/beneficiaries/${encodeURIComponent(id)}`;
export const bankAccountPath = (id: string) => `/treasury/bank-accounts/${encodeURIComponent(id)}`;

/** A status as a tag, in the person's language (an unknown one as the server wrote it). */
export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation('payments');
  return <Tag>{t(`status.${status}`, { defaultValue: status })}</Tag>;
}

/**
 * The organisation's bank accounts by id. They are configuration (a handful, not a table to page
 * through), so the first page of 500 — the route's maximum — is all of them in practice.
 */
export function useBankAccounts() {
  const query = useQuery({
    queryKey: ['payments', 'bank-accounts'],
    queryFn: () => unwrap(api.GET('/bank-accounts', { params: { query: { limit: 500 } } })),
    staleTime: 60_000,
  });
  const byId = new Map((query.data?.data ?? []).map((a) => [a.id, a]));
  return { query, byId, name: (id: string) => byId.get(id)?.name ?? id };
}

/** An empty table's text in the theme's darkened secondary grey (antd's own placeholder grey fails AA). */
export function EmptyText({ text }: { text: string }) {
  return <Typography.Text type="secondary">{text}</Typography.Text>;
}

/** A page's facts: a card with its heading and the label–value grid every payments page uses. */
export function DetailsCard({
  title,
  items,
  extra,
  children,
}: {
  title: ReactNode;
  items: DescriptionsProps['items'];
  extra?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <Card title={h2(title)} extra={extra} style={{ marginBottom: 16 }}>
      <Descriptions size="small" column={{ xs: 1, md: 2, xl: 3 }} items={items} />
      {children}
    </Card>
  );
}

/** An IBAN in groups of four as it is printed, else the local account number with its bank code. */
export function accountText(d: { iban?: string | null; accountNumber?: string | null; bankCode?: string | null }) {
  if (d.iban) return d.iban.replace(/(.{4})(?=.)/g, '$1 ');
  if (d.accountNumber) return d.bankCode ? `${d.accountNumber} (${d.bankCode})` : d.accountNumber;
  return '—';
}

/** A list's status filter above it: one select, empty for any status. */
export function StatusFilter<S extends string>(props: {
  id: string;
  label: string;
  any: string;
  value: S | undefined;
  onChange: (value: S | undefined) => void;
  options: Array<{ value: S; label: string }>;
}) {
  return (
    <Form layout="inline" style={{ marginBottom: 12 }}>
      <Form.Item label={props.label} htmlFor={props.id}>
        <Select<S>
          id={props.id}
          allowClear
          style={{ width: 200 }}
          placeholder={props.any}
          value={props.value}
          onChange={(value) => props.onChange(value)}
          options={props.options}
        />
      </Form.Item>
    </Form>
  );
}

// What the payments area's pages share: links in the theme's blue, section headings, the paths of
// each page, and the organisation's bank accounts (a few, read once) to name an account by its id.
import { useQuery } from '@tanstack/react-query';
import { Tag, Typography } from 'antd';
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

export const PAGE = 50;

/** A link in the theme's primary blue, which keeps AA contrast on white and on a highlighted row. */
export const L = ({ style, ...props }: LinkProps) => <Link {...props} style={{ color: '#0b5cad', ...style }} />;
export const h2 = (text: ReactNode) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

export const paymentPath = (id: string) => `/payments/${encodeURIComponent(id)}`;
export const batchPath = (id: string) => `/payments/batches/${encodeURIComponent(id)}`;
export const statementPath = (id: string) => `/payments/statements/${encodeURIComponent(id)}`;

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

// The ledger: accounts with their balances (paged), the trial balance, transfers found by journal or
// reference, an account with its transfers, and a transfer with its whole journal entry as debit and
// credit postings. A treasurer (ledger:post) posts or voids an open hold from the transfer's page;
// everyone else sees no write control.
import './locales';
import { useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App as AntApp,
  Button,
  Card,
  Descriptions,
  Flex,
  Form,
  Input,
  Modal,
  Space,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Route, Routes, useNavigate, useParams, useSearchParams, type LinkProps } from 'react-router-dom';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { DownloadButtons } from '../../components/download-buttons';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed, RequirePermission } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { minorToDecimal, useFormat } from '../../i18n/format';

type Account = components['schemas']['LedgerAccount'];
type Transfer = components['schemas']['LedgerTransfer'];

const PAGE = 50;

/** A link in the theme's primary blue, which keeps AA contrast on white and on a highlighted row. */
const L = ({ style, ...props }: LinkProps) => <Link {...props} style={{ color: '#0b5cad', ...style }} />;
const h2 = (text: ReactNode) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;
const accountPath = (id: string) => `/ledger/accounts/${encodeURIComponent(id)}`;
const transferPath = (id: string) => `/ledger/transfers/${encodeURIComponent(id)}`;

/** The posted balance on the account's normal side, in exact integer arithmetic. */
function balanceOf(a: Pick<Account, 'normalSide' | 'debitsPosted' | 'creditsPosted'>): string {
  const debits = BigInt(a.debitsPosted);
  const credits = BigInt(a.creditsPosted);
  return (a.normalSide === 'debit' ? debits - credits : credits - debits).toString();
}

function useKind() {
  const { t } = useTranslation('ledger');
  return (kind: string) => t(`kinds.${kind}`, { defaultValue: kind });
}

// ---------------------------------------------------------------------------------------------
// /ledger: accounts, trial balance, transfers

function LedgerHome() {
  const { t } = useTranslation('ledger');
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'accounts';
  return (
    <>
      <PageHeader title={t('title')} sub={t('sub')} />
      <Tabs
        activeKey={tab}
        onChange={(key) => setParams({ tab: key }, { replace: true })}
        items={[
          { key: 'accounts', label: t('tabs.accounts'), children: <AccountsList /> },
          { key: 'trial-balance', label: t('tabs.trialBalance'), children: <TrialBalance /> },
          { key: 'transfers', label: t('tabs.transfers'), children: <TransferSearch /> },
        ]}
      />
    </>
  );
}

function AccountsList() {
  const { t } = useTranslation('ledger');
  const fmt = useFormat();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<{ code?: string; currency?: string }>({});
  const [form] = Form.useForm<{ code?: string; currency?: string }>();
  const query = useInfiniteQuery({
    queryKey: ['ledger', 'accounts', filters],
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/ledger/accounts', {
          params: {
            query: {
              limit: PAGE,
              ...(filters.code ? { code: filters.code } : {}),
              ...(filters.currency ? { currency: filters.currency.toUpperCase() } : {}),
              ...(pageParam ? { after: pageParam } : {}),
            },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Card title={h2(t('accounts.list'))}>
      <Form
        form={form}
        layout="inline"
        style={{ marginBottom: 12, rowGap: 8 }}
        onFinish={(values) => setFilters({ code: values.code?.trim(), currency: values.currency?.trim() })}
      >
        <Form.Item name="code" label={t('accounts.filterCode')}>
          <Input allowClear placeholder="receivables:principal" />
        </Form.Item>
        <Form.Item name="currency" label={t('accounts.filterCurrency')}>
          <Input allowClear maxLength={3} style={{ width: 90 }} placeholder="EUR" />
        </Form.Item>
        <Form.Item>
          <Button htmlType="submit">{t('accounts.apply')}</Button>
        </Form.Item>
      </Form>
      <ErrorAlert error={query.error} />
      <KeyTable<Account>
        label={t('accounts.list')}
        rowKey={(a) => a.id}
        loading={query.isPending}
        dataSource={rows}
        onOpen={(a) => void navigate(accountPath(a.id))}
        columns={[
          {
            title: t('accounts.code'),
            key: 'code',
            render: (_, a) => <L to={accountPath(a.id)}>{a.code}</L>,
          },
          { title: t('accounts.currency'), dataIndex: 'currency' },
          { title: t('accounts.normalSide'), key: 'side', render: (_, a) => t(`accounts.${a.normalSide}`) },
          {
            title: t('accounts.debitsPosted'),
            key: 'dp',
            align: 'right',
            render: (_, a) => fmt.money(a.debitsPosted, a.currency),
          },
          {
            title: t('accounts.creditsPosted'),
            key: 'cp',
            align: 'right',
            render: (_, a) => fmt.money(a.creditsPosted, a.currency),
          },
          {
            title: t('accounts.balance'),
            key: 'balance',
            align: 'right',
            render: (_, a) => <strong>{fmt.money(balanceOf(a), a.currency)}</strong>,
          },
          {
            title: t('accounts.pending'),
            key: 'pending',
            align: 'right',
            render: (_, a) =>
              a.debitsPending === '0' && a.creditsPending === '0'
                ? '—'
                : `${fmt.money(a.debitsPending, a.currency)} / ${fmt.money(a.creditsPending, a.currency)}`,
          },
        ]}
      />
      {query.hasNextPage && (
        <Flex justify="center" style={{ marginTop: 12 }}>
          <Button loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
            {t('common:actions.more')}
          </Button>
        </Flex>
      )}
    </Card>
  );
}

function TrialBalance() {
  const { t } = useTranslation('ledger');
  const fmt = useFormat();
  const query = useQuery({
    queryKey: ['ledger', 'trial-balance'],
    queryFn: () => unwrap(api.GET('/ledger/trial-balance', { params: { query: {} } })),
  });
  const rows = query.data?.data ?? [];
  return (
    <Card
      title={h2(t('trialBalance.title'))}
      extra={
        <DownloadButtons
          name="trial-balance"
          header={['currency', 'debits', 'credits', 'debitsPending', 'creditsPending', 'balanced']}
          rows={() =>
            rows.map((r) => [
              r.currency,
              minorToDecimal(r.debits, r.currency),
              minorToDecimal(r.credits, r.currency),
              minorToDecimal(r.debitsPending, r.currency),
              minorToDecimal(r.creditsPending, r.currency),
              r.balanced,
            ])
          }
        />
      }
    >
      <Typography.Paragraph type="secondary">{t('trialBalance.help')}</Typography.Paragraph>
      <ErrorAlert error={query.error} />
      <Table
        size="small"
        pagination={false}
        loading={query.isPending}
        rowKey="currency"
        dataSource={rows}
        columns={[
          { title: t('trialBalance.currency'), dataIndex: 'currency' },
          {
            title: t('trialBalance.debits'),
            key: 'd',
            align: 'right',
            render: (_, r) => fmt.money(r.debits, r.currency),
          },
          {
            title: t('trialBalance.credits'),
            key: 'c',
            align: 'right',
            render: (_, r) => fmt.money(r.credits, r.currency),
          },
          {
            title: t('trialBalance.debitsPending'),
            key: 'dp',
            align: 'right',
            render: (_, r) => fmt.money(r.debitsPending, r.currency),
          },
          {
            title: t('trialBalance.creditsPending'),
            key: 'cp',
            align: 'right',
            render: (_, r) => fmt.money(r.creditsPending, r.currency),
          },
          {
            title: t('trialBalance.balanced'),
            key: 'b',
            render: (_, r) =>
              r.balanced ? (
                <Typography.Text type="success" strong>
                  ✓ {t('trialBalance.yes')}
                </Typography.Text>
              ) : (
                <Typography.Text type="danger" strong>
                  ✗ {t('trialBalance.no')}
                </Typography.Text>
              ),
          },
        ]}
      />
    </Card>
  );
}

function TransferSearch() {
  const { t } = useTranslation('ledger');
  const [filters, setFilters] = useState<{ journalId?: string; reference?: string }>({});
  const [form] = Form.useForm<{ journalId?: string; reference?: string }>();
  return (
    <Card title={h2(t('transfers.search'))}>
      <Form
        form={form}
        layout="inline"
        style={{ marginBottom: 12, rowGap: 8 }}
        onFinish={(v) => setFilters({ journalId: v.journalId?.trim(), reference: v.reference?.trim() })}
      >
        <Form.Item name="journalId" label={t('transfers.journalId')}>
          <Input allowClear />
        </Form.Item>
        <Form.Item name="reference" label={t('transfers.reference')}>
          <Input allowClear />
        </Form.Item>
        <Form.Item>
          <Button htmlType="submit">{t('accounts.apply')}</Button>
        </Form.Item>
      </Form>
      <TransferList
        queryKey={['ledger', 'transfers', filters]}
        label={t('transfers.list')}
        load={(afterSeq) =>
          unwrap(
            api.GET('/ledger/transfers', {
              params: {
                query: {
                  limit: PAGE,
                  ...(filters.journalId ? { journalId: filters.journalId } : {}),
                  ...(filters.reference ? { reference: filters.reference } : {}),
                  ...(afterSeq ? { afterSeq } : {}),
                },
              },
            }),
          )
        }
      />
    </Card>
  );
}

/** A paged list of transfers; with `account`, amounts show on that account's debit or credit side. */
function TransferList({
  queryKey,
  label,
  load,
  account,
}: {
  queryKey: unknown[];
  label: string;
  load: (afterSeq: string) => Promise<{ data: Transfer[]; nextAfterSeq: string | null }>;
  account?: Account;
}) {
  const { t } = useTranslation('ledger');
  const fmt = useFormat();
  const kind = useKind();
  const navigate = useNavigate();
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => load(pageParam),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextAfterSeq ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  const side = (tr: Transfer, which: 'debit' | 'credit') =>
    (which === 'debit' ? tr.debitAccountId : tr.creditAccountId) === account?.id
      ? fmt.money(tr.amount, tr.currency)
      : '';
  return (
    <>
      <ErrorAlert error={query.error} />
      <KeyTable<Transfer>
        label={label}
        rowKey={(tr) => tr.id}
        loading={query.isPending}
        dataSource={rows}
        locale={{ emptyText: t('transfers.none') }}
        onOpen={(tr) => void navigate(transferPath(tr.id))}
        columns={[
          { title: t('transfers.seq'), dataIndex: 'seq', width: 70 },
          { title: t('transfers.postedAt'), key: 'at', render: (_, tr) => fmt.dateTime(tr.postedAt) },
          {
            title: t('transfers.id'),
            key: 'id',
            render: (_, tr) => <L to={transferPath(tr.id)}>{tr.id}</L>,
          },
          { title: t('transfers.kind'), key: 'kind', render: (_, tr) => <Tag>{kind(tr.kind)}</Tag> },
          ...(account
            ? [
                {
                  title: t('transfers.counterAccount'),
                  key: 'other',
                  render: (_: unknown, tr: Transfer) => {
                    const other = tr.debitAccountId === account.id ? tr.creditAccountId : tr.debitAccountId;
                    return <L to={accountPath(other)}>{other}</L>;
                  },
                },
                {
                  title: t('transfers.debit'),
                  key: 'debit',
                  align: 'right' as const,
                  render: (_: unknown, tr: Transfer) => side(tr, 'debit'),
                },
                {
                  title: t('transfers.credit'),
                  key: 'credit',
                  align: 'right' as const,
                  render: (_: unknown, tr: Transfer) => side(tr, 'credit'),
                },
              ]
            : [
                {
                  title: t('transfers.amount'),
                  key: 'amount',
                  align: 'right' as const,
                  render: (_: unknown, tr: Transfer) => fmt.money(tr.amount, tr.currency),
                },
                { title: t('transfers.journalId'), dataIndex: 'journalId' },
              ]),
          { title: t('transfers.reference'), key: 'ref', render: (_, tr) => tr.reference ?? '—' },
        ]}
      />
      {query.hasNextPage && (
        <Flex justify="center" style={{ marginTop: 12 }}>
          <Button loading={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
            {t('common:actions.more')}
          </Button>
        </Flex>
      )}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// /ledger/accounts/:id

function AccountPage() {
  const { t } = useTranslation('ledger');
  const navigate = useNavigate();
  const fmt = useFormat();
  const id = useParams().id ?? '';
  const query = useQuery({
    queryKey: ['ledger', 'account', id],
    queryFn: () => unwrap(api.GET('/ledger/accounts/{id}', { params: { path: { id }, query: {} } })),
  });
  const a = query.data;
  return (
    <>
      <PageHeader
        title={a ? t('account.title', { code: `${a.code} (${a.currency})` }) : id}
        sub={id}
        extra={<Button onClick={() => void navigate('/ledger')}>{t('common:actions.back')}</Button>}
      />
      <ErrorAlert error={query.error} />
      {a && (
        <Card title={h2(t('account.balances'))} style={{ marginBottom: 16 }}>
          <Descriptions
            size="small"
            column={{ xs: 1, md: 2, xl: 4 }}
            items={[
              {
                key: 'balance',
                label: t('accounts.balance'),
                children: <strong>{fmt.money(a.balance.balance, a.currency)}</strong>,
              },
              {
                key: 'available',
                label: t('accounts.available'),
                children: fmt.money(a.balance.available, a.currency),
              },
              { key: 'side', label: t('accounts.normalSide'), children: t(`accounts.${a.normalSide}`) },
              {
                key: 'limits',
                label: t('accounts.limits'),
                children:
                  a.debitsMustNotExceedCredits || a.creditsMustNotExceedDebits ? t('accounts.noOverdraft') : '—',
              },
              { key: 'dp', label: t('accounts.debitsPosted'), children: fmt.money(a.balance.debitsPosted, a.currency) },
              {
                key: 'cp',
                label: t('accounts.creditsPosted'),
                children: fmt.money(a.balance.creditsPosted, a.currency),
              },
              {
                key: 'dpe',
                label: t('accounts.debitsPending'),
                children: fmt.money(a.balance.debitsPending, a.currency),
              },
              {
                key: 'cpe',
                label: t('accounts.creditsPending'),
                children: fmt.money(a.balance.creditsPending, a.currency),
              },
              { key: 'created', label: t('accounts.createdAt'), children: fmt.dateTime(a.createdAt) },
            ]}
          />
        </Card>
      )}
      {a && (
        <Card title={h2(t('account.transfers'))}>
          <TransferList
            account={a}
            queryKey={['ledger', 'account-transfers', id]}
            label={t('account.transfers')}
            load={(afterSeq) =>
              unwrap(
                api.GET('/ledger/accounts/{id}/transfers', {
                  params: { path: { id }, query: { limit: PAGE, ...(afterSeq ? { afterSeq } : {}) } },
                }),
              )
            }
          />
        </Card>
      )}
    </>
  );
}

// ---------------------------------------------------------------------------------------------
// /ledger/transfers/:id

interface Posting {
  key: string;
  transferId: string;
  accountId: string;
  debit: string | null;
  credit: string | null;
  currency: string;
}

function TransferPage() {
  const { t } = useTranslation('ledger');
  const navigate = useNavigate();
  const fmt = useFormat();
  const kind = useKind();
  const id = useParams().id ?? '';
  const query = useQuery({
    queryKey: ['ledger', 'transfer', id],
    queryFn: () => unwrap(api.GET('/ledger/transfers/{id}', { params: { path: { id } } })),
  });
  const tr = query.data;
  const journal = useQuery({
    queryKey: ['ledger', 'journal', tr?.journalId],
    enabled: !!tr,
    queryFn: () =>
      unwrap(api.GET('/ledger/transfers', { params: { query: { journalId: tr!.journalId, limit: 200 } } })),
  });
  const transfers = journal.data?.data ?? [];
  const accountIds = [...new Set(transfers.flatMap((x) => [x.debitAccountId, x.creditAccountId]))];
  const accounts = useQueries({
    queries: accountIds.map((accountId) => ({
      queryKey: ['ledger', 'account', accountId],
      queryFn: () => unwrap(api.GET('/ledger/accounts/{id}', { params: { path: { id: accountId }, query: {} } })),
      staleTime: 60_000,
    })),
  });
  const codeOf = (accountId: string) => accounts.find((q) => q.data?.id === accountId)?.data?.code ?? accountId;
  const postings: Posting[] = transfers.flatMap((x) => [
    {
      key: `${x.id}:d`,
      transferId: x.id,
      accountId: x.debitAccountId,
      debit: x.amount,
      credit: null,
      currency: x.currency,
    },
    {
      key: `${x.id}:c`,
      transferId: x.id,
      accountId: x.creditAccountId,
      debit: null,
      credit: x.amount,
      currency: x.currency,
    },
  ]);
  // Pending amounts are holds, not movements: the totals count what moved (posted, posts, reversals).
  const currencies = [...new Set(transfers.map((x) => x.currency))];
  const resolution = tr?.kind === 'pending' ? transfers.find((x) => x.pendingId === tr.id) : undefined;
  const openHold = tr?.kind === 'pending' && !resolution && journal.isSuccess;

  return (
    <>
      <PageHeader
        title={t('transfer.title', { id })}
        extra={
          <Space>
            {tr && openHold && (
              <IfAllowed permission="ledger:post">
                <Space>
                  <ResolveHold transfer={tr} action="post" />
                  <ResolveHold transfer={tr} action="void" />
                </Space>
              </IfAllowed>
            )}
            <Button onClick={() => void navigate('/ledger?tab=transfers')}>{t('common:actions.back')}</Button>
          </Space>
        }
      />
      <ErrorAlert error={query.error} />
      {tr && (
        <Card title={h2(t('transfer.details'))} style={{ marginBottom: 16 }}>
          <Descriptions
            size="small"
            column={{ xs: 1, md: 2, xl: 3 }}
            items={[
              {
                key: 'amount',
                label: t('transfers.amount'),
                children: <strong>{fmt.money(tr.amount, tr.currency)}</strong>,
              },
              {
                key: 'kind',
                label: t('transfers.kind'),
                children: (
                  <Space>
                    <Tag>{kind(tr.kind)}</Tag>
                    {openHold && (
                      <Typography.Text type="warning" strong>
                        {t('transfer.open')}
                      </Typography.Text>
                    )}
                    {resolution && (
                      <L to={transferPath(resolution.id)}>{t('transfer.resolved', { id: resolution.id })}</L>
                    )}
                  </Space>
                ),
              },
              { key: 'journal', label: t('transfers.journalId'), children: tr.journalId },
              {
                key: 'debit',
                label: t('transfers.debitAccount'),
                children: <L to={accountPath(tr.debitAccountId)}>{codeOf(tr.debitAccountId)}</L>,
              },
              {
                key: 'credit',
                label: t('transfers.creditAccount'),
                children: <L to={accountPath(tr.creditAccountId)}>{codeOf(tr.creditAccountId)}</L>,
              },
              { key: 'seq', label: t('transfers.seq'), children: tr.seq },
              { key: 'at', label: t('transfers.postedAt'), children: fmt.dateTime(tr.postedAt) },
              { key: 'by', label: t('transfers.postedBy'), children: tr.postedBy },
              { key: 'code', label: t('transfers.code'), children: tr.code ?? '—' },
              { key: 'ref', label: t('transfers.reference'), children: tr.reference ?? '—' },
              ...(tr.pendingId
                ? [
                    {
                      key: 'pending',
                      label: t('transfers.pendingId'),
                      children: <L to={transferPath(tr.pendingId)}>{tr.pendingId}</L>,
                    },
                  ]
                : []),
              ...(tr.reversesId
                ? [
                    {
                      key: 'reverses',
                      label: t('transfers.reversesId'),
                      children: <L to={transferPath(tr.reversesId)}>{tr.reversesId}</L>,
                    },
                  ]
                : []),
              ...(tr.expiresAt
                ? [{ key: 'expires', label: t('transfers.expiresAt'), children: fmt.dateTime(tr.expiresAt) }]
                : []),
              ...(Object.keys(tr.metadata).length > 0
                ? [
                    {
                      key: 'meta',
                      label: t('transfers.metadata'),
                      children: <code style={{ whiteSpace: 'pre-wrap' }}>{JSON.stringify(tr.metadata)}</code>,
                    },
                  ]
                : []),
            ]}
          />
        </Card>
      )}
      {tr && (
        <Card title={h2(t('transfer.journal', { id: tr.journalId }))}>
          <Typography.Paragraph type="secondary">{t('transfer.journalHelp')}</Typography.Paragraph>
          <ErrorAlert error={journal.error} />
          <Table<Posting>
            size="small"
            pagination={false}
            loading={journal.isPending}
            rowKey="key"
            dataSource={postings}
            rowClassName={(p) => (p.transferId === tr.id ? 'ff-row-active' : '')}
            aria-label={t('transfer.postings')}
            columns={[
              {
                title: t('transfers.id'),
                key: 'transfer',
                render: (_, p) =>
                  p.debit !== null ? (
                    <Space>
                      <L to={transferPath(p.transferId)}>{p.transferId}</L>
                      <Tag>{kind(transfers.find((x) => x.id === p.transferId)?.kind ?? '')}</Tag>
                    </Space>
                  ) : null,
              },
              {
                title: t('transfer.account'),
                key: 'account',
                render: (_, p) => (
                  <L to={accountPath(p.accountId)} style={p.credit !== null ? { paddingLeft: 24 } : undefined}>
                    {codeOf(p.accountId)}
                  </L>
                ),
              },
              {
                title: t('transfers.debit'),
                key: 'debit',
                align: 'right',
                render: (_, p) => (p.debit === null ? '' : fmt.money(p.debit, p.currency)),
              },
              {
                title: t('transfers.credit'),
                key: 'credit',
                align: 'right',
                render: (_, p) => (p.credit === null ? '' : fmt.money(p.credit, p.currency)),
              },
            ]}
            summary={() =>
              currencies.map((currency) => {
                const sum = transfers
                  .filter((x) => x.currency === currency)
                  .reduce((n, x) => n + BigInt(x.amount), 0n)
                  .toString();
                return (
                  <Table.Summary.Row key={currency}>
                    <Table.Summary.Cell index={0} colSpan={2}>
                      <strong>
                        {t('transfer.total')} {currency}
                      </strong>
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={2} align="right">
                      <strong>{fmt.money(sum, currency)}</strong>
                    </Table.Summary.Cell>
                    <Table.Summary.Cell index={3} align="right">
                      <strong>{fmt.money(sum, currency)}</strong>
                    </Table.Summary.Cell>
                  </Table.Summary.Row>
                );
              })
            }
          />
        </Card>
      )}
    </>
  );
}

function ResolveHold({ transfer, action }: { transfer: Transfer; action: 'post' | 'void' }) {
  const { t } = useTranslation('ledger');
  const { message } = AntApp.useApp();
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<{ amount?: string; reason?: string }>();
  const mutation = useMutation({
    mutationFn: async (values: { amount?: string; reason?: string }) => {
      const key = idempotencyKey();
      const reason = values.reason?.trim() ? { reason: values.reason.trim() } : {};
      if (action === 'post') {
        const amount = values.amount?.trim() ? { amount: values.amount.trim() } : {};
        return unwrap(
          api.POST('/ledger/transfers/{id}/post', {
            params: { path: { id: transfer.id }, header: { 'idempotency-key': key } },
            body: { id: `${transfer.id}.post`, ...amount, ...reason },
          }),
        );
      }
      return unwrap(
        api.POST('/ledger/transfers/{id}/void', {
          params: { path: { id: transfer.id }, header: { 'idempotency-key': key } },
          body: { id: `${transfer.id}.void`, ...reason },
        }),
      );
    },
    onSuccess: async () => {
      setOpen(false);
      void message.success(action === 'post' ? t('transfer.posted') : t('transfer.voided'));
      await client.invalidateQueries({ queryKey: ['ledger'] });
    },
  });
  return (
    <>
      <Button type={action === 'post' ? 'primary' : 'default'} danger={action === 'void'} onClick={() => setOpen(true)}>
        {action === 'post' ? t('transfer.post') : t('transfer.void')}
      </Button>
      <Modal
        open={open}
        title={action === 'post' ? t('transfer.postTitle') : t('transfer.voidTitle')}
        okText={t('common:actions.confirm')}
        cancelText={t('common:actions.cancel')}
        confirmLoading={mutation.isPending}
        onOk={() => form.submit()}
        onCancel={() => setOpen(false)}
        destroyOnClose
      >
        <Form form={form} layout="vertical" onFinish={(values) => mutation.mutate(values)} preserve={false}>
          {action === 'post' && (
            <Form.Item
              name="amount"
              label={t('transfers.amount')}
              extra={t('transfer.amountHelp')}
              rules={[{ pattern: /^\d{1,30}$/, message: t('transfer.amountHelp') }]}
            >
              <Input inputMode="numeric" placeholder={transfer.amount} />
            </Form.Item>
          )}
          <Form.Item name="reason" label={t('transfer.reason')}>
            <Input maxLength={500} />
          </Form.Item>
        </Form>
        <ErrorAlert error={mutation.error} />
      </Modal>
    </>
  );
}

export default function LedgerArea() {
  return (
    <RequirePermission permission="ledger:read">
      <Routes>
        <Route index element={<LedgerHome />} />
        <Route path="accounts/:id" element={<AccountPage />} />
        <Route path="transfers/:id" element={<TransferPage />} />
      </Routes>
    </RequirePermission>
  );
}

// Beneficiaries (who payments go to): the list, filtered by status, and one beneficiary with the bank
// details payments go to and every proposed change of them. A change becomes the details only when a
// second person approves it (payments:approve) — the classic fraud path — so the page puts the
// proposed details beside the current ones.
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { IfAllowed } from '../../components/guard';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { LoadMore, usePaged } from '../../components/paged';
import { useFormat } from '../../i18n/format';
import { AddBeneficiary } from './beneficiary-form';
import { BankDetailsChanges } from './beneficiary-changes';
import {
  DetailsCard,
  EmptyText,
  StatusFilter,
  L,
  PAGE,
  accountText,
  beneficiaryPath,
  h2,
  type Beneficiary,
  type BeneficiaryDetail,
} from './shared';

type Status = Beneficiary['status'];
const STATUSES: Status[] = ['unverified', 'verified', 'blocked'];
const STATUS_COLOR: Record<Status, string | undefined> = {
  unverified: 'warning',
  verified: 'success',
  blocked: 'error',
};

export function BeneficiaryStatus({ status }: { status: Status }) {
  const { t } = useTranslation('payments-work');
  return <Tag color={STATUS_COLOR[status]}>{t(`beneficiaryStatus.${status}`)}</Tag>;
}

export function BeneficiariesList() {
  const { t } = useTranslation('payments-work');
  const fmt = useFormat();
  const navigate = useNavigate();
  const [status, setStatus] = useState<Status | undefined>();
  const { query, rows } = usePaged(['payments', 'beneficiaries', status], (after) =>
    unwrap(
      api.GET('/beneficiaries', {
        params: { query: { limit: PAGE, ...(status ? { status } : {}), ...(after ? { after } : {}) } },
      }),
    ),
  );
  return (
    <Card
      title={h2(t('beneficiaries.list'))}
      extra={
        <IfAllowed permission="beneficiaries:manage">
          <AddBeneficiary onAdded={(b) => void navigate(beneficiaryPath(b.id))} />
        </IfAllowed>
      }
    >
      <StatusFilter<Status>
        id="beneficiaries-status"
        label={t('beneficiaries.status')}
        any={t('beneficiaries.anyStatus')}
        value={status}
        onChange={setStatus}
        options={STATUSES.map((s) => ({ value: s, label: t(`beneficiaryStatus.${s}`) }))}
      />
      <ErrorAlert error={query.error} />
      <KeyTable<Beneficiary>
        label={t('beneficiaries.list')}
        rowKey={(b) => b.id}
        loading={query.isPending}
        dataSource={rows}
        locale={{ emptyText: <EmptyText text={t('beneficiaries.none')} /> }}
        onOpen={(b) => void navigate(beneficiaryPath(b.id))}
        columns={[
          { title: t('beneficiaries.name'), key: 'name', render: (_, b) => <L to={beneficiaryPath(b.id)}>{b.name}</L> },
          { title: t('beneficiaries.kind'), key: 'kind', render: (_, b) => t(`kind.${b.kind}`) },
          {
            title: t('beneficiaries.account'),
            key: 'account',
            render: (_, b) => (b.bankDetails ? accountText(b.bankDetails) : '—'),
          },
          { title: t('beneficiaries.bic'), key: 'bic', render: (_, b) => b.bankDetails?.bic ?? '—' },
          {
            title: t('beneficiaries.status'),
            key: 'status',
            render: (_, b) => <BeneficiaryStatus status={b.status} />,
          },
          { title: t('beneficiaries.verifiedAt'), key: 'verified', render: (_, b) => fmt.dateTime(b.verifiedAt) },
        ]}
      />
      <LoadMore query={query} />
    </Card>
  );
}

export function BeneficiaryPage() {
  const { t } = useTranslation('payments-work');
  const fmt = useFormat();
  const navigate = useNavigate();
  const id = useParams().id ?? '';
  const query = useQuery({
    queryKey: ['payments', 'beneficiary', id],
    queryFn: () => unwrap(api.GET('/beneficiaries/{id}', { params: { path: { id } } })),
  });
  const b: BeneficiaryDetail | undefined = query.data;
  const d = b?.bankDetails;
  return (
    <>
      <PageHeader
        title={b?.name ?? id}
        sub={b ? `${t(`kind.${b.kind}`)} · ${id}` : undefined}
        extra={<Button onClick={() => void navigate('/payments?tab=beneficiaries')}>{t('common:actions.back')}</Button>}
      />
      <ErrorAlert error={query.error} />
      {query.isPending && <Card loading />}
      {b && (
        <DetailsCard
          title={t('beneficiary.details')}
          items={[
            { key: 'status', label: t('beneficiaries.status'), children: <BeneficiaryStatus status={b.status} /> },
            {
              key: 'account',
              label: t('beneficiaries.account'),
              children: d ? <strong>{accountText(d)}</strong> : '—',
            },
            { key: 'bic', label: t('beneficiaries.bic'), children: d?.bic ?? '—' },
            { key: 'country', label: t('beneficiary.country'), children: d?.country ?? '—' },
            { key: 'version', label: t('beneficiary.version'), children: fmt.number(b.detailsVersion) },
            {
              key: 'verified',
              label: t('beneficiary.verified'),
              children: b.verifiedAt ? t('by', { at: fmt.dateTime(b.verifiedAt), by: b.verifiedBy }) : '—',
            },
            {
              key: 'created',
              label: t('beneficiary.created'),
              children: t('by', { at: fmt.dateTime(b.createdAt), by: b.createdBy }),
            },
            ...(b.customerId ? [{ key: 'customer', label: t('beneficiary.customer'), children: b.customerId }] : []),
          ]}
        />
      )}
      {b && (
        <Card title={h2(t('changes.title'))}>
          <BankDetailsChanges beneficiary={b} />
        </Card>
      )}
    </>
  );
}

// Customers: search by name or external id, filter by segment, risk rating or over-limit; paged.
import { Checkbox, Flex, Form, Input, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import { ErrorAlert } from '../../components/error-alert';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import { LoadMore, usePaged } from '../../components/paged';
import { LINK_STYLE, RatingTag, type Customer } from './widgets';

const RATINGS = ['A', 'B', 'C', 'D', 'E'];
const SEGMENTS = ['consumer', 'b2b'];

export function CustomerList() {
  const { t } = useTranslation('customers');
  const fmt = useFormat();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const segment = params.get('segment') ?? undefined;
  const riskRating = params.get('rating') ?? undefined;
  const overLimit = params.get('overLimit') === 'true';
  const set = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };

  const { query, rows } = usePaged<Customer>(['customers', search, segment, riskRating, overLimit], (after) =>
    unwrap(
      api.GET('/customers', {
        params: {
          query: {
            limit: 50,
            ...(after ? { after } : {}),
            ...(search ? { search } : {}),
            ...(segment ? { segment } : {}),
            ...(riskRating ? { riskRating } : {}),
            ...(overLimit ? { overLimit: 'true' as const } : {}),
          },
        },
      }),
    ),
  );

  return (
    <>
      <PageHeader title={t('title')} sub={t('listSub')} />
      <Form layout="inline" style={{ marginBottom: 12, rowGap: 8 }} onSubmitCapture={(e) => e.preventDefault()}>
        <Form.Item label={t('search')} htmlFor="customer-search">
          <Input.Search
            id="customer-search"
            allowClear
            defaultValue={search}
            placeholder={t('searchPlaceholder')}
            onSearch={(value) => set('q', value.trim() || undefined)}
            style={{ width: 280 }}
          />
        </Form.Item>
        <Form.Item label={t('segment')} htmlFor="customer-segment">
          <Select
            id="customer-segment"
            allowClear
            style={{ width: 160 }}
            value={segment}
            onChange={(v?: string) => set('segment', v)}
            options={SEGMENTS.map((s) => ({ value: s, label: s }))}
          />
        </Form.Item>
        <Form.Item label={t('riskRating')} htmlFor="customer-rating">
          <Select
            id="customer-rating"
            allowClear
            style={{ width: 120 }}
            value={riskRating}
            onChange={(v?: string) => set('rating', v)}
            options={RATINGS.map((r) => ({ value: r, label: r }))}
          />
        </Form.Item>
        <Form.Item>
          <Checkbox checked={overLimit} onChange={(e) => set('overLimit', e.target.checked ? 'true' : undefined)}>
            {t('overLimit')}
          </Checkbox>
        </Form.Item>
      </Form>
      <ErrorAlert error={query.error} />
      <KeyTable<Customer>
        label={t('listLabel')}
        rowKey={(c) => c.id}
        loading={query.isPending}
        dataSource={rows}
        onOpen={(c) => void navigate(`/customers/${c.id}`)}
        columns={[
          {
            title: t('name'),
            dataIndex: 'name',
            render: (name: string, c) => (
              <a
                href={`/customers/${c.id}`}
                style={LINK_STYLE}
                onClick={(e) => {
                  e.preventDefault();
                  void navigate(`/customers/${c.id}`);
                }}
              >
                {name}
              </a>
            ),
          },
          { title: t('externalId'), dataIndex: 'externalId' },
          { title: t('segment'), dataIndex: 'segment', render: (s: string | null) => s ?? '—' },
          { title: t('riskRating'), dataIndex: 'riskRating', render: (r: string | null) => <RatingTag rating={r} /> },
          {
            title: t('exposure'),
            key: 'exposure',
            align: 'right',
            render: (_: unknown, c) =>
              c.limitCurrency ? fmt.money(c.exposure, c.limitCurrency) : fmt.number(c.exposure),
          },
          {
            title: t('creditLimit'),
            key: 'limit',
            align: 'right',
            render: (_: unknown, c) =>
              c.creditLimit && c.limitCurrency ? fmt.money(c.creditLimit, c.limitCurrency) : '—',
          },
          { title: t('email'), dataIndex: 'email', render: (e: string | null) => e ?? '—' },
        ]}
      />
      <Flex justify="space-between" align="center">
        <LoadMore query={query} />
      </Flex>
    </>
  );
}

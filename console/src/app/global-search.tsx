// The search box in the header ("/" focuses it): finds a customer, collection case, credit
// application, workflow instance or task by id, external id or name (GET /search, which searches
// only the kinds the person may read) and opens its page.
import { useQuery } from '@tanstack/react-query';
import { AutoComplete, Input, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { registerLocales } from '../i18n/i18n';

type Hit = components['schemas']['SearchHit'];
type Kind = Hit['kind'];

const en = {
  kinds: {
    customer: 'Customers',
    case: 'Collection cases',
    application: 'Credit applications',
    instance: 'Workflow instances',
    task: 'Tasks',
  },
  searching: 'Searching…',
};
const es: typeof en = {
  kinds: {
    customer: 'Clientes',
    case: 'Casos de cobranza',
    application: 'Solicitudes de crédito',
    instance: 'Instancias de flujo',
    task: 'Tareas',
  },
  searching: 'Buscando…',
};
const zh: typeof en = {
  kinds: {
    customer: '客户',
    case: '催收案件',
    application: '信贷申请',
    instance: '工作流实例',
    task: '任务',
  },
  searching: '搜索中…',
};
registerLocales('search', { en, es, 'zh-CN': zh });

/** Where each kind of hit opens. */
export function hitPath(hit: Pick<Hit, 'kind' | 'id'>): string {
  const id = encodeURIComponent(hit.id);
  switch (hit.kind) {
    case 'customer':
      return `/customers/${id}`;
    case 'case':
      return `/collections/cases/${id}`;
    case 'application':
      return `/credit/applications/${id}`;
    case 'instance':
      return `/workflows/instances/${id}`;
    case 'task':
      return `/my-work?task=${id}`;
  }
}

const KINDS: Kind[] = ['customer', 'case', 'application', 'instance', 'task'];

function useDebounced(value: string, ms: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function GlobalSearch() {
  const { t } = useTranslation();
  const { t: ts } = useTranslation('search');
  const navigate = useNavigate();
  const box = useRef<{ focus: () => void; blur: () => void }>(null);
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 200);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      if (event.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) && !target.isContentEditable) {
        event.preventDefault();
        box.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const results = useQuery({
    queryKey: ['search', q],
    enabled: q.length >= 2,
    staleTime: 5_000,
    queryFn: () => unwrap(api.GET('/search', { params: { query: { q, limit: 5 } } })),
  });
  const hits = q.length >= 2 ? (results.data?.data ?? []) : [];
  const options = KINDS.map((kind) => ({ kind, hits: hits.filter((h) => h.kind === kind) }))
    .filter((group) => group.hits.length > 0)
    .map((group) => ({
      label: <Typography.Text strong>{ts(`kinds.${group.kind}`)}</Typography.Text>,
      title: ts(`kinds.${group.kind}`),
      options: group.hits.map((hit) => ({
        // What a screen reader announces for the option: the name and the id, never a code.
        value: `${hit.label} · ${hit.id}`,
        label: (
          <div>
            <div>{hit.label}</div>
            <div style={{ fontSize: 12, color: '#595959' }}>{[hit.detail, hit.id].filter(Boolean).join(' · ')}</div>
          </div>
        ),
      })),
    }));

  const paths = new Map(hits.map((hit) => [`${hit.label} · ${hit.id}`, hitPath(hit)]));
  const open = (value: string) => {
    const path = paths.get(value);
    setText('');
    box.current?.blur();
    if (path) void navigate(path);
  };

  const notFound =
    q.length < 2 ? null : results.isFetching ? ts('searching') : results.isSuccess ? t('shell.noResults') : null;

  return (
    <AutoComplete
      ref={box as never}
      value={text}
      options={options}
      onSearch={setText}
      onSelect={open}
      defaultActiveFirstOption
      notFoundContent={notFound}
      popupMatchSelectWidth={480}
      style={{ width: '100%', maxWidth: 480 }}
    >
      <Input.Search aria-label={t('shell.searchLabel')} placeholder={t('shell.search')} allowClear />
    </AutoComplete>
  );
}

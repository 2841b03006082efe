// The search box in the header ("/" focuses it). Filled in by the search work: finds a customer,
// case, application, instance or task by id, external id or name.
import { Input } from 'antd';
import { useEffect, useRef } from 'react';
import type { InputRef } from 'antd';
import { useTranslation } from 'react-i18next';

export function GlobalSearch() {
  const { t } = useTranslation();
  const input = useRef<InputRef>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const tag = (event.target as HTMLElement).tagName;
      if (event.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(tag)) {
        event.preventDefault();
        input.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <Input.Search
      ref={input}
      aria-label={t('shell.searchLabel')}
      placeholder={t('shell.search')}
      style={{ maxWidth: 480 }}
    />
  );
}

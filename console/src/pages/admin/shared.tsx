// Pieces every administration section uses: a secret shown once, server field errors put on the
// form field they name, and a card title at the right heading level.
import { Alert, Tag, Typography, type FormInstance } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';

/** Links in the theme's primary colour: antd's default link blue falls short of AA contrast on tinted rows. */
export const LINK = { color: '#0b5cad', textDecoration: 'underline' } as const;

/** A status as a tag in colours that pass WCAG AA (antd's preset tag colours do not). */
const TONES = {
  ok: { color: '#1d5c06', background: '#edf7e8', borderColor: '#a8d197' },
  warn: { color: '#7a4504', background: '#fdf3e2', borderColor: '#e8c48a' },
  bad: { color: '#9b1c12', background: '#fdecea', borderColor: '#f0aaa3' },
  neutral: { color: '#333333', background: '#f5f5f5', borderColor: '#d9d9d9' },
} as const;
export type Tone = keyof typeof TONES;

export function StatusTag({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <Tag style={TONES[tone]} title={title}>
      {children}
    </Tag>
  );
}

export function CardTitle({ children }: { children: ReactNode }) {
  return <h2 style={{ fontSize: 16, margin: 0 }}>{children}</h2>;
}

/** A secret (password, token) the server shows only in this answer: visible, copyable, and said so. */
export function ShownOnce({ label, value, extra }: { label: string; value: string; extra?: ReactNode }) {
  const { t } = useTranslation('admin');
  return (
    <Alert
      type="warning"
      showIcon
      role="status"
      style={{ marginBottom: 16 }}
      message={<strong>{label}</strong>}
      description={
        <div>
          <Typography.Paragraph
            copyable={{ text: value, tooltips: [t('common.copy'), t('common.copied')] }}
            style={{ marginBottom: 4 }}
          >
            <code data-testid="shown-once" style={{ fontSize: 15, wordBreak: 'break-all' }}>
              {value}
            </code>
          </Typography.Paragraph>
          <div>{t('common.shownOnce')}</div>
          {extra}
        </div>
      }
    />
  );
}

/**
 * Puts a problem's `errors` on the form fields they name (`body.email` → `email`, `body.roles.1` →
 * `roles`), so the person sees the message beside the field; the ErrorAlert lists them all too.
 */
export function showFieldErrors(form: FormInstance, error: unknown, known: string[]): void {
  if (!(error instanceof ApiError)) return;
  const byField = new Map<string, string[]>();
  for (const issue of error.fields) {
    const name = issue.field.replace(/^(body|path|query)\./, '').split(/[.[]/)[0] ?? '';
    const target = known.includes(name) ? name : null;
    if (!target) continue;
    byField.set(target, [...(byField.get(target) ?? []), issue.message]);
  }
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
}

/** Parses the JSON a person typed, or says where it is wrong. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

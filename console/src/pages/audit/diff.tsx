// Before and after of an audit entry as a person reads a change: one line per leaf field that was
// added, removed or changed (nested objects flattened to dotted paths, arrays by index), and the
// full documents one click away.
import { Collapse, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export interface FieldChange {
  path: string;
  kind: 'added' | 'removed' | 'changed';
  before: unknown;
  after: unknown;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Leaf values by dotted path; an empty object or array is a leaf of its own. */
function flatten(value: unknown, prefix: string, into: Map<string, unknown>): Map<string, unknown> {
  if (Array.isArray(value) && value.length > 0) {
    value.forEach((item, i) => flatten(item, `${prefix}[${i}]`, into));
  } else if (isObject(value) && Object.keys(value).length > 0) {
    for (const [key, item] of Object.entries(value)) flatten(item, prefix ? `${prefix}.${key}` : key, into);
  } else if (value !== undefined) {
    into.set(prefix || '(value)', value);
  }
  return into;
}

/** Every leaf that differs between the two documents, in the order the fields first appear. */
export function diffDocuments(before: unknown, after: unknown): FieldChange[] {
  const a = flatten(before ?? undefined, '', new Map());
  const b = flatten(after ?? undefined, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])];
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const inA = a.has(path);
    const inB = b.has(path);
    if (inA && inB && JSON.stringify(a.get(path)) === JSON.stringify(b.get(path))) continue;
    changes.push({
      path,
      kind: !inA ? 'added' : !inB ? 'removed' : 'changed',
      before: a.get(path),
      after: b.get(path),
    });
  }
  return changes;
}

function Value({ value }: { value: unknown }) {
  if (value === undefined) return <Typography.Text type="secondary">—</Typography.Text>;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return <code style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{text}</code>;
}

// Dark enough on white for WCAG AA (antd's light tag colours are not).
const KIND_COLOR = { added: '#2b7a0b', removed: '#b42318', changed: '#0b5cad' } as const;

export function AuditDiff({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation('audit');
  const none = (before === null || before === undefined) && (after === null || after === undefined);
  if (none) return <Typography.Text type="secondary">{t('detail.noChanges')}</Typography.Text>;
  const changes = diffDocuments(before, after);
  return (
    <div>
      {changes.length === 0 ? (
        <Typography.Paragraph type="secondary">{t('detail.same')}</Typography.Paragraph>
      ) : (
        <Table<FieldChange>
          size="small"
          pagination={false}
          rowKey={(c) => c.path}
          dataSource={changes}
          aria-label={t('detail.changes')}
          columns={[
            {
              title: t('detail.field'),
              dataIndex: 'path',
              width: '30%',
              render: (path: string, c) => (
                <span>
                  <code>{path}</code>{' '}
                  <span style={{ color: KIND_COLOR[c.kind], fontSize: 12, fontWeight: 600 }}>
                    {t(`detail.${c.kind}`)}
                  </span>
                </span>
              ),
            },
            {
              title: t('detail.before'),
              dataIndex: 'before',
              render: (v: unknown, c) => (
                <span style={c.kind !== 'added' ? { background: '#fdecea', padding: '0 2px' } : undefined}>
                  <Value value={v} />
                </span>
              ),
            },
            {
              title: t('detail.after'),
              dataIndex: 'after',
              render: (v: unknown, c) => (
                <span style={c.kind !== 'removed' ? { background: '#e7f5e1', padding: '0 2px' } : undefined}>
                  <Value value={v} />
                </span>
              ),
            },
          ]}
        />
      )}
      <Collapse
        ghost
        size="small"
        items={[
          {
            key: 'full',
            label: t('detail.fullDocuments'),
            children: (
              <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 12 }}>
                <div>
                  <Typography.Text strong>{t('detail.before')}</Typography.Text>
                  <pre
                    tabIndex={0}
                    style={{ fontSize: 12, maxHeight: 320, overflow: 'auto', background: '#fafafa', padding: 8 }}
                  >
                    {JSON.stringify(before ?? null, null, 2)}
                  </pre>
                </div>
                <div>
                  <Typography.Text strong>{t('detail.after')}</Typography.Text>
                  <pre
                    tabIndex={0}
                    style={{ fontSize: 12, maxHeight: 320, overflow: 'auto', background: '#fafafa', padding: 8 }}
                  >
                    {JSON.stringify(after ?? null, null, 2)}
                  </pre>
                </div>
              </div>
            ),
          },
        ]}
      />
    </div>
  );
}

// The anomaly checks' reasons on a payment (`anomalies: [{check, reason}]`), shown to its approvers.
// Read defensively: a server without the checks sends no such field, and the page says nothing then.
import { Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

export interface Anomaly {
  check: string;
  reason: string;
}

/** The payment's anomaly hits; undefined when its representation carries no `anomalies` at all. */
export function anomaliesOf(payment: object): Anomaly[] | undefined {
  const list = (payment as { anomalies?: unknown }).anomalies;
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((a: unknown) => {
    const hit = (a ?? {}) as { check?: unknown; reason?: unknown };
    return typeof hit.reason === 'string'
      ? [{ check: typeof hit.check === 'string' ? hit.check : '', reason: hit.reason }]
      : [];
  });
}

export function AnomalyList({ payment }: { payment: object }) {
  const { t } = useTranslation('payments-work');
  const anomalies = anomaliesOf(payment);
  if (!anomalies) return <>—</>;
  if (anomalies.length === 0) return <Typography.Text type="secondary">{t('anomalies.none')}</Typography.Text>;
  return (
    <Space direction="vertical" size={2}>
      {anomalies.map((a) => (
        <span key={`${a.check}:${a.reason}`}>
          {/* The check's code as the server names it: the reason beside it is the words. */}
          <Tag color="warning">{a.check || t('anomalies.hit')}</Tag>
          {a.reason}
        </span>
      ))}
    </Space>
  );
}

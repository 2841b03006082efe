// Small pieces the workflow pages share: the status tag, a JSON block, the failed-instances banner,
// and the instance filter as it lives in the URL (so a filtered list can be linked and reloaded).
import { useQuery } from '@tanstack/react-query';
import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ToneTag, type Tone } from './tone';

export type InstanceStatus = components['schemas']['InstanceSummary']['status'];
export const STATUSES: InstanceStatus[] = ['running', 'suspended', 'failed', 'completed', 'cancelled'];

const STATUS_COLOR: Record<InstanceStatus, Tone> = {
  running: 'blue',
  suspended: 'orange',
  failed: 'red',
  completed: 'green',
  cancelled: 'grey',
};

export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation('workflows');
  const known = (STATUSES as string[]).includes(status);
  return (
    <ToneTag tone={known ? STATUS_COLOR[status as InstanceStatus] : 'grey'}>
      {known ? t(`status.${status as InstanceStatus}`) : status}
    </ToneTag>
  );
}

export function Json({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre
      aria-label={label}
      tabIndex={0}
      style={{
        margin: 0,
        padding: 8,
        background: '#f5f5f5',
        borderRadius: 4,
        fontSize: 12,
        maxHeight: 320,
        overflow: 'auto',
        whiteSpace: 'pre-wrap',
        wordBreak: 'break-word',
      }}
    >
      {value === undefined ? '—' : JSON.stringify(value, null, 2)}
    </pre>
  );
}

export interface InstanceFilter {
  status?: InstanceStatus | undefined;
  workflow?: string | undefined;
  q?: string | undefined;
}

export function filterFromParams(params: URLSearchParams): InstanceFilter {
  const status = params.get('status');
  return {
    status: status && (STATUSES as string[]).includes(status) ? (status as InstanceStatus) : undefined,
    workflow: params.get('workflow') || undefined,
    q: params.get('q') || undefined,
  };
}

export function filterToParams(filter: InstanceFilter): string {
  const params = new URLSearchParams();
  if (filter.status) params.set('status', filter.status);
  if (filter.workflow) params.set('workflow', filter.workflow);
  if (filter.q) params.set('q', filter.q);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** How many instances match a filter (the server counts; nothing is fetched but the number). */
export function useInstanceCount(filter: InstanceFilter, refetchInterval?: number) {
  return useQuery({
    queryKey: ['instances', 'count', filter],
    queryFn: () => unwrap(api.GET('/instances/count', { params: { query: filter } })),
    refetchInterval,
  });
}

/** Failed (dead-letter) instances, front and centre: the count and a one-click filter. */
export function FailedBanner({ workflow }: { workflow?: string }) {
  const { t } = useTranslation('workflows');
  const navigate = useNavigate();
  const filter: InstanceFilter = { status: 'failed', workflow };
  const count = useInstanceCount(filter, 15_000);
  const n = count.data?.count ?? 0;
  if (!count.data) return null;
  if (n === 0) return <Alert type="success" showIcon message={t('noFailed')} style={{ marginBottom: 16 }} />;
  return (
    <Alert
      type="error"
      showIcon
      role="status"
      style={{ marginBottom: 16 }}
      message={<strong>{t('failedBanner', { count: n })}</strong>}
      description={t('failedBannerHelp')}
      action={
        <Button danger type="primary" onClick={() => void navigate(`/workflows/instances${filterToParams(filter)}`)}>
          {t('showFailed')}
        </Button>
      }
    />
  );
}

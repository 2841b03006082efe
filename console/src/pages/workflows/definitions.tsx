// Workflow definitions: the list (every workflow with its latest version), and one workflow's page
// with its versions and the graph of the chosen version.
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Collapse, Descriptions, Flex, Select, Space, Spin, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { ErrorAlert } from '../../components/error-alert';
import { KeyTable } from '../../components/key-table';
import { PageHeader } from '../../components/page';
import { useFormat } from '../../i18n/format';
import { WorkflowGraph } from './graph';
import { FailedBanner, filterToParams } from './shared';
import { LINK } from './tone';
import { ToneTag } from './tone';

type Summary = components['schemas']['WorkflowSummary'];
type Version = components['schemas']['WorkflowVersion'];

const h2 = (text: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{text}</h2>;

export function DefinitionsPage({ tabs }: { tabs: React.ReactNode }) {
  const { t } = useTranslation('workflows');
  const format = useFormat();
  const navigate = useNavigate();
  const list = useQuery({ queryKey: ['workflows'], queryFn: () => unwrap(api.GET('/workflows')) });
  const open = (row: Summary) => void navigate(`/workflows/definitions/${encodeURIComponent(row.key)}`);
  return (
    <>
      <PageHeader title={t('definitions.title')} />
      {tabs}
      <FailedBanner />
      <ErrorAlert error={list.error} />
      <KeyTable<Summary>
        label={t('definitions.list')}
        rowKey={(row) => row.key}
        loading={list.isLoading}
        dataSource={list.data?.data}
        onOpen={open}
        columns={[
          {
            title: t('definitions.key'),
            dataIndex: 'key',
            render: (key: string) => (
              <Link style={LINK} to={`/workflows/definitions/${encodeURIComponent(key)}`}>
                {key}
              </Link>
            ),
          },
          { title: t('definitions.name'), dataIndex: 'name' },
          { title: t('definitions.latest'), dataIndex: 'latestVersion', align: 'right' },
          { title: t('definitions.deployedAt'), dataIndex: 'deployedAt', render: (v: string) => format.dateTime(v) },
          { title: t('definitions.deployedBy'), dataIndex: 'deployedBy' },
        ]}
      />
    </>
  );
}

export function DefinitionPage({ tabs }: { tabs: React.ReactNode }) {
  const { t } = useTranslation('workflows');
  const format = useFormat();
  const { key = '' } = useParams();
  const [version, setVersion] = useState<number | undefined>();
  const workflow = useQuery({
    queryKey: ['workflows', key],
    queryFn: () => unwrap(api.GET('/workflows/{key}', { params: { path: { key } } })),
  });
  const shown = version ?? workflow.data?.latest.version;
  const definition = useQuery({
    queryKey: ['workflows', key, 'version', shown],
    enabled: shown !== undefined && shown !== workflow.data?.latest.version,
    queryFn: () =>
      unwrap(api.GET('/workflows/{key}/versions/{version}', { params: { path: { key, version: shown! } } })),
  });
  const current = shown === workflow.data?.latest.version ? workflow.data?.latest : definition.data;
  const triggers = (current?.definition as { triggers?: Array<Record<string, unknown>> } | undefined)?.triggers ?? [];

  return (
    <>
      <PageHeader
        title={workflow.data?.latest.name ?? key}
        sub={<code>{key}</code>}
        extra={
          <Link style={LINK} to={`/workflows/instances${filterToParams({ workflow: key })}`}>
            <Button>{t('definitions.instances')}</Button>
          </Link>
        }
      />
      {tabs}
      <ErrorAlert error={workflow.error ?? definition.error} />
      <FailedBanner workflow={key} />
      {workflow.isLoading && <Spin />}
      {workflow.data && (
        <Flex gap={16} align="start" wrap>
          <Card title={h2(t('definitions.versions'))} style={{ flex: '0 0 320px' }}>
            <KeyTable<Version>
              label={t('definitions.versions')}
              rowKey={(v) => String(v.version)}
              dataSource={workflow.data.versions}
              onOpen={(v) => setVersion(v.version)}
              columns={[
                {
                  title: t('definitions.version'),
                  dataIndex: 'version',
                  render: (v: number) => (
                    <Space size={4}>
                      <span>v{v}</span>
                      {v === shown && <ToneTag tone="blue">{t('definitions.shown')}</ToneTag>}
                    </Space>
                  ),
                },
                { title: t('definitions.deployedAt'), dataIndex: 'deployedAt', render: (v: string) => format.date(v) },
                { title: t('definitions.deployedBy'), dataIndex: 'deployedBy' },
              ]}
            />
          </Card>
          <Card
            style={{ flex: '1 1 600px', minWidth: 0 }}
            title={h2(`${t('definitions.graph')} — ${t('definitions.versionN', { version: shown })}`)}
            extra={
              <Select
                aria-label={t('definitions.version')}
                value={shown}
                style={{ width: 140 }}
                onChange={(v: number) => setVersion(v)}
                options={workflow.data.versions.map((v) => ({
                  value: v.version,
                  label: t('definitions.versionN', { version: v.version }),
                }))}
              />
            }
          >
            {current ? (
              <Space direction="vertical" style={{ width: '100%' }} size="middle">
                <Descriptions size="small" column={2}>
                  <Descriptions.Item label={t('definitions.deployedAt')}>
                    {format.dateTime(current.deployedAt)}
                  </Descriptions.Item>
                  <Descriptions.Item label={t('definitions.deployedBy')}>{current.deployedBy}</Descriptions.Item>
                  <Descriptions.Item label={t('definitions.checksum')}>
                    <Typography.Text code>{current.checksum.slice(0, 16)}</Typography.Text>
                  </Descriptions.Item>
                  <Descriptions.Item label={t('definitions.triggers')}>
                    {triggers.map((tr, i) => (
                      <Tag key={i}>
                        {'event' in tr
                          ? `event: ${String(tr.event)}`
                          : 'schedule' in tr
                            ? `schedule: ${String(tr.schedule)}`
                            : 'manual'}
                      </Tag>
                    ))}
                  </Descriptions.Item>
                </Descriptions>
                <WorkflowGraph
                  definition={current.definition}
                  label={`${t('definitions.graph')}: ${key} v${current.version}`}
                />
                <Collapse
                  items={[
                    {
                      key: 'source',
                      label: t('definitions.source'),
                      children: (
                        <pre style={{ fontSize: 12, margin: 0, maxHeight: 400, overflow: 'auto' }} tabIndex={0}>
                          {current.source}
                        </pre>
                      ),
                    },
                  ]}
                />
              </Space>
            ) : (
              <Spin />
            )}
          </Card>
        </Flex>
      )}
    </>
  );
}

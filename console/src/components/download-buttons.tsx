import { Button, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { downloadCsv, downloadXlsx, type Cell } from './download';

/** CSV and XLSX buttons for one table of data (a chart's or a list's). */
export function DownloadButtons({ name, header, rows }: { name: string; header: string[]; rows: () => Cell[][] }) {
  const { t } = useTranslation();
  return (
    <Space size={4}>
      <Button size="small" aria-label={`${name} CSV`} onClick={() => downloadCsv(name, header, rows())}>
        {t('actions.downloadCsv')}
      </Button>
      <Button size="small" aria-label={`${name} XLSX`} onClick={() => void downloadXlsx(name, header, rows())}>
        {t('actions.downloadXlsx')}
      </Button>
    </Space>
  );
}

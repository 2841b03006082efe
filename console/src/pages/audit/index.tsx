import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../components/page';

// Placeholder until this area's pages are built.
export default function Area() {
  const { t } = useTranslation();
  return <PageHeader title={t('nav.audit')} />;
}

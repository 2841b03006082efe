// Credit: the applications list (/credit) and one application (/credit/applications/:id).
import './locales';
import { Route, Routes } from 'react-router-dom';
import { RequirePermission } from '../../components/guard';
import { ApplicationPage } from './application-page';
import { ApplicationsList } from './applications-list';

export default function CreditArea() {
  return (
    <RequirePermission permission="credit:read">
      <Routes>
        <Route index element={<ApplicationsList />} />
        <Route path="applications/:id" element={<ApplicationPage />} />
      </Routes>
    </RequirePermission>
  );
}

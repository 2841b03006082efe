import './locales';
import { Route, Routes } from 'react-router-dom';
import { RequirePermission } from '../../components/guard';
import { CustomerList } from './customer-list';
import { CustomerPage } from './customer-page';

export default function CustomersArea() {
  return (
    <RequirePermission permission="receivables:read">
      <Routes>
        <Route index element={<CustomerList />} />
        <Route path=":id" element={<CustomerPage />} />
      </Routes>
    </RequirePermission>
  );
}

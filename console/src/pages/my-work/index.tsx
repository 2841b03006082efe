import './locales';
import '../customers/locales';
import { Route, Routes } from 'react-router-dom';
import { RequirePermission } from '../../components/guard';
import { MyWorkPage } from './my-work-page';

export default function MyWorkArea() {
  return (
    <RequirePermission permission="tasks:work">
      <Routes>
        <Route index element={<MyWorkPage />} />
      </Routes>
    </RequirePermission>
  );
}

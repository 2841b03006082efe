// Collections: the cases list (/collections) and one case (/collections/cases/:id).
import './locales';
import { Route, Routes } from 'react-router-dom';
import { RequirePermission } from '../../components/guard';
import { CasePage } from './case-page';
import { CasesList } from './cases-list';

export default function CollectionsArea() {
  return (
    <RequirePermission permission="collections:read">
      <Routes>
        <Route index element={<CasesList />} />
        <Route path="cases/:id" element={<CasePage />} />
      </Routes>
    </RequirePermission>
  );
}

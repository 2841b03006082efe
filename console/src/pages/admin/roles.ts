// The roles a user or an API key can hold (the server's list, from the OpenAPI document's enum).
import type { components } from '../../api/schema';

export type Role = components['schemas']['User']['roles'][number];

export const ROLES: Role[] = [
  'admin',
  'operator',
  'viewer',
  'credit_officer',
  'credit_manager',
  'collector',
  'collections_manager',
  'treasurer',
  'payment_approver',
  'auditor',
];

// What the credit pages share: the application statuses and their colours.
import type { components } from '../../api/schema';

export type Status = components['schemas']['CreditApplication']['status'];

export const STATUSES: Status[] = [
  'submitted',
  'assessing',
  'in_review',
  'offered',
  'approved',
  'declined',
  'offer_declined',
  'offer_expired',
];

/** A status tag's colours, each pair at WCAG AA contrast (several of antd's preset tag colours are not). */
export function statusStyle(status: Status): { color: string; background: string; borderColor: string } {
  switch (status) {
    case 'approved':
      return { color: '#2b7a0b', background: '#f6ffed', borderColor: '#b7eb8f' };
    case 'declined':
    case 'offer_declined':
    case 'offer_expired':
      return { color: '#b42318', background: '#fff1f0', borderColor: '#ffa39e' };
    case 'in_review':
    case 'offered':
      return { color: '#8a4b00', background: '#fff7e6', borderColor: '#ffd591' };
    default:
      return { color: '#0b5cad', background: '#e6f4ff', borderColor: '#91caff' };
  }
}

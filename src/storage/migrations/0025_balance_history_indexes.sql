-- Reports work a receivable's balance back from what it owes now (receivables/reports/balance-history.ts):
-- they read only the payments, fees and adjustments dated in or after their period. These indexes
-- keep that read proportional to the period's movements, not to the book's whole history.
CREATE INDEX receivable_payments_received_idx ON receivable_payments (received_on) WHERE status = 'posted';
CREATE INDEX receivable_fees_charged_idx ON receivable_fees (charged_at);
CREATE INDEX receivable_adjustments_created_idx ON receivable_adjustments (created_at);
-- The dashboards' filter options (currencies, receivable kinds, credit products in use) are read by
-- skipping from one value to the next in these indexes, not by reading every receivable.
CREATE INDEX receivables_currency_kind_idx ON receivables (currency, kind);
CREATE INDEX receivables_product_idx ON receivables ((metadata->>'product')) WHERE metadata->>'product' IS NOT NULL;
-- Receivables issued in a period (credit sales, and fees or adjustments made before such a receivable's period).
CREATE INDEX receivables_issue_date_idx ON receivables (issue_date);

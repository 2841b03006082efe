-- Anomaly checks before release (issue 22, docs/payments.md "Anomaly checks"): what the decision
-- payments.anomaly-checks found when the payment's approval started, as [{check, reason}] — empty
-- when nothing. The decision's version and the facts it judged are in the payment's `approval`.
ALTER TABLE payment_instructions ADD COLUMN anomalies jsonb NOT NULL DEFAULT '[]';

-- The duplicate check looks for the same beneficiary, currency and amount.
CREATE INDEX payment_instructions_duplicate_idx ON payment_instructions (beneficiary_id, currency, amount);

-- The same-reference check looks for the same beneficiary and normalised reference (the expression of
-- anomaly-facts.ts, written identically so the planner uses the index): one beneficiary's thousands of
-- payments (a payroll account, a busy supplier) are then not read for every new payment.
CREATE INDEX payment_instructions_reference_idx ON payment_instructions (
  beneficiary_id,
  (coalesce(remittance->>'creditorReference',
            nullif(lower(regexp_replace(btrim(remittance->>'unstructured'), '\s+', ' ', 'g')), '')))
);

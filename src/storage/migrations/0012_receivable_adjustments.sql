-- Reductions of what a customer owes that are not payments: a credit note (a disputed charge found
-- valid) or a write-off (the debt given up as a loss). Each reduces the installments' due amounts,
-- oldest first (fees, then interest, then principal), and posts its journal in the same transaction.
ALTER TABLE receivables DROP CONSTRAINT receivables_status_check;
ALTER TABLE receivables ADD CONSTRAINT receivables_status_check
  CHECK (status IN ('open', 'paid', 'cancelled', 'written_off'));

CREATE TABLE receivable_adjustments (
  id             text        PRIMARY KEY,
  receivable_id  text        NOT NULL REFERENCES receivables (id),
  kind           text        NOT NULL CHECK (kind IN ('credit_note', 'write_off')),
  amount         bigint      NOT NULL CHECK (amount > 0),
  -- what was taken off each component: {"principal": "…", "interest": "…", "fee": "…"}
  components     jsonb       NOT NULL,
  reason         text        NOT NULL,
  journal_id     text        NOT NULL,
  created_by     text        NOT NULL,
  created_at     timestamptz NOT NULL
);
CREATE INDEX receivable_adjustments_receivable_idx ON receivable_adjustments (receivable_id, created_at);

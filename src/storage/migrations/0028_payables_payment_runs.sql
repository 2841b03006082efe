-- Payments, bulk sources: CSV payment runs (payroll, supplier runs) and payables (supplier invoices)
-- that become payment instructions. See docs/payments.md (Payment runs (CSV), Payables).

-- One uploaded CSV file: every line became one payment instruction (source csv), or none did.
CREATE TABLE payment_runs (
  id              text        PRIMARY KEY,
  file_sha256     char(64)    NOT NULL,
  payment_count   integer     NOT NULL CHECK (payment_count > 0),
  -- {"EUR": "123456", ...}: the sum of the run's amounts per currency, minor units as text.
  totals          jsonb       NOT NULL,
  created_by      text        NOT NULL,
  created_at      timestamptz NOT NULL
);
CREATE INDEX payment_runs_created_idx ON payment_runs (created_at, id);

-- Which payment each line of a run made (the line as numbered in the file, header = line 1).
CREATE TABLE payment_run_items (
  run_id      text    NOT NULL REFERENCES payment_runs (id),
  line        integer NOT NULL,
  payment_id  text    NOT NULL UNIQUE REFERENCES payment_instructions (id),
  PRIMARY KEY (run_id, line)
);

-- A sourceRef of a CSV line names one payment (a payroll line paid twice is the mistake to stop), and a
-- payable makes at most one payment instruction (its id is the instruction's source_ref): both are kept
-- by the unique (source, source_ref) index of 0017, payment_instructions_source_ref_idx.

-- Supplier invoices to pay: recorded, approved by a second person, then turned into a payment
-- instruction on their due date (or on the early-payment discount date, for the discounted amount).
CREATE TABLE payables (
  id                text        PRIMARY KEY,
  beneficiary_id    text        NOT NULL REFERENCES beneficiaries (id),
  bank_account_id   text        NOT NULL REFERENCES bank_accounts (id),
  invoice_number    text        NOT NULL,
  amount            bigint      NOT NULL CHECK (amount > 0),
  currency          char(3)     NOT NULL,
  due_date          date        NOT NULL,
  -- Early-payment discount: {date, percent (text) | null, amount (minor, text), payAmount (minor, text)}.
  discount          jsonb,
  -- pending_approval → approved → scheduled (its payment instruction exists); or rejected.
  status            text        NOT NULL,
  payment_id        text        UNIQUE REFERENCES payment_instructions (id),
  -- The amount and date the instruction was made for (the discounted ones when the discount applied).
  paid_amount       bigint,
  created_by        text        NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  decided_by        text,
  decided_at        timestamptz,
  reason            text
);
CREATE UNIQUE INDEX payables_invoice_idx ON payables (beneficiary_id, invoice_number);
CREATE INDEX payables_status_idx ON payables (status, due_date);

-- Recurring payments (monthly rent, weekly or month-end payroll): a standing order whose every
-- occurrence becomes one payment instruction (source recurring). See docs/payments.md (Recurring payments).

CREATE TABLE recurring_payments (
  id                text        PRIMARY KEY,
  beneficiary_id    text        NOT NULL REFERENCES beneficiaries (id),
  bank_account_id   text        NOT NULL REFERENCES bank_accounts (id),
  amount            bigint      NOT NULL CHECK (amount > 0),
  currency          char(3)     NOT NULL,
  remittance        jsonb,
  purpose           text,
  -- monthly | weekly
  frequency         text        NOT NULL,
  -- Monthly: '1'..'31' (a day past the month's end is its last day) or 'last_business_day';
  -- weekly: '1'..'7' (ISO weekday, 1 = Monday).
  day               text        NOT NULL,
  start_date        date        NOT NULL,
  end_date          date,
  -- An engine business calendar (wf_calendars.name); null: Monday to Friday.
  calendar          text,
  -- active | cancelled
  status            text        NOT NULL,
  -- The latest occurrence (its nominal date) made into a payment instruction.
  last_occurrence   date,
  created_by        text        NOT NULL,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  cancelled_by      text,
  cancelled_at      timestamptz,
  reason            text
);
CREATE INDEX recurring_payments_status_idx ON recurring_payments (status, id);

-- An occurrence ("<recurring id>:<date>") makes at most one payment instruction: the unique index
-- payment_instructions_source_ref_idx (source, source_ref) of 0017 holds it against a concurrent run.

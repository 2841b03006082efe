-- Credit applications: what the applicant asked for, what finflow found out (assessment), what
-- policy decided (with the version of every decision used), who approved, and the contract booked.
-- The workflow instance that decides it is `instance_id`; its history is the application's timeline.
CREATE TABLE credit_applications (
  id                text        PRIMARY KEY,
  customer_id       text        NOT NULL REFERENCES customers (id),
  applicant         jsonb       NOT NULL,
  -- sha256 of the national id: counts repeat applications without indexing the id itself.
  national_id_hash  text,
  product           text        NOT NULL,
  amount            bigint      NOT NULL CHECK (amount > 0),
  currency          char(3)     NOT NULL,
  term_months       integer     NOT NULL CHECK (term_months > 0),
  purpose           text        NOT NULL,
  monthly_income    bigint      NOT NULL CHECK (monthly_income >= 0),
  monthly_expenses  bigint      NOT NULL CHECK (monthly_expenses >= 0),
  employment        jsonb       NOT NULL,
  consent           jsonb       NOT NULL,
  status            text        NOT NULL,
  outcome           text,
  submitted_by      text        NOT NULL,
  instance_id       text,
  assessment        jsonb,
  decision          jsonb,
  approvals         jsonb       NOT NULL DEFAULT '[]',
  offer             jsonb,
  contract          jsonb,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL,
  decided_at        timestamptz
);
CREATE INDEX credit_applications_customer_idx ON credit_applications (customer_id, created_at);
CREATE INDEX credit_applications_status_idx ON credit_applications (status, created_at);
CREATE INDEX credit_applications_national_id_idx ON credit_applications (national_id_hash, created_at);

-- Customers and receivables (see docs/receivables.md): invoices and loans with their installment
-- schedules, payments and their allocations, fees, delinquency state, billing plans, and the
-- settings (buckets, waterfall, rating scale) the operations team edits.

-- Settings edited through the API; each key holds one JSON document with a version for audit.
CREATE TABLE domain_settings (
  key         text        PRIMARY KEY,
  value       jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL,
  updated_by  text        NOT NULL
);

CREATE TABLE customers (
  id             text        PRIMARY KEY,
  external_id    text        NOT NULL UNIQUE,
  name           text        NOT NULL,
  email          text,
  phone          text,
  address        jsonb,
  language       text        NOT NULL DEFAULT 'en',
  time_zone      text        NOT NULL DEFAULT 'UTC',
  segment        text,
  risk_rating    text,
  credit_limit   bigint      CHECK (credit_limit >= 0),
  limit_currency char(3),
  -- Outstanding receivables in limit_currency (or in all currencies when no limit is set), kept
  -- current by every change to a receivable of this customer.
  exposure       bigint      NOT NULL DEFAULT 0,
  -- Overpayments held for the customer (a liability), in minor units of each currency.
  credit_balances jsonb      NOT NULL DEFAULT '{}',
  metadata       jsonb       NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  CHECK ((credit_limit IS NULL) = (limit_currency IS NULL))
);

CREATE TABLE customer_risk_ratings (
  id           text        PRIMARY KEY,
  customer_id  text        NOT NULL REFERENCES customers (id),
  rating       text        NOT NULL,
  previous     text,
  reason       text,
  rated_at     timestamptz NOT NULL,
  rated_by     text        NOT NULL
);
CREATE INDEX customer_risk_ratings_customer_idx ON customer_risk_ratings (customer_id, rated_at);

CREATE TABLE receivables (
  id                      text        PRIMARY KEY,
  external_id             text        NOT NULL UNIQUE,
  customer_id             text        NOT NULL REFERENCES customers (id),
  kind                    text        NOT NULL CHECK (kind IN ('invoice', 'loan')),
  currency                char(3)     NOT NULL,
  status                  text        NOT NULL CHECK (status IN ('open', 'paid', 'cancelled')),
  issue_date              date        NOT NULL,
  -- Invoices: payment terms ("net 30") and their lines. Loans: principal, annual rate, term, method.
  payment_terms           text,
  principal               bigint      NOT NULL CHECK (principal >= 0),
  annual_rate             numeric(12, 8),
  term_months             integer     CHECK (term_months > 0),
  schedule_method         text        CHECK (schedule_method IN ('single', 'annuity', 'equal_principal')),
  first_due_date          date        NOT NULL,
  maturity_date           date        NOT NULL,
  waterfall               jsonb,
  -- Totals over the schedule, kept current with every allocation, fee and reversal.
  total_due               bigint      NOT NULL DEFAULT 0,
  total_paid              bigint      NOT NULL DEFAULT 0,
  outstanding             bigint      NOT NULL DEFAULT 0 CHECK (outstanding >= 0),
  -- Delinquency: the due date of the oldest installment not fully paid, so the close-of-business run
  -- computes days past due with one set-based UPDATE instead of scanning installments.
  oldest_unpaid_due_date  date,
  dpd                     integer     NOT NULL DEFAULT 0 CHECK (dpd >= 0),
  bucket                  text        NOT NULL DEFAULT 'current',
  overdue_since           date,
  delinquency_as_of       date,
  metadata                jsonb       NOT NULL DEFAULT '{}',
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL,
  request_hash            text        NOT NULL
-- Room on each page: the nightly run moves every overdue receivable's dpd, and with free space and no
-- index on dpd those updates stay on the page (HOT) without touching the indexes.
) WITH (fillfactor = 85);
CREATE INDEX receivables_customer_idx ON receivables (customer_id);
CREATE INDEX receivables_open_idx ON receivables (oldest_unpaid_due_date) WHERE status = 'open';
CREATE INDEX receivables_bucket_idx ON receivables (bucket);

CREATE TABLE receivable_lines (
  receivable_id  text    NOT NULL REFERENCES receivables (id) ON DELETE CASCADE,
  line_no        integer NOT NULL,
  description    text    NOT NULL,
  quantity       numeric(18, 6) NOT NULL,
  unit_price     bigint  NOT NULL,
  tax_rate       numeric(8, 6) NOT NULL DEFAULT 0,
  amount         bigint  NOT NULL,
  PRIMARY KEY (receivable_id, line_no)
);

CREATE TABLE installments (
  receivable_id  text    NOT NULL REFERENCES receivables (id) ON DELETE CASCADE,
  seq            integer NOT NULL CHECK (seq > 0),
  due_date       date    NOT NULL,
  principal_due  bigint  NOT NULL CHECK (principal_due >= 0),
  interest_due   bigint  NOT NULL CHECK (interest_due >= 0),
  fee_due        bigint  NOT NULL DEFAULT 0 CHECK (fee_due >= 0),
  principal_paid bigint  NOT NULL DEFAULT 0,
  interest_paid  bigint  NOT NULL DEFAULT 0,
  fee_paid       bigint  NOT NULL DEFAULT 0,
  PRIMARY KEY (receivable_id, seq),
  CHECK (principal_paid BETWEEN 0 AND principal_due),
  CHECK (interest_paid BETWEEN 0 AND interest_due),
  CHECK (fee_paid BETWEEN 0 AND fee_due)
);
CREATE INDEX installments_due_idx ON installments (due_date);

CREATE TABLE receivable_fees (
  id             text        PRIMARY KEY,
  receivable_id  text        NOT NULL REFERENCES receivables (id),
  installment_seq integer    NOT NULL,
  kind           text        NOT NULL,
  amount         bigint      NOT NULL CHECK (amount > 0),
  journal_id     text        NOT NULL,
  charged_at     timestamptz NOT NULL,
  charged_by     text        NOT NULL,
  request_hash   text        NOT NULL
);
CREATE INDEX receivable_fees_receivable_idx ON receivable_fees (receivable_id);

CREATE TABLE receivable_payments (
  id             text        PRIMARY KEY,
  external_id    text        NOT NULL UNIQUE,
  receivable_id  text        NOT NULL REFERENCES receivables (id),
  customer_id    text        NOT NULL REFERENCES customers (id),
  amount         bigint      NOT NULL CHECK (amount > 0),
  currency       char(3)     NOT NULL,
  received_on    date        NOT NULL,
  status         text        NOT NULL CHECK (status IN ('posted', 'reversed')),
  -- The part no installment could take: held as the customer's credit balance.
  unallocated    bigint      NOT NULL DEFAULT 0 CHECK (unallocated >= 0),
  journal_id     text        NOT NULL,
  reversal_journal_id text,
  reversed_at    timestamptz,
  reversed_by    text,
  reversal_reason text,
  created_at     timestamptz NOT NULL,
  created_by     text        NOT NULL,
  request_hash   text        NOT NULL
);
CREATE INDEX receivable_payments_receivable_idx ON receivable_payments (receivable_id, created_at);

CREATE TABLE payment_allocations (
  payment_id      text    NOT NULL REFERENCES receivable_payments (id),
  position        integer NOT NULL,
  receivable_id   text    NOT NULL,
  installment_seq integer NOT NULL,
  component       text    NOT NULL CHECK (component IN ('fee', 'interest', 'principal')),
  amount          bigint  NOT NULL CHECK (amount > 0),
  PRIMARY KEY (payment_id, position),
  FOREIGN KEY (receivable_id, installment_seq) REFERENCES installments (receivable_id, seq)
);

-- One row per close-of-business date: the run is idempotent per date, and the next run knows from
-- which date installments have fallen due since.
CREATE TABLE close_of_business_runs (
  as_of        date        PRIMARY KEY,
  ran_at       timestamptz NOT NULL,
  ran_by       text        NOT NULL,
  counts       jsonb       NOT NULL
);

CREATE TABLE billing_plans (
  id               text        PRIMARY KEY,
  external_id      text        NOT NULL UNIQUE,
  customer_id      text        NOT NULL REFERENCES customers (id),
  currency         char(3)     NOT NULL,
  lines            jsonb       NOT NULL,
  interval_months  integer     NOT NULL CHECK (interval_months > 0),
  payment_terms_days integer   NOT NULL CHECK (payment_terms_days >= 0),
  -- Period n is issued on start_date + n × interval (month-end clamped from the start, so a plan
  -- starting on the 31st bills on the last day of every month, not on the 28th after February).
  start_date       date        NOT NULL,
  next_issue_date  date        NOT NULL,
  end_date         date,
  status           text        NOT NULL CHECK (status IN ('active', 'paused', 'ended')),
  issued_count     integer     NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX billing_plans_due_idx ON billing_plans (next_issue_date) WHERE status = 'active';

-- Collections: one case per overdue episode of a receivable (a loan or an invoice), from the
-- `receivable.overdue` event until it is cured or paid. The case holds the segment and strategy
-- variant decided at opening (with the decision versions, so a later policy change applies to new
-- cases only), the collector who owns it, and what its workflow instance has done.
CREATE TABLE collection_cases (
  id                 text        PRIMARY KEY,
  receivable_id      text        NOT NULL REFERENCES receivables (id),
  customer_id        text        NOT NULL REFERENCES customers (id),
  currency           char(3)     NOT NULL,
  -- open until cured or paid; `state` says what the strategy is doing meanwhile.
  status             text        NOT NULL CHECK (status IN ('open', 'closed')),
  state              text        NOT NULL,
  segment            text        NOT NULL,
  variant            text        NOT NULL,
  queue              text        NOT NULL,
  segment_version    integer     NOT NULL,
  strategy_version   integer     NOT NULL,
  collector          text,
  collector_since    timestamptz,
  instance_id        text,
  opened_at          timestamptz NOT NULL,
  opened_dpd         integer     NOT NULL,
  opened_overdue     bigint      NOT NULL,
  opened_outstanding bigint      NOT NULL,
  -- the receivable's total_paid when the case opened: recoveries are payments above it.
  opened_paid        bigint      NOT NULL,
  last_stage_at      timestamptz,
  closed_at          timestamptz,
  outcome            text,
  recovered          bigint      NOT NULL DEFAULT 0,
  updated_at         timestamptz NOT NULL
);
-- One open case per receivable: a second overdue event while one is open cannot open another.
CREATE UNIQUE INDEX collection_cases_open_idx ON collection_cases (receivable_id) WHERE status = 'open';
CREATE INDEX collection_cases_customer_idx ON collection_cases (customer_id, opened_at);
CREATE INDEX collection_cases_status_idx ON collection_cases (status, segment, opened_at);
CREATE INDEX collection_cases_collector_idx ON collection_cases (collector) WHERE status = 'open';

-- Every stage a case ran, once: the primary key is what makes "each stage exactly once" hold
-- across crashes and retries of the workflow step.
CREATE TABLE collection_stage_runs (
  case_id     text        NOT NULL REFERENCES collection_cases (id),
  stage       text        NOT NULL,
  kind        text        NOT NULL,
  seq         integer     NOT NULL,
  dpd         integer     NOT NULL,
  ran_at      timestamptz NOT NULL,
  result      jsonb       NOT NULL,
  PRIMARY KEY (case_id, stage)
);

-- Contact outcomes: what happened when someone tried to reach the customer, by any channel.
CREATE TABLE collection_contacts (
  id            text        PRIMARY KEY,
  case_id       text        NOT NULL REFERENCES collection_cases (id),
  customer_id   text        NOT NULL REFERENCES customers (id),
  channel       text        NOT NULL,
  direction     text        NOT NULL CHECK (direction IN ('outbound', 'inbound')),
  contacted_at  timestamptz NOT NULL,
  reached       boolean     NOT NULL,
  right_party   boolean     NOT NULL,
  willingness   text,
  delay_reason  text,
  notes         text,
  segment       text        NOT NULL,
  recorded_by   text        NOT NULL,
  created_at    timestamptz NOT NULL
);
CREATE INDEX collection_contacts_case_idx ON collection_contacts (case_id, contacted_at);

-- Promises to pay: kept when the payments since the promise reach the amount by the date (plus the
-- grace days), broken otherwise. Collector and segment are copied for the kept-rate reports.
CREATE TABLE collection_promises (
  id             text        PRIMARY KEY,
  case_id        text        NOT NULL REFERENCES collection_cases (id),
  customer_id    text        NOT NULL REFERENCES customers (id),
  amount         bigint      NOT NULL CHECK (amount > 0),
  currency       char(3)     NOT NULL,
  promised_date  date        NOT NULL,
  status         text        NOT NULL CHECK (status IN ('open', 'kept', 'broken', 'cancelled')),
  -- the receivable's total_paid when the promise was made; kept = total_paid - baseline >= amount.
  baseline_paid  bigint      NOT NULL,
  paid_amount    bigint      NOT NULL DEFAULT 0,
  collector      text,
  segment        text        NOT NULL,
  created_by     text        NOT NULL,
  created_at     timestamptz NOT NULL,
  resolved_at    timestamptz
);
CREATE INDEX collection_promises_case_idx ON collection_promises (case_id, created_at);
CREATE INDEX collection_promises_customer_idx ON collection_promises (customer_id, status);

-- Disputes: the customer contests part or all of what the case is chasing. Dunning pauses on the
-- disputed amount while one is open; found valid, a credit note takes it off; invalid, dunning resumes.
CREATE TABLE collection_disputes (
  id           text        PRIMARY KEY,
  case_id      text        NOT NULL REFERENCES collection_cases (id),
  amount       bigint      NOT NULL CHECK (amount > 0),
  reason       text        NOT NULL,
  status       text        NOT NULL CHECK (status IN ('open', 'valid', 'invalid')),
  resolution   jsonb,
  opened_by    text        NOT NULL,
  opened_at    timestamptz NOT NULL,
  resolved_by  text,
  resolved_at  timestamptz
);
CREATE INDEX collection_disputes_case_idx ON collection_disputes (case_id, opened_at);

-- Payment plans: a schedule for the arrears agreed with the customer, approved by authority level
-- when large. While active the strategy pauses; a missed plan installment breaks it.
CREATE TABLE collection_plans (
  id             text        PRIMARY KEY,
  case_id        text        NOT NULL REFERENCES collection_cases (id),
  -- [{"date": "2026-05-01", "amount": "25000"}, …]
  schedule       jsonb       NOT NULL,
  total          bigint      NOT NULL CHECK (total > 0),
  status         text        NOT NULL CHECK (status IN ('pending_approval', 'active', 'rejected', 'kept', 'broken', 'cancelled')),
  approval_queue text,
  baseline_paid  bigint      NOT NULL,
  proposed_by    text        NOT NULL,
  proposed_at    timestamptz NOT NULL,
  decided_by     text,
  decided_at     timestamptz,
  resolved_at    timestamptz
);
CREATE INDEX collection_plans_case_idx ON collection_plans (case_id, proposed_at);

-- Hardship: special circumstances a collector reports; risk and customer care review them at once.
CREATE TABLE collection_hardships (
  id            text        PRIMARY KEY,
  case_id       text        NOT NULL REFERENCES collection_cases (id),
  circumstance  text        NOT NULL,
  notes         text        NOT NULL,
  status        text        NOT NULL CHECK (status IN ('open', 'resumed', 'forborne')),
  forbear_until timestamptz,
  raised_by     text        NOT NULL,
  raised_at     timestamptz NOT NULL,
  resolved_by   text,
  resolved_at   timestamptz
);
CREATE INDEX collection_hardships_case_idx ON collection_hardships (case_id, raised_at);

-- Placements with external collection agencies: what was placed, at what commission, what the
-- agency recovered (payments while placed) until recall or close.
CREATE TABLE collection_placements (
  id               text        PRIMARY KEY,
  case_id          text        NOT NULL REFERENCES collection_cases (id),
  agency           text        NOT NULL,
  commission_rate  numeric(7, 6) NOT NULL,
  placed_amount    bigint      NOT NULL,
  paid_at_placement bigint     NOT NULL,
  status           text        NOT NULL CHECK (status IN ('placed', 'recalled', 'closed')),
  recovered        bigint      NOT NULL DEFAULT 0,
  commission       bigint      NOT NULL DEFAULT 0,
  delivery         jsonb,
  placed_at        timestamptz NOT NULL,
  ended_at         timestamptz,
  ended_by         text,
  end_reason       text
);
CREATE INDEX collection_placements_case_idx ON collection_placements (case_id, placed_at);
CREATE INDEX collection_placements_agency_idx ON collection_placements (agency, status);

-- Write-off proposals: approved, the outstanding balance is written off in receivables and the ledger.
CREATE TABLE collection_write_offs (
  id           text        PRIMARY KEY,
  case_id      text        NOT NULL REFERENCES collection_cases (id),
  amount       bigint      NOT NULL CHECK (amount > 0),
  reason       text        NOT NULL,
  status       text        NOT NULL CHECK (status IN ('pending_approval', 'approved', 'rejected')),
  approval_queue text      NOT NULL,
  proposed_by  text        NOT NULL,
  proposed_at  timestamptz NOT NULL,
  decided_by   text,
  decided_at   timestamptz,
  decision_note text
);
CREATE INDEX collection_write_offs_case_idx ON collection_write_offs (case_id, proposed_at);

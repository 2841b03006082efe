-- Treasury positions, forecast and alerts (docs/cash-forecast.md). Positions and the forecast are
-- read from existing tables; what is new is each bank account's alert settings: the balance below
-- which its statements raise treasury.balance_below_threshold, and the time (in the account's zone)
-- by which a statement is expected every business day (treasury.statement_missing otherwise).

CREATE TABLE bank_account_alerts (
  bank_account_id        text        PRIMARY KEY REFERENCES bank_accounts (id),
  -- Signed minor units of the account's currency; null: no balance alert.
  min_balance            bigint,
  -- True from the import that took the latest balance below min_balance (and published the alert) until
  -- one takes it back to or above it: the alert is raised when the balance crosses, not at every import.
  below_threshold        boolean     NOT NULL DEFAULT false,
  -- 'HH:MM' in time_zone; null: no statement-missing alert.
  statement_expected_by  text        CHECK (statement_expected_by ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  -- IANA zone of statement_expected_by, "today" and "since midnight"; null: UTC.
  time_zone              text,
  -- An engine business calendar (wf_calendars.name) whose days a statement is expected on; null: Monday to Friday.
  calendar               text,
  -- The last day (in time_zone) a statement_missing event was published for the account: once a day at most.
  missing_alerted_on     date,
  updated_by             text        NOT NULL,
  updated_at             timestamptz NOT NULL
);

-- Each account's latest statement with a closing balance (positions, forecast, balance alerts:
-- latest-statement.ts). The order is the queries' own, NULLS LAST included, so the newest comes first
-- from the index with no sort (a plain DESC puts nulls first and no longer matches).
CREATE INDEX bank_statements_closing_idx
  ON bank_statements (bank_account_id, closing_date DESC NULLS LAST, id DESC)
  WHERE closing_balance IS NOT NULL;
-- The forecast's outflows: unsettled payments of a currency by value date.
CREATE INDEX payment_instructions_currency_date_idx ON payment_instructions (currency, requested_execution_date)
  WHERE status IN ('draft', 'pending_approval', 'approved', 'batched', 'sent', 'accepted');
-- The forecast's pending credit disbursements (the loan payouts credit booking leaves pending).
CREATE INDEX ledger_transfers_pending_payout_idx ON ledger_transfers (currency, id)
  WHERE kind = 'pending' AND code = 'loan.payout';

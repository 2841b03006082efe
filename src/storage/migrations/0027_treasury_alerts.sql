-- Treasury positions, forecast and alerts (docs/cash-forecast.md). Positions and the forecast are
-- read from existing tables; what is new is each bank account's alert settings: the balance below
-- which its statements raise treasury.balance_below_threshold, and the time (UTC) by which a
-- statement is expected every business day (treasury.statement_missing otherwise).

CREATE TABLE bank_account_alerts (
  bank_account_id        text        PRIMARY KEY REFERENCES bank_accounts (id),
  -- Signed minor units of the account's currency; null: no balance alert.
  min_balance            bigint,
  -- 'HH:MM' (UTC); null: no statement-missing alert.
  statement_expected_by  text        CHECK (statement_expected_by ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
  -- The last day a statement_missing event was published for the account: once a day at most.
  missing_alerted_on     date,
  updated_by             text        NOT NULL,
  updated_at             timestamptz NOT NULL
);

-- Positions read each account's latest statement with a closing balance.
CREATE INDEX bank_statements_closing_idx ON bank_statements (bank_account_id, closing_date DESC, id DESC)
  WHERE closing_balance IS NOT NULL;
-- The forecast's outflows: unsettled payments of a currency by value date.
CREATE INDEX payment_instructions_currency_date_idx ON payment_instructions (currency, requested_execution_date)
  WHERE status IN ('draft', 'pending_approval', 'approved', 'batched', 'sent', 'accepted');
-- The forecast's pending credit disbursements (the loan payouts credit booking leaves pending).
CREATE INDEX ledger_transfers_pending_payout_idx ON ledger_transfers (currency, id)
  WHERE kind = 'pending' AND code = 'loan.payout';

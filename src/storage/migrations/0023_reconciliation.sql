-- Reconciliation of booked bank entries with what finflow expected: outgoing payments, open
-- receivables, bank charges and written-off differences. A match ties (part of) one entry to one
-- target; an entry split over several targets has several matches (one-to-many), a receivable paid by
-- several entries has several (many-to-one). A match is never deleted: reversing it stamps it and
-- undoes its effect (the receivable payment reversed, the ledger journal reversed). See docs/treasury.md.

CREATE TABLE bank_matches (
  id                     text        PRIMARY KEY,
  bank_entry_id          text        NOT NULL REFERENCES bank_entries (id),
  target_kind            text        NOT NULL
                           CHECK (target_kind IN ('outgoing_payment', 'receivable', 'charge', 'writeoff')),
  -- The payment instruction or receivable; none for a charge or a write-off.
  target_id              text,
  amount                 bigint      NOT NULL CHECK (amount > 0),
  currency               char(3)     NOT NULL,
  -- The rule of treasury.reconciliation-rules that matched (with its decision version), or 'manual'.
  rule_code              text        NOT NULL,
  decision_version       integer,
  confidence             integer     NOT NULL CHECK (confidence BETWEEN 0 AND 100),
  -- 'auto', or the person (principal id) who matched it.
  matched_by             text        NOT NULL,
  matched_at             timestamptz NOT NULL,
  note                   text,
  -- What the match caused, so a reversal undoes exactly that.
  receivable_payment_id  text,
  journal_id             text,
  reversed_at            timestamptz,
  reversed_by            text,
  reversal_reason        text
);
CREATE INDEX bank_matches_entry_idx ON bank_matches (bank_entry_id, id);
CREATE INDEX bank_matches_target_idx ON bank_matches (target_kind, target_id) WHERE target_id IS NOT NULL;
CREATE INDEX bank_matches_matched_at_idx ON bank_matches (matched_at);

-- Why an entry is an exception (no candidate, several, an amount left over) and the ranked
-- suggestions shown to the person who works it; when it became one and when it was ignored.
ALTER TABLE bank_entries ADD COLUMN exception_reason text;
ALTER TABLE bank_entries ADD COLUMN suggestions jsonb;
ALTER TABLE bank_entries ADD COLUMN exception_at timestamptz;
ALTER TABLE bank_entries ADD COLUMN ignored_reason text;
ALTER TABLE bank_entries ADD COLUMN reconciled_at timestamptz;
CREATE INDEX bank_entries_exception_idx ON bank_entries (exception_at, id) WHERE status = 'exception';

-- What incoming matching looks open receivables up by: the external id as a creditor reference or
-- in remittance text (uppercased), and the open amount (amount + name rule).
CREATE INDEX receivables_open_reference_idx ON receivables (upper(external_id)) WHERE status = 'open';
CREATE INDEX receivables_open_amount_idx ON receivables (currency, outstanding) WHERE status = 'open';

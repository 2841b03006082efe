-- Bank statements in (camt.052/053/054, MT940) and the entries they book on the organisation's
-- accounts. An entry is stored once however many files carry it: it is keyed by a fingerprint of its
-- content and its occurrence (the second identical entry of a day is occurrence 2), so the same
-- statement twice adds nothing and an overlapping one adds only what is new. See docs/treasury.md.

CREATE TABLE bank_statements (
  id                  text        PRIMARY KEY,
  bank_account_id     text        NOT NULL REFERENCES bank_accounts (id),
  format              text        NOT NULL,
  version             text,
  message_id          text        NOT NULL,
  statement_id        text,
  sequence_number     text,
  -- The period the bank says the statement covers, as written (a date or a date-time).
  period_from         text,
  period_to           text,
  -- Signed minor units (credit positive): the opening and closing booked balances when given.
  opening_balance     bigint,
  opening_date        date,
  closing_balance     bigint,
  closing_date        date,
  entry_count         integer     NOT NULL,
  new_entry_count     integer     NOT NULL,
  -- Entries not booked (pending, information only): read, not stored as bookings.
  unbooked_count      integer     NOT NULL,
  file_sha256         text        NOT NULL,
  warnings            jsonb       NOT NULL,
  imported_by         text        NOT NULL,
  imported_at         timestamptz NOT NULL
);
CREATE INDEX bank_statements_account_idx ON bank_statements (bank_account_id, id);

CREATE TABLE bank_entries (
  id                          text        PRIMARY KEY,
  bank_account_id             text        NOT NULL REFERENCES bank_accounts (id),
  -- The statement that first brought the entry.
  statement_id                text        NOT NULL REFERENCES bank_statements (id),
  fingerprint                 text        NOT NULL,
  occurrence                  integer     NOT NULL,
  amount                      bigint      NOT NULL CHECK (amount >= 0),
  currency                    char(3)     NOT NULL,
  direction                   text        NOT NULL CHECK (direction IN ('credit', 'debit')),
  reversal                    boolean     NOT NULL,
  booking_date                date        NOT NULL,
  value_date                  date,
  entry_reference             text,
  account_servicer_reference  text,
  bank_transaction_code       text,
  -- What matching reads, lifted from the transaction details (the first one for a batch booking).
  end_to_end_id               text,
  creditor_reference          text,
  remittance                  text,
  counterparty_name           text,
  counterparty_account        text,
  return_reason               text,
  charges                     bigint,
  transaction_count           integer     NOT NULL,
  -- The entry as read (amounts as decimal strings of minor units), for people and later rules.
  details                     jsonb       NOT NULL,
  -- Reconciliation: unmatched → matched | exception | ignored.
  status                      text        NOT NULL DEFAULT 'unmatched',
  created_at                  timestamptz NOT NULL,
  UNIQUE (bank_account_id, fingerprint, occurrence)
);
CREATE INDEX bank_entries_account_idx ON bank_entries (bank_account_id, booking_date, id);
CREATE INDEX bank_entries_statement_idx ON bank_entries (statement_id, id);
CREATE INDEX bank_entries_open_idx ON bank_entries (status, id) WHERE status <> 'matched';

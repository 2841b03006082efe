-- Payments, second slice: approved payments batched into pain.001 files (one per debtor account,
-- value date and method), each file stored once and released to the bank through a delivery port.
-- See docs/payments.md (Batching, Release and the outbox).

CREATE TABLE payment_batches (
  id                      text        PRIMARY KEY,
  bank_account_id         text        NOT NULL REFERENCES bank_accounts (id),
  -- The file's requested execution date (ReqdExctnDt).
  value_date              date        NOT NULL,
  method                  text        NOT NULL CHECK (method IN ('sepa', 'international')),
  pain001_version         text        NOT NULL,
  -- GrpHdr/MsgId: unique towards the bank, at most 35 characters of the set every pain.001 accepts.
  message_id              text        NOT NULL CHECK (message_id ~ '^[A-Za-z0-9/?:().,''+ -]{1,35}$'),
  -- The file's one PmtInf block (PmtInfId).
  payment_information_id  text        NOT NULL,
  -- created → releasing → released (→ accepted / rejected / partially_accepted, from pain.002); or cancelled.
  status                  text        NOT NULL,
  number_of_transactions  integer     NOT NULL CHECK (number_of_transactions > 0),
  control_sum             bigint      NOT NULL CHECK (control_sum > 0),
  currency                char(3)     NOT NULL,
  file_name               text        NOT NULL,
  file_sha256             char(64)    NOT NULL,
  created_by              text        NOT NULL,
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL,
  release_started_by      text,
  release_started_at      timestamptz,
  released_by             text,
  released_at             timestamptz,
  -- Where the delivery port put the file (a path in the outbox, a connector's remote name).
  delivery_location       text,
  cancelled_by            text,
  cancelled_at            timestamptz,
  cancel_reason           text
);
CREATE UNIQUE INDEX payment_batches_message_id_idx ON payment_batches (message_id);
CREATE UNIQUE INDEX payment_batches_file_name_idx ON payment_batches (file_name);
CREATE INDEX payment_batches_status_idx ON payment_batches (status, id);
CREATE INDEX payment_batches_account_idx ON payment_batches (bank_account_id, id);

-- The pain.001 bytes, written once with their batch and never updated (the batch row holds the hash).
-- Apart from the batch row so lists and the release's row lock never carry megabytes of XML.
CREATE TABLE payment_files (
  batch_id    text        PRIMARY KEY REFERENCES payment_batches (id),
  content     bytea       NOT NULL,
  sha256      char(64)    NOT NULL,
  size        integer     NOT NULL,
  created_at  timestamptz NOT NULL
);

-- Which payments each batch's file carries, kept when a batch is cancelled (its payments go back to
-- approved and may land in another batch; the instruction's batch_id names only its current one).
CREATE TABLE payment_batch_items (
  batch_id       text    NOT NULL REFERENCES payment_batches (id),
  payment_id     text    NOT NULL REFERENCES payment_instructions (id),
  position       integer NOT NULL,
  end_to_end_id  text    NOT NULL,
  amount         bigint  NOT NULL,
  PRIMARY KEY (batch_id, payment_id)
);
CREATE INDEX payment_batch_items_payment_idx ON payment_batch_items (payment_id);

ALTER TABLE payment_instructions
  ADD COLUMN batch_id text REFERENCES payment_batches (id),
  ADD COLUMN payment_information_id text;
CREATE INDEX payment_instructions_batch_idx ON payment_instructions (batch_id) WHERE batch_id IS NOT NULL;
-- What a batching run selects: approved payments in no batch.
CREATE INDEX payment_instructions_batchable_idx ON payment_instructions (bank_account_id, requested_execution_date, id)
  WHERE status = 'approved' AND batch_id IS NULL;

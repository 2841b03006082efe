-- Payments, status reports: the bank's pain.002 answers to released payment files, each applied once
-- to its batch (found by the original message id) and its payments. The report's own message id is
-- unique per batch, so the same report sent twice changes nothing. See docs/payments.md (Status reports).

CREATE TABLE payment_status_reports (
  id                    text        PRIMARY KEY,
  batch_id              text        NOT NULL REFERENCES payment_batches (id),
  -- GrpHdr/MsgId of the report, and OrgnlGrpInfAndSts/OrgnlMsgId (= the batch's message id).
  message_id            text        NOT NULL,
  original_message_id   text        NOT NULL,
  -- pain.002.001.03, .10… as the namespace said; null when the file named none.
  version               text,
  -- GrpHdr/CreDtTm as written by the bank.
  report_created_at     text,
  -- GrpSts (ACCP, ACTC, PART, RJCT…), null when the bank gave none.
  group_status          text,
  file_sha256           char(64)    NOT NULL,
  received_by           text        NOT NULL,
  received_at           timestamptz NOT NULL,
  -- What the report did: payments accepted and rejected by it, payments it named that were left
  -- as they were (already in that state, or settled), entries it named that the batch does not know.
  accepted_count        integer     NOT NULL,
  rejected_count        integer     NOT NULL,
  unchanged_count       integer     NOT NULL,
  unmatched_count       integer     NOT NULL,
  batch_status_before   text        NOT NULL,
  batch_status_after    text        NOT NULL,
  -- The statuses read (group, blocks, transactions with their reasons), the changes made, the
  -- entries that matched nothing, and the reader's and the matching's warnings.
  statuses              jsonb       NOT NULL,
  changes               jsonb       NOT NULL,
  unmatched             jsonb       NOT NULL,
  warnings              jsonb       NOT NULL
);
CREATE UNIQUE INDEX payment_status_reports_message_idx ON payment_status_reports (batch_id, message_id);
CREATE INDEX payment_status_reports_batch_idx ON payment_status_reports (batch_id, id);

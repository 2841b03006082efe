-- Payments, first slice: the organisation's bank accounts (each tied to a ledger cash account),
-- beneficiaries whose bank details change only through a second person's approval, and outgoing
-- payment instructions with their approvals, ledger hold and status history. See docs/payments.md.

CREATE TABLE bank_accounts (
  id                 text        PRIMARY KEY,
  name               text        NOT NULL,
  currency           char(3)     NOT NULL,
  -- An IBAN, or a local account number with its bank code (countries without IBAN).
  iban               text,
  account_number     text,
  bank_code          text,
  bic                text,
  country            char(2)     NOT NULL,
  owner_name         text        NOT NULL,
  ledger_account     text        NOT NULL,
  ledger_account_id  text        NOT NULL REFERENCES ledger_accounts (id),
  pain001_version    text        NOT NULL DEFAULT 'pain.001.001.09',
  status             text        NOT NULL DEFAULT 'active',
  created_by         text        NOT NULL,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  CHECK ((iban IS NOT NULL) <> (account_number IS NOT NULL AND bank_code IS NOT NULL))
);
-- One account per IBAN and currency (a multi-currency account holds one row per currency).
CREATE UNIQUE INDEX bank_accounts_iban_idx ON bank_accounts (iban, currency) WHERE iban IS NOT NULL;
CREATE UNIQUE INDEX bank_accounts_local_idx ON bank_accounts (country, bank_code, account_number, currency)
  WHERE iban IS NULL;

CREATE TABLE beneficiaries (
  id               text        PRIMARY KEY,
  name             text        NOT NULL,
  kind             text        NOT NULL,
  customer_id      text        REFERENCES customers (id),
  -- unverified until its first bank details are approved, then verified; blocked stops payments.
  status           text        NOT NULL,
  -- The approved bank details payments go to; null until the first approval.
  details          jsonb,
  details_version  integer     NOT NULL DEFAULT 0,
  verified_at      timestamptz,
  verified_by      text,
  created_by       text        NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX beneficiaries_status_idx ON beneficiaries (status, id);

-- Every new set of bank details is a proposal a second person approves (four eyes).
CREATE TABLE beneficiary_changes (
  id              text        PRIMARY KEY,
  beneficiary_id  text        NOT NULL REFERENCES beneficiaries (id),
  details         jsonb       NOT NULL,
  status          text        NOT NULL,
  proposed_by     text        NOT NULL,
  proposed_at     timestamptz NOT NULL,
  decided_by      text,
  decided_at      timestamptz,
  reason          text
);
CREATE INDEX beneficiary_changes_beneficiary_idx ON beneficiary_changes (beneficiary_id, id);
-- At most one open proposal per beneficiary: a second waits until the first is decided.
CREATE UNIQUE INDEX beneficiary_changes_one_open_idx ON beneficiary_changes (beneficiary_id)
  WHERE status = 'proposed';

CREATE TABLE payment_instructions (
  id                        text        PRIMARY KEY,
  bank_account_id           text        NOT NULL REFERENCES bank_accounts (id),
  beneficiary_id            text        NOT NULL REFERENCES beneficiaries (id),
  amount                    bigint      NOT NULL CHECK (amount > 0),
  currency                  char(3)     NOT NULL,
  requested_execution_date  date        NOT NULL,
  end_to_end_id             text        NOT NULL UNIQUE,
  remittance                jsonb,
  purpose                   text,
  source                    text        NOT NULL,
  source_ref                text,
  status                    text        NOT NULL,
  -- What the approval matrix required (approvers, queues, rule, decision key@version).
  approval                  jsonb,
  approvals                 jsonb       NOT NULL DEFAULT '[]',
  -- The beneficiary's bank details the approvers saw: what the payment goes to.
  beneficiary_snapshot      jsonb,
  hold_transfer_id          text,
  rejection                 jsonb,
  instance_id               text,
  created_by                text        NOT NULL,
  created_at                timestamptz NOT NULL,
  updated_at                timestamptz NOT NULL,
  approved_at               timestamptz
);
CREATE INDEX payment_instructions_status_idx ON payment_instructions (status, id);
CREATE INDEX payment_instructions_beneficiary_idx ON payment_instructions (beneficiary_id, id);
CREATE INDEX payment_instructions_account_idx ON payment_instructions (bank_account_id, id);
CREATE INDEX payment_instructions_date_idx ON payment_instructions (requested_execution_date, id);
-- A payable, a disbursement or a caller's own reference becomes at most one payment.
CREATE UNIQUE INDEX payment_instructions_source_ref_idx ON payment_instructions (source, source_ref)
  WHERE source_ref IS NOT NULL;

-- Every status change of a payment: who, when, from, to and why (the audit log has the same, chained).
CREATE TABLE payment_history (
  seq         bigserial   PRIMARY KEY,
  payment_id  text        NOT NULL REFERENCES payment_instructions (id),
  at          timestamptz NOT NULL,
  by          text        NOT NULL,
  from_status text,
  to_status   text        NOT NULL,
  reason      text,
  data        jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX payment_history_payment_idx ON payment_history (payment_id, seq);

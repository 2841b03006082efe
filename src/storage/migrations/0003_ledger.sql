-- Double-entry ledger (see docs/ledger.md). The model follows TigerBeetle's: every transfer debits one
-- account and credits another by the same positive amount in the same currency, so the books balance
-- by construction — there is no row that could hold a one-sided posting. A journal entry with many
-- postings is several transfers sharing a journal_id, written in one transaction or not at all.

CREATE TABLE ledger_accounts (
  id                             text        PRIMARY KEY,
  code                           text        NOT NULL,
  currency                       char(3)     NOT NULL,
  normal_side                    text        NOT NULL CHECK (normal_side IN ('debit', 'credit')),
  debits_must_not_exceed_credits boolean     NOT NULL DEFAULT false,
  credits_must_not_exceed_debits boolean     NOT NULL DEFAULT false,
  debits_pending                 bigint      NOT NULL DEFAULT 0 CHECK (debits_pending >= 0),
  debits_posted                  bigint      NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_pending                bigint      NOT NULL DEFAULT 0 CHECK (credits_pending >= 0),
  credits_posted                 bigint      NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  metadata                       jsonb       NOT NULL DEFAULT '{}',
  created_at                     timestamptz NOT NULL,
  created_by                     text        NOT NULL,
  UNIQUE (code, currency),
  -- Target of the transfers' (account, currency) foreign keys: a transfer cannot touch an account
  -- of another currency.
  UNIQUE (id, currency),
  CHECK (NOT (debits_must_not_exceed_credits AND credits_must_not_exceed_debits)),
  -- The balance limits are the database's to enforce, not the caller's: a transfer that would break
  -- one fails its statement (SQLSTATE 23514) and the transaction rolls back.
  CONSTRAINT ledger_debits_exceed_credits
    CHECK (NOT debits_must_not_exceed_credits OR debits_pending + debits_posted <= credits_posted),
  CONSTRAINT ledger_credits_exceed_debits
    CHECK (NOT credits_must_not_exceed_debits OR credits_pending + credits_posted <= debits_posted)
);

-- kind: posted (final), pending (a hold), post_pending / void_pending / expire_pending (the one
-- resolution of a pending transfer, named by pending_id), reversal (a correction of a posted one,
-- named by reverses_id, with debit and credit swapped).
CREATE TABLE ledger_transfers (
  id                text        PRIMARY KEY,
  journal_id        text        NOT NULL,
  seq               bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
  debit_account_id  text        NOT NULL,
  credit_account_id text        NOT NULL,
  amount            bigint      NOT NULL CHECK (amount > 0),
  currency          char(3)     NOT NULL,
  kind              text        NOT NULL
                    CHECK (kind IN ('posted', 'pending', 'post_pending', 'void_pending', 'expire_pending', 'reversal')),
  pending_id        text        REFERENCES ledger_transfers (id),
  reverses_id       text        REFERENCES ledger_transfers (id),
  expires_at        timestamptz,
  code              text,
  reference         text,
  metadata          jsonb       NOT NULL DEFAULT '{}',
  -- Hash of the request that created it: the same id sent again with other content is refused.
  request_hash      text        NOT NULL,
  posted_at         timestamptz NOT NULL,
  posted_by         text        NOT NULL,
  CHECK (debit_account_id <> credit_account_id),
  CHECK ((kind IN ('post_pending', 'void_pending', 'expire_pending')) = (pending_id IS NOT NULL)),
  CHECK ((kind = 'reversal') = (reverses_id IS NOT NULL)),
  CHECK (expires_at IS NULL OR kind = 'pending'),
  FOREIGN KEY (debit_account_id, currency) REFERENCES ledger_accounts (id, currency),
  FOREIGN KEY (credit_account_id, currency) REFERENCES ledger_accounts (id, currency)
);
-- A pending transfer is resolved once (posted, voided or expired), a posted one reversed once.
CREATE UNIQUE INDEX ledger_transfers_pending_once ON ledger_transfers (pending_id) WHERE pending_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_transfers_reversed_once ON ledger_transfers (reverses_id) WHERE reverses_id IS NOT NULL;
CREATE INDEX ledger_transfers_journal_idx ON ledger_transfers (journal_id);
CREATE INDEX ledger_transfers_debit_idx ON ledger_transfers (debit_account_id, posted_at);
CREATE INDEX ledger_transfers_credit_idx ON ledger_transfers (credit_account_id, posted_at);
CREATE INDEX ledger_transfers_reference_idx ON ledger_transfers (reference) WHERE reference IS NOT NULL;
CREATE INDEX ledger_transfers_expiry_idx ON ledger_transfers (expires_at) WHERE expires_at IS NOT NULL;

-- Transfers are immutable: corrections are new reversing transfers, never updates.
CREATE FUNCTION ledger_transfers_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_transfers is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER ledger_transfers_no_update_delete BEFORE UPDATE OR DELETE ON ledger_transfers
  FOR EACH ROW EXECUTE FUNCTION ledger_transfers_refuse_change();
CREATE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_transfers_refuse_change();

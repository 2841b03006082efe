-- Foundation: the hash-chained audit log, API keys, and idempotency records.
-- Money columns elsewhere follow one rule: amount bigint (minor units) + currency char(3).

-- Audit log: append-only. Each row's hash = SHA-256(prev_hash || canonical content), see
-- src/storage/audit/audit-hash.ts. seq is gapless (assigned under the chain head's row lock), so a
-- deleted row shows as a gap and `finflow audit verify` can name it.
CREATE TABLE audit_log (
  seq          bigint      PRIMARY KEY,
  id           text        NOT NULL UNIQUE,
  occurred_at  timestamptz NOT NULL,
  actor        text        NOT NULL,
  action       text        NOT NULL,
  entity_type  text        NOT NULL,
  entity_id    text        NOT NULL,
  before       jsonb,
  after        jsonb,
  reason       text,
  request_id   text,
  prev_hash    text        NOT NULL,
  hash         text        NOT NULL
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, seq);

-- One row: the last sequence number and hash. Writers lock it (SELECT … FOR UPDATE), which
-- serialises appends across transactions and processes and keeps the chain linear.
CREATE TABLE audit_chain_head (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  seq       bigint  NOT NULL,
  hash      text    NOT NULL
);
INSERT INTO audit_chain_head (singleton, seq, hash)
VALUES (true, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Defence in depth: the application never updates or deletes audit rows, and the database refuses
-- to. (A superuser can still disable the trigger; the hash chain is what detects that.)
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();

-- API keys: only a SHA-256 of the secret is kept; the secret is shown once at creation.
CREATE TABLE api_keys (
  id           text        PRIMARY KEY,
  name         text        NOT NULL,
  role         text        NOT NULL,
  secret_hash  text        NOT NULL,
  created_at   timestamptz NOT NULL,
  created_by   text        NOT NULL,
  last_used_at timestamptz,
  revoked_at   timestamptz,
  revoked_by   text
);

-- Idempotency: one row per (caller, key). The row is inserted in the same transaction as the
-- request's effects, so a replay either finds the committed response or waits on the first attempt.
CREATE TABLE idempotency_keys (
  principal     text        NOT NULL,
  key           text        NOT NULL,
  request_hash  text        NOT NULL,
  method        text        NOT NULL,
  path          text        NOT NULL,
  status_code   integer     NOT NULL,
  response_body text        NOT NULL,
  content_type  text        NOT NULL,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL,
  PRIMARY KEY (principal, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

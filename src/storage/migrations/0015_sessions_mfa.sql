-- Sign-in (issue 20): browser sessions, TOTP second factor with recovery codes, lockout after failed
-- sign-ins, and API keys owned by the user they act for.

-- TOTP: the enrolled secret (base32), the secret offered but not yet confirmed, and the last time
-- step accepted, so that a code is used once (a replayed code is refused even within its window).
ALTER TABLE users ADD COLUMN totp_secret text;
ALTER TABLE users ADD COLUMN totp_pending_secret text;
ALTER TABLE users ADD COLUMN totp_enrolled_at timestamptz;
ALTER TABLE users ADD COLUMN totp_last_step bigint;
-- Failed sign-ins since the last success; at the threshold the account is locked until locked_until.
ALTER TABLE users ADD COLUMN failed_sign_ins integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until timestamptz;

-- One-time recovery codes, kept only as SHA-256 (each is 50 random bits, shown once).
CREATE TABLE user_recovery_codes (
  user_id    text        NOT NULL REFERENCES users (id),
  code_hash  text        NOT NULL,
  created_at timestamptz NOT NULL,
  used_at    timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- Server-side sessions: the cookie holds the token, the row its SHA-256. `pending` names the step a
-- session must pass before it may do anything else (change the one-time password, the TOTP code, or
-- enrolling TOTP when a role requires it).
CREATE TABLE user_sessions (
  id           text        PRIMARY KEY,             -- ses_<ULID>
  user_id      text        NOT NULL REFERENCES users (id),
  token_hash   text        NOT NULL,
  csrf_token   text        NOT NULL,
  pending      text        CHECK (pending IN ('password_change', 'mfa', 'mfa_enrollment')),
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,                -- the absolute limit
  revoked_at   timestamptz,
  address      text,
  user_agent   text
);
CREATE UNIQUE INDEX user_sessions_token_idx ON user_sessions (token_hash);
CREATE INDEX user_sessions_user_idx ON user_sessions (user_id) WHERE revoked_at IS NULL;

-- A key acts for its owner: four eyes see the owner, and a disabled owner's keys stop working.
-- Keys without an owner are system keys.
ALTER TABLE api_keys ADD COLUMN owner_user_id text REFERENCES users (id);

-- People (issue 20): users who sign in, beside the API keys systems use. Passwords are kept only as
-- argon2id hashes (src/auth/passwords.ts); roles are granted per user, several per user.
CREATE TABLE users (
  id                   text        PRIMARY KEY,           -- usr_<ULID>
  email                text        NOT NULL,              -- lower-case; the sign-in name
  name                 text        NOT NULL,
  locale               text        NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'es', 'zh-CN')),
  time_zone            text        NOT NULL DEFAULT 'UTC',
  status               text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  password_hash        text        NOT NULL,
  password_changed_at  timestamptz NOT NULL,
  -- Set by creation and by an admin's reset: the one-time password must be replaced at sign-in.
  must_change_password boolean     NOT NULL DEFAULT true,
  created_at           timestamptz NOT NULL,
  created_by           text        NOT NULL,
  updated_at           timestamptz NOT NULL
);
CREATE UNIQUE INDEX users_email_idx ON users (email);

CREATE TABLE user_roles (
  user_id    text        NOT NULL REFERENCES users (id),
  role       text        NOT NULL,
  granted_at timestamptz NOT NULL,
  granted_by text        NOT NULL,
  PRIMARY KEY (user_id, role)
);

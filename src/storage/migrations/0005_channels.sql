-- Channels (see docs/channels.md): message templates per locale, every email and SMS sent, and the
-- contact rules collections regulation asks for — consent per channel, do-not-contact, and the
-- attempts that frequency caps count.

-- Templates operations staff edit; a name has one row per locale (en, es, zh-CN, …).
CREATE TABLE message_templates (
  channel     text        NOT NULL CHECK (channel IN ('email', 'sms')),
  name        text        NOT NULL,
  locale      text        NOT NULL,
  -- email only: the subject line (Liquid)
  subject     text,
  -- email: the HTML content placed in the layout; sms: the message text (Liquid)
  body        text        NOT NULL,
  -- email: the plain-text part (Liquid); derived from the HTML when null
  text_body   text,
  version     integer     NOT NULL,
  updated_at  timestamptz NOT NULL,
  updated_by  text        NOT NULL,
  PRIMARY KEY (channel, name, locale)
);

-- One row per message handed to a provider (or refused by a contact rule), with its delivery status.
CREATE TABLE channel_messages (
  id               text        PRIMARY KEY,
  channel          text        NOT NULL CHECK (channel IN ('email', 'sms')),
  customer_id      text        REFERENCES customers (id),
  recipient        text        NOT NULL,
  template         text,
  locale           text,
  subject          text,
  body_text        text        NOT NULL,
  -- sent (accepted by the SMTP server / provider), delivered, undelivered, failed
  status           text        NOT NULL,
  provider_id      text,
  segments         integer,
  encoding         text,
  attachments      jsonb       NOT NULL DEFAULT '[]',
  -- the step's idempotency key: a step that crashed after sending finds its message instead of sending again
  idempotency_key  text        UNIQUE,
  instance_id      text,
  step_id          text,
  error            text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX channel_messages_customer ON channel_messages (customer_id, created_at);
CREATE UNIQUE INDEX channel_messages_provider ON channel_messages (channel, provider_id) WHERE provider_id IS NOT NULL;

-- Consent per customer and channel (email, sms, call, letter); no row means the channel's default.
CREATE TABLE contact_consents (
  customer_id  text        NOT NULL REFERENCES customers (id),
  channel      text        NOT NULL,
  status       text        NOT NULL CHECK (status IN ('granted', 'opted_out')),
  source       text,
  updated_at   timestamptz NOT NULL,
  updated_by   text        NOT NULL,
  PRIMARY KEY (customer_id, channel)
);

-- Per-customer restrictions: do-not-contact (legal hold, deceased, cease-and-desist) and quiet hours
-- narrower than the installation's.
CREATE TABLE contact_restrictions (
  customer_id     text        PRIMARY KEY REFERENCES customers (id),
  do_not_contact  boolean     NOT NULL DEFAULT false,
  reason          text,
  quiet_hours     jsonb,
  updated_at      timestamptz NOT NULL,
  updated_by      text        NOT NULL
);

-- Every contact attempt on any channel (sent messages, and later collectors' calls): frequency caps
-- count these in a rolling window.
CREATE TABLE contact_attempts (
  id            text        PRIMARY KEY,
  customer_id   text        NOT NULL REFERENCES customers (id),
  channel       text        NOT NULL,
  attempted_at  timestamptz NOT NULL,
  message_id    text,
  instance_id   text,
  outcome       text
);
CREATE INDEX contact_attempts_window ON contact_attempts (customer_id, channel, attempted_at);

-- Outbound webhooks (see docs/webhooks.md): subscriptions, the delivery outbox and every HTTP attempt.
-- Deliveries are written by an engine event listener in the same transaction as the event, so an
-- event that rolls back never produces a delivery and a committed one is never lost.

CREATE TABLE webhook_subscriptions (
  id                          text        PRIMARY KEY,
  url                         text        NOT NULL,
  -- JSON array of patterns: exact types ("receivable.overdue"), prefixes ("receivable.*") or "*"
  event_types                 jsonb       NOT NULL,
  -- 'whsec_' + base64 key (Standard Webhooks). Stored readable: HMAC signing needs the key itself.
  secret                      text        NOT NULL,
  -- after a rotation the old key also signs (a second v1 signature) until it expires, as Svix does
  previous_secret             text,
  previous_secret_expires_at  timestamptz,
  description                 text,
  active                      boolean     NOT NULL DEFAULT true,
  created_at                  timestamptz NOT NULL,
  created_by                  text        NOT NULL,
  updated_at                  timestamptz NOT NULL,
  updated_by                  text        NOT NULL,
  -- soft delete: the deliveries (and their history) stay readable
  deleted_at                  timestamptz
);

-- The outbox. `id` is the webhook-id header (msg_…): the same for every retry and replay, so the
-- receiver can drop duplicates.
CREATE TABLE webhook_deliveries (
  id                text        PRIMARY KEY,
  subscription_id   text        NOT NULL REFERENCES webhook_subscriptions (id),
  event_id          text        NOT NULL,
  event_type        text        NOT NULL,
  payload           jsonb       NOT NULL,
  status            text        NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
  -- attempts in the current round (a replay starts a new round; webhook_attempts keeps them all)
  attempts          integer     NOT NULL DEFAULT 0,
  -- when the dispatcher may take it next; a claim moves it forward by a lease
  next_attempt_at   timestamptz,
  -- the first attempt of the current round: retries stop 3 days after it
  first_attempt_at  timestamptz,
  last_attempt_at   timestamptz,
  last_status_code  integer,
  last_error        text,
  created_at        timestamptz NOT NULL,
  delivered_at      timestamptz,
  UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);

-- One row per HTTP request made for a delivery.
CREATE TABLE webhook_attempts (
  id             text        PRIMARY KEY,
  delivery_id    text        NOT NULL REFERENCES webhook_deliveries (id),
  attempted_at   timestamptz NOT NULL,
  status_code    integer,
  error          text,
  duration_ms    integer     NOT NULL,
  -- the first 1 KB of the response body, for debugging the receiver
  response_body  text
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempted_at);

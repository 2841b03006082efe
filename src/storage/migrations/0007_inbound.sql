-- Inbound webhooks (see docs/integrations.md): sources that payment providers and banks post to, and
-- the messages received, which de-duplicate provider retries and map each message to its engine event.

-- One row per source, configured by API. `config` names the secret used to verify signatures; the
-- value itself is resolved from the secret store on each request and never stored.
CREATE TABLE inbound_sources (
  name        text        PRIMARY KEY,
  config      jsonb       NOT NULL,
  created_at  timestamptz NOT NULL,
  created_by  text        NOT NULL,
  updated_at  timestamptz NOT NULL,
  updated_by  text        NOT NULL
);

-- One row per accepted message: the provider's id is unique per source, so a redelivery finds its row
-- and publishes nothing. No foreign key: the rows outlive a deleted source, so re-creating the source
-- does not republish messages the provider redelivers.
CREATE TABLE inbound_messages (
  source       text        NOT NULL,
  external_id  text        NOT NULL,
  event_id     text        NOT NULL,
  event_type   text        NOT NULL,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (source, external_id)
);

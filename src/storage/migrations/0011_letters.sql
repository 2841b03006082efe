-- Letters (see docs/letters.md): letter.send renders a template to a PDF and stores it here for the
-- institution's print-and-mail provider, which downloads the ready ones and marks them printed.
-- Each letter is also a channel_messages row (channel 'letter') and a contact attempt.

-- 'letter' joins email and SMS as a channel of templates and messages.
ALTER TABLE message_templates DROP CONSTRAINT message_templates_channel_check;
ALTER TABLE message_templates
  ADD CONSTRAINT message_templates_channel_check CHECK (channel IN ('email', 'sms', 'letter'));
ALTER TABLE channel_messages DROP CONSTRAINT channel_messages_channel_check;
ALTER TABLE channel_messages
  ADD CONSTRAINT channel_messages_channel_check CHECK (channel IN ('email', 'sms', 'letter'));

CREATE TABLE channel_letters (
  id               text        PRIMARY KEY,
  customer_id      text        NOT NULL REFERENCES customers (id),
  template         text        NOT NULL,
  -- the template's locale that was rendered (the customer's language, or its fallback)
  locale           text        NOT NULL,
  -- the heading printed on the letter
  subject          text        NOT NULL,
  -- who and where, as printed: { name, lines: [...], address: { line1, city, … } }
  recipient        jsonb       NOT NULL,
  pdf              bytea       NOT NULL,
  pages            integer     NOT NULL CHECK (pages > 0),
  -- the step's idempotency key: a replayed step finds its letter instead of writing another
  idempotency_key  text        UNIQUE,
  instance_id      text,
  step_id          text,
  -- the channel_messages row that reports it
  message_id       text        REFERENCES channel_messages (id),
  -- ready: waiting for the print-and-mail provider; printed: the provider has it
  status           text        NOT NULL DEFAULT 'ready' CHECK (status IN ('ready', 'printed')),
  created_at       timestamptz NOT NULL,
  printed_at       timestamptz,
  printed_by       text,
  CHECK ((status = 'printed') = (printed_at IS NOT NULL))
);
CREATE INDEX channel_letters_status ON channel_letters (status, id);
CREATE INDEX channel_letters_customer ON channel_letters (customer_id, id);

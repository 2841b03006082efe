-- Four-eyes changes (issue 20): a new workflow definition, decision version or role grant is proposed
-- by one person and takes effect only when a second person approves it. The row keeps both names;
-- approval applies the change in the same transaction.
CREATE TABLE change_requests (
  id              text        PRIMARY KEY,            -- chg_<ULID>
  kind            text        NOT NULL CHECK (kind IN ('workflow', 'decision', 'user_roles')),
  target          text        NOT NULL,               -- workflow key, decision key, or user id
  payload         jsonb       NOT NULL,
  reason          text,
  status          text        NOT NULL CHECK (status IN ('proposed', 'approved', 'rejected')),
  proposed_by     text        NOT NULL,               -- the maker's worksAs (a user id, or a system key's name)
  proposed_actor  text        NOT NULL,               -- the principal id that proposed (usr_… or key_…)
  proposed_at     timestamptz NOT NULL,
  decided_by      text,
  decided_actor   text,
  decided_at      timestamptz,
  decision_reason text,
  result          jsonb,                              -- what applying it gave (the new version…)
  CHECK ((status = 'proposed') = (decided_at IS NULL))
);
CREATE INDEX change_requests_open_idx ON change_requests (proposed_at) WHERE status = 'proposed';

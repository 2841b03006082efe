-- Workflow engine: definitions, decisions, calendars, instances and their execution tokens, the
-- step timeline, events, human tasks and queues, and schedule triggers. See docs/workflows.md.

-- Deployed workflow definitions. (key, version) is immutable once written: running instances keep
-- the version they started on.
CREATE TABLE wf_definitions (
  key          text        NOT NULL,
  version      integer     NOT NULL CHECK (version > 0),
  name         text        NOT NULL,
  document     jsonb       NOT NULL,
  source       text        NOT NULL,
  format       text        NOT NULL CHECK (format IN ('yaml', 'json')),
  checksum     text        NOT NULL,
  deployed_at  timestamptz NOT NULL,
  deployed_by  text        NOT NULL,
  PRIMARY KEY (key, version)
);

-- Event triggers of the latest version of each workflow: publishing an event looks up its type here.
CREATE TABLE wf_event_triggers (
  workflow_key  text    NOT NULL,
  trigger_index integer NOT NULL,
  event_type    text    NOT NULL,
  PRIMARY KEY (workflow_key, trigger_index)
);
CREATE INDEX wf_event_triggers_type_idx ON wf_event_triggers (event_type);

-- Schedule triggers: workers claim due rows (FOR UPDATE SKIP LOCKED), start an instance and move
-- next_fire_at forward in the same transaction, so a firing happens once however many workers run.
CREATE TABLE wf_schedules (
  workflow_key  text        NOT NULL,
  trigger_index integer     NOT NULL,
  cron          text        NOT NULL,
  timezone      text        NOT NULL,
  next_fire_at  timestamptz NOT NULL,
  PRIMARY KEY (workflow_key, trigger_index)
);
CREATE INDEX wf_schedules_due_idx ON wf_schedules (next_fire_at);

-- Decisions (JDM documents for zen-engine), versioned like definitions.
CREATE TABLE wf_decisions (
  key         text        NOT NULL,
  version     integer     NOT NULL CHECK (version > 0),
  content     jsonb       NOT NULL,
  checksum    text        NOT NULL,
  created_at  timestamptz NOT NULL,
  created_by  text        NOT NULL,
  PRIMARY KEY (key, version)
);

-- Holiday calendars for business-day waits. weekend holds ISO weekdays (1 = Monday … 7 = Sunday);
-- holidays holds ISO dates ('2026-12-25').
CREATE TABLE wf_calendars (
  name        text        PRIMARY KEY,
  timezone    text        NOT NULL,
  weekend     jsonb       NOT NULL,
  holidays    jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL,
  updated_by  text        NOT NULL
);

-- Workflow instances. next_run_at is the earliest time one of its tokens is due: workers claim
-- instances where it has passed (FOR UPDATE SKIP LOCKED). All work on one instance happens under its
-- row lock, so parallel branches of one instance never race each other.
CREATE TABLE wf_instances (
  id               text        PRIMARY KEY,
  workflow_key     text        NOT NULL,
  version          integer     NOT NULL,
  status           text        NOT NULL CHECK (status IN ('running', 'suspended', 'failed', 'completed', 'cancelled')),
  context          jsonb       NOT NULL,
  correlation_key  text,
  parent_id        text        REFERENCES wf_instances (id),
  parent_token_id  text,
  outcome          text,
  output           jsonb,
  error            jsonb,
  next_run_at      timestamptz,
  -- true until a worker first runs the instance: claims serve in-flight instances (timers, wake-ups,
  -- retries) before fresh starts, so a burst of new instances cannot make timers late.
  fresh            boolean     NOT NULL DEFAULT true,
  started_by       text        NOT NULL,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  ended_at         timestamptz,
  FOREIGN KEY (workflow_key, version) REFERENCES wf_definitions (key, version)
);
CREATE INDEX wf_instances_due_idx ON wf_instances (next_run_at) WHERE status = 'running' AND next_run_at IS NOT NULL AND NOT fresh;
CREATE INDEX wf_instances_fresh_idx ON wf_instances (next_run_at) WHERE status = 'running' AND next_run_at IS NOT NULL AND fresh;
CREATE INDEX wf_instances_list_idx ON wf_instances (workflow_key, status, id);
CREATE INDEX wf_instances_status_idx ON wf_instances (status, id);
CREATE INDEX wf_instances_parent_idx ON wf_instances (parent_id) WHERE parent_id IS NOT NULL;
-- At most one unfinished instance per workflow and correlation key (e.g. one dunning run per receivable).
CREATE UNIQUE INDEX wf_instances_correlation_idx ON wf_instances (workflow_key, correlation_key)
  WHERE correlation_key IS NOT NULL AND status IN ('running', 'suspended', 'failed');

-- Execution tokens: where in the definition an instance (or one parallel branch of it) stands.
-- ready: runs at run_at; waiting: for a timer/timeout (run_at), an event, a task or a child;
-- failed: retries exhausted (dead letter); done/cancelled: finished.
CREATE TABLE wf_tokens (
  id               text        PRIMARY KEY,
  instance_id      text        NOT NULL REFERENCES wf_instances (id),
  step_id          text        NOT NULL,
  status           text        NOT NULL CHECK (status IN ('ready', 'waiting', 'failed', 'done', 'cancelled')),
  run_at           timestamptz,
  attempt          integer     NOT NULL DEFAULT 0,
  visit            integer     NOT NULL,
  parent_token_id  text,
  branch_id        text,
  wait             jsonb,
  wait_event_type  text,
  wait_event_key   text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX wf_tokens_instance_idx ON wf_tokens (instance_id) WHERE status IN ('ready', 'waiting', 'failed');
CREATE INDEX wf_tokens_event_idx ON wf_tokens (wait_event_type, wait_event_key) WHERE status = 'waiting' AND wait_event_type IS NOT NULL;

-- The timeline: one row per step event (started, completed, failed, retry scheduled, waiting,
-- resumed, escalated, operator actions). Written in the same transaction as the step.
CREATE TABLE wf_history (
  seq          bigserial   PRIMARY KEY,
  instance_id  text        NOT NULL REFERENCES wf_instances (id),
  token_id     text,
  step_id      text,
  step_type    text,
  event        text        NOT NULL,
  attempt      integer,
  at           timestamptz NOT NULL,
  actor        text,
  data         jsonb
);
CREATE INDEX wf_history_instance_idx ON wf_history (instance_id, seq);

-- Published events. Kept so that a waitFor that begins just after its event was published still
-- sees it (events published since the instance started, not yet consumed by it).
CREATE TABLE wf_events (
  id            text        PRIMARY KEY,
  type          text        NOT NULL,
  key           text,
  data          jsonb       NOT NULL,
  published_at  timestamptz NOT NULL,
  published_by  text        NOT NULL
);
CREATE INDEX wf_events_match_idx ON wf_events (type, key, published_at);

CREATE TABLE wf_event_consumptions (
  instance_id  text NOT NULL REFERENCES wf_instances (id),
  event_id     text NOT NULL REFERENCES wf_events (id),
  step_id      text NOT NULL,
  PRIMARY KEY (instance_id, event_id)
);

-- Work queues for human tasks and their members (for round-robin / least-loaded assignment).
CREATE TABLE wf_queues (
  name        text        PRIMARY KEY,
  members     jsonb       NOT NULL,
  rr_cursor   integer     NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL,
  updated_by  text        NOT NULL
);

CREATE TABLE wf_tasks (
  id            text        PRIMARY KEY,
  instance_id   text        NOT NULL REFERENCES wf_instances (id),
  token_id      text        NOT NULL,
  step_id       text        NOT NULL,
  queue         text        NOT NULL,
  title         text        NOT NULL,
  description   text,
  form          jsonb       NOT NULL,
  outcomes      jsonb       NOT NULL,
  data          jsonb,
  assignee      text,
  status        text        NOT NULL CHECK (status IN ('open', 'completed', 'cancelled')),
  due_at        timestamptz,
  escalated_at  timestamptz,
  outcome       text,
  result        jsonb,
  completed_by  text,
  created_at    timestamptz NOT NULL,
  claimed_at    timestamptz,
  completed_at  timestamptz
);
CREATE INDEX wf_tasks_queue_idx ON wf_tasks (queue, status, created_at);
CREATE INDEX wf_tasks_assignee_idx ON wf_tasks (assignee, status) WHERE assignee IS NOT NULL;
CREATE INDEX wf_tasks_instance_idx ON wf_tasks (instance_id);

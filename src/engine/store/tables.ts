import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../../storage/schema.js';

/** The engine's tables (SQL in storage/migrations/0002_engine.sql), merged into the Kysely table map. */
declare module '../../storage/schema.js' {
  interface Tables {
    wf_definitions: WfDefinitionsTable;
    wf_event_triggers: WfEventTriggersTable;
    wf_schedules: WfSchedulesTable;
    wf_decisions: WfDecisionsTable;
    wf_calendars: WfCalendarsTable;
    wf_instances: WfInstancesTable;
    wf_tokens: WfTokensTable;
    wf_history: WfHistoryTable;
    wf_events: WfEventsTable;
    wf_event_consumptions: WfEventConsumptionsTable;
    wf_queues: WfQueuesTable;
    wf_tasks: WfTasksTable;
  }
}

export interface WfDefinitionsTable {
  key: string;
  version: number;
  name: string;
  document: Json;
  source: string;
  format: 'yaml' | 'json';
  checksum: string;
  deployed_at: Timestamp;
  deployed_by: string;
}

export interface WfEventTriggersTable {
  workflow_key: string;
  trigger_index: number;
  event_type: string;
}

export interface WfSchedulesTable {
  workflow_key: string;
  trigger_index: number;
  cron: string;
  timezone: string;
  next_fire_at: Timestamp;
}

export interface WfDecisionsTable {
  key: string;
  version: number;
  content: Json;
  checksum: string;
  created_at: Timestamp;
  created_by: string;
}

export interface WfCalendarsTable {
  name: string;
  timezone: string;
  weekend: Json;
  holidays: Json;
  updated_at: Timestamp;
  updated_by: string;
}

export type InstanceStatus = 'running' | 'suspended' | 'failed' | 'completed' | 'cancelled';
/** Instances that will never run again; every other status can still move (a failed one by retry). */
export const isFinished = (status: InstanceStatus): boolean => status === 'completed' || status === 'cancelled';
/** Instances that hold their correlation key (the partial unique index in 0002_engine.sql says the same). */
export const UNFINISHED_STATUSES = ['running', 'suspended', 'failed'] as const satisfies readonly InstanceStatus[];

export interface WfInstancesTable {
  id: string;
  workflow_key: string;
  version: number;
  status: InstanceStatus;
  context: Json;
  correlation_key: string | null;
  parent_id: string | null;
  parent_token_id: string | null;
  outcome: string | null;
  output: Json;
  error: Json;
  next_run_at: Timestamp | null;
  fresh: Generated<boolean>;
  started_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  ended_at: Timestamp | null;
}

export type TokenStatus = 'ready' | 'waiting' | 'failed' | 'done' | 'cancelled';
/** Tokens that still stand somewhere: the ones loaded, cancelled with their instance, and shown as "at". */
export const ACTIVE_TOKEN_STATUSES = ['ready', 'waiting', 'failed'] as const satisfies readonly TokenStatus[];
export const isActive = (status: TokenStatus): boolean =>
  (ACTIVE_TOKEN_STATUSES as readonly TokenStatus[]).includes(status);
/** Tokens a timer or a wake-up can move (a failed one waits for an operator). */
export const isLive = (status: TokenStatus): boolean => status === 'ready' || status === 'waiting';

export interface WfTokensTable {
  id: string;
  instance_id: string;
  step_id: string;
  status: TokenStatus;
  run_at: Timestamp | null;
  attempt: number;
  visit: number;
  parent_token_id: string | null;
  branch_id: string | null;
  wait: Json;
  wait_event_type: string | null;
  wait_event_key: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WfHistoryTable {
  seq: Generated<bigint>;
  instance_id: string;
  token_id: string | null;
  step_id: string | null;
  step_type: string | null;
  event: string;
  attempt: number | null;
  at: Timestamp;
  actor: string | null;
  data: Json;
}

export interface WfEventsTable {
  id: string;
  type: string;
  key: string | null;
  data: Json;
  published_at: Timestamp;
  published_by: string;
}

export interface WfEventConsumptionsTable {
  instance_id: string;
  event_id: string;
  step_id: string;
}

export interface WfQueuesTable {
  name: string;
  members: Json;
  rr_cursor: number;
  updated_at: Timestamp;
  updated_by: string;
}

export type TaskStatus = 'open' | 'completed' | 'cancelled';

export interface WfTasksTable {
  id: string;
  instance_id: string;
  token_id: string;
  step_id: string;
  queue: string;
  title: string;
  description: string | null;
  form: Json;
  outcomes: Json;
  data: Json;
  assignee: string | null;
  status: TaskStatus;
  due_at: Timestamp | null;
  escalated_at: Timestamp | null;
  outcome: string | null;
  result: Json;
  completed_by: string | null;
  created_at: Timestamp;
  claimed_at: Timestamp | null;
  completed_at: Timestamp | null;
  /** User ids that may not claim or complete the task (four eyes); a JSON array. */
  excluded_users: ColumnType<unknown, string | undefined, string>;
}

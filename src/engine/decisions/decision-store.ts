import { createHash } from 'node:crypto';
import { ZenEngine, type ZenDecision } from '@gorules/zen-engine';
import canonicalize from 'canonicalize';
import { sql, type Selectable } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { notFound, validationError } from '../../core/errors.js';
import { appendAudit } from '../../storage/audit/audit-append.js';
import type { Database } from '../../storage/database.js';
import type { Queryable } from '../../storage/schema.js';
import type { WfDecisionsTable } from '../store/tables.js';

/**
 * Decisions are GoRules JDM documents ({nodes, edges}) evaluated by zen-engine. Like workflow
 * definitions, (key, version) is immutable: deploying different content adds version max+1, and
 * deploying the same content again is a no-op, so `finflow deploy` can be re-run safely.
 */
export const DECISION_KEY = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export interface Decision {
  key: string;
  version: number;
  content: Record<string, unknown>;
  checksum: string;
  createdAt: Date;
  createdBy: string;
}

/** A decision without its (possibly large) JDM document, for listings. */
export type DecisionSummary = Omit<Decision, 'content'>;

export interface PutDecisionInput {
  key: string;
  content: unknown;
  actor: string;
  requestId?: string | undefined;
}

export interface PutDecisionResult {
  key: string;
  version: number;
  created: boolean;
}

// Only used to compile for validation: a compiled decision does not outlive the call.
const validationEngine = new ZenEngine();

/** Checks a decision's key and JDM content without storing them; answers the content. */
export function checkDecision(key: unknown, content: unknown): Record<string, unknown> {
  if (typeof key !== 'string' || !DECISION_KEY.test(key)) {
    throw validationError([
      {
        field: 'key',
        message: 'must be 1-100 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit',
      },
    ]);
  }
  return compileDecision(validationEngine, content).content;
}

export async function putDecision(
  database: Database,
  input: PutDecisionInput,
  clock: Clock = systemClock,
): Promise<PutDecisionResult> {
  const content = checkDecision(input.key, input.content);
  const checksum = decisionChecksum(content);
  const { key } = input;

  return database.transaction(async (tx) => {
    // Serialises deploys of one key, including the very first one, where there is no row yet to lock
    // FOR UPDATE; released at commit. Two concurrent deploys then agree on max+1 without a
    // unique-violation that would abort a caller's surrounding transaction.
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`wf_decisions:${key}`}, 0))`.execute(tx);
    const latest = await tx
      .selectFrom('wf_decisions')
      .select(['version', 'checksum'])
      .where('key', '=', key)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (latest && latest.checksum === checksum) return { key, version: latest.version, created: false };

    const version = (latest?.version ?? 0) + 1;
    const now = clock.now();
    await tx
      .insertInto('wf_decisions')
      .values({ key, version, content: JSON.stringify(content), checksum, created_at: now, created_by: input.actor })
      .execute();
    await appendAudit(
      tx,
      {
        actor: input.actor,
        action: 'decision.deployed',
        entityType: 'decision',
        entityId: `${key}@${version}`,
        before: latest ? { key, version: latest.version, checksum: latest.checksum } : null,
        // The content itself stays in wf_decisions (immutable); the checksum pins it.
        after: { key, version, checksum },
        requestId: input.requestId ?? null,
      },
      clock,
    );
    return { key, version, created: true };
  });
}

/** The given version of a decision, or its latest version; notFound when there is none. */
export async function getDecision(db: Queryable, key: string, version?: number): Promise<Decision> {
  let query = db.selectFrom('wf_decisions').selectAll().where('key', '=', key);
  query = version === undefined ? query.orderBy('version', 'desc').limit(1) : query.where('version', '=', version);
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('decision', version === undefined ? key : `${key}@${version}`);
  return toDecision(row);
}

/** The latest version number of a decision, or undefined: a cheap check before using a cache. */
export async function latestDecisionVersion(db: Queryable, key: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('wf_decisions')
    .select((eb) => eb.fn.max('version').as('version'))
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.version ?? undefined;
}

/**
 * The latest version of each of these decisions (absent keys are left out), in one query: what a
 * domain pins when a case starts, so that it is decided by the policy of that day.
 */
export async function currentDecisionVersions(db: Queryable, keys: readonly string[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('wf_decisions')
    .select(['key', sql<number>`max(version)`.as('version')])
    .where('key', 'in', keys)
    .groupBy('key')
    .execute();
  return new Map(rows.map((row) => [row.key, Number(row.version)]));
}

/** The latest version of every decision, by key. */
export async function listDecisions(db: Queryable): Promise<DecisionSummary[]> {
  const rows = await db
    .selectFrom('wf_decisions')
    .distinctOn('key')
    .select(['key', 'version', 'checksum', 'created_at', 'created_by'])
    .orderBy('key')
    .orderBy('version', 'desc')
    .execute();
  return rows.map((row) => ({
    key: row.key,
    version: row.version,
    checksum: row.checksum,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
  }));
}

/** sha256 of the RFC 8785 canonical JSON: independent of key order and of jsonb's re-serialisation. */
export function decisionChecksum(content: Record<string, unknown>): string {
  return createHash('sha256')
    .update(canonicalize(content) ?? '')
    .digest('hex');
}

/**
 * Compiles a JDM document with zen-engine and validates its graph (missing nodes, cycles, …);
 * validationError on field `content` when zen rejects it.
 */
export function compileDecision(
  engine: ZenEngine,
  content: unknown,
): { content: Record<string, unknown>; decision: ZenDecision } {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw validationError([{ field: 'content', message: 'must be a JDM document: an object with nodes and edges' }]);
  }
  try {
    const decision = engine.createDecision(content);
    decision.validate();
    return { content: content as Record<string, unknown>, decision };
  } catch (error) {
    throw validationError([
      { field: 'content', message: `not a valid JDM decision: ${zenErrorMessage(error).message}` },
    ]);
  }
}

export interface ZenErrorInfo {
  message: string;
  /** zen's error type, e.g. `NodeError`, `missingNode`, `cyclicGraph`. */
  type?: string;
  /** The JDM node that failed, when zen says. */
  nodeId?: string;
}

/**
 * zen-engine's errors are a JSON object (or plain text) followed by a Rust backtrace. Keep the first
 * line, and when it is JSON turn {type, source, nodeId} into one readable sentence.
 */
export function zenErrorMessage(error: unknown): ZenErrorInfo {
  const raw = error instanceof Error ? error.message : String(error);
  const first = (raw.split('\n')[0] ?? '').trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(first);
  } catch {
    return { message: first || 'unknown zen-engine error' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { message: first };
  const fields = parsed as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);
  const type = text(fields.type);
  const nodeId = text(fields.nodeId);
  // `source` may itself be a multi-line JS stack ("Error: boom\n    at handler …"): its first line is the message.
  const source = text(fields.source)?.split('\n')[0]?.trim();
  const parts = [type, nodeId && `in node ${nodeId}`].filter(Boolean).join(' ');
  const message = [parts, source].filter(Boolean).join(': ') || first;
  return { message, ...(type ? { type } : {}), ...(nodeId ? { nodeId } : {}) };
}

function toDecision(row: Selectable<WfDecisionsTable>): Decision {
  return {
    key: row.key,
    version: row.version,
    content: row.content as Record<string, unknown>,
    checksum: row.checksum,
    createdAt: new Date(row.created_at),
    createdBy: row.created_by,
  };
}

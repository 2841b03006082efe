import { sql } from 'kysely';
import type { Tx } from '../../../storage/schema.js';

/**
 * What could pause or steer a case, in one query: the strategy asks this every time a case wakes,
 * and most of the time nothing is pending, so one round trip of EXISTS probes replaces the seven
 * look-ups (plan, write-off, hardship, forbearance, placement, promise, dispute) it would otherwise
 * make (a forbearance's end it reads outright). A flag only says where to look: the caller still reads (and locks) the row it names, so a
 * flag that is true is never trusted as the state itself.
 */
export interface CaseSituation {
  /** A plan pending approval or active. */
  plan: boolean;
  writeOffPending: boolean;
  hardshipOpen: boolean;
  /** When the latest forbearance running past `now` ends (null: none). */
  forbearUntil: Date | null;
  placed: boolean;
  promiseOpen: boolean;
  disputeOpen: boolean;
  /** The stages already run. */
  stagesRun: string[];
}

export async function caseSituation(tx: Tx, caseId: string, now: Date): Promise<CaseSituation> {
  const { rows } = await sql<{
    plan: boolean;
    write_off: boolean;
    hardship: boolean;
    forbear_until: Date | string | null;
    placed: boolean;
    promise: boolean;
    dispute: boolean;
    stages: string[] | null;
  }>`
    SELECT
      EXISTS (SELECT 1 FROM collection_plans WHERE case_id = ${caseId}
              AND status IN ('pending_approval', 'active')) AS plan,
      EXISTS (SELECT 1 FROM collection_write_offs WHERE case_id = ${caseId}
              AND status = 'pending_approval') AS write_off,
      EXISTS (SELECT 1 FROM collection_hardships WHERE case_id = ${caseId} AND status = 'open') AS hardship,
      (SELECT max(forbear_until) FROM collection_hardships WHERE case_id = ${caseId} AND status = 'forborne'
              AND forbear_until > ${now}) AS forbear_until,
      EXISTS (SELECT 1 FROM collection_placements WHERE case_id = ${caseId} AND status = 'placed') AS placed,
      EXISTS (SELECT 1 FROM collection_promises WHERE case_id = ${caseId} AND status = 'open') AS promise,
      EXISTS (SELECT 1 FROM collection_disputes WHERE case_id = ${caseId} AND status = 'open') AS dispute,
      (SELECT array_agg(stage) FROM collection_stage_runs WHERE case_id = ${caseId}) AS stages
  `.execute(tx);
  const row = rows[0]!;
  return {
    plan: row.plan,
    writeOffPending: row.write_off,
    hardshipOpen: row.hardship,
    forbearUntil: row.forbear_until === null ? null : new Date(row.forbear_until),
    placed: row.placed,
    promiseOpen: row.promise,
    disputeOpen: row.dispute,
    stagesRun: row.stages ?? [],
  };
}

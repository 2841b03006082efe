import { sql } from 'kysely';
import type { Tx } from '../storage/schema.js';

/**
 * What could pause or steer a case, in one query: the strategy asks this every time a case wakes,
 * and most of the time nothing is pending, so one round trip of EXISTS probes replaces the seven
 * look-ups (plan, write-off, hardship, forbearance, placement, promise, dispute) it would otherwise
 * make. A flag only says where to look: the caller still reads (and locks) the row it names, so a
 * flag that is true is never trusted as the state itself.
 */
export interface CaseSituation {
  /** A plan pending approval or active. */
  plan: boolean;
  writeOffPending: boolean;
  hardshipOpen: boolean;
  /** A forbearance that runs past `now`. */
  forborne: boolean;
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
    forborne: boolean;
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
      EXISTS (SELECT 1 FROM collection_hardships WHERE case_id = ${caseId} AND status = 'forborne'
              AND forbear_until > ${now}) AS forborne,
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
    forborne: row.forborne,
    placed: row.placed,
    promiseOpen: row.promise,
    disputeOpen: row.dispute,
    stagesRun: row.stages ?? [],
  };
}

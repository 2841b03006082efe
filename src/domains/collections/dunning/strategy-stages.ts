import type { DecisionEvaluator } from '../../../engine/index.js';
import { NonRetryableError } from '../../../engine/index.js';
import type { Queryable, Tx } from '../../../storage/schema.js';
import { STAGE_KINDS, STRATEGY_DECISION, type StageKind } from '../policy/shipped-strategies.js';

/**
 * The stages of one strategy variant, read from the `collections.strategy` collect table: every row
 * for the segment and variant, ordered by days past due (rows on the same day keep the table's
 * order). `seq` is the stage's place in that order — the order a case runs them in.
 */
export interface Stage {
  stage: string;
  seq: number;
  dpd: number;
  kind: StageKind;
  template: string | null;
  fee: bigint | null;
}

export async function strategyStages(
  db: Queryable | Tx,
  evaluator: DecisionEvaluator,
  strategy: { segment: string; variant: string },
  version?: number,
): Promise<{ version: number; stages: Stage[] }> {
  const outcome = await evaluator.evaluate(db, STRATEGY_DECISION, strategy, version);
  const rows: unknown[] = Array.isArray(outcome.result) ? outcome.result : [];
  const where = `${STRATEGY_DECISION}@${outcome.version}`;
  const stages = rows.map((raw, index) => parseStage(raw, index, where));
  const seen = new Set<string>();
  for (const stage of stages) {
    if (seen.has(stage.stage)) throw new NonRetryableError(`${where}: stage ${stage.stage} appears twice`);
    seen.add(stage.stage);
  }
  stages.sort((a, b) => a.dpd - b.dpd || a.seq - b.seq);
  return { version: outcome.version, stages: stages.map((s, seq) => ({ ...s, seq })) };
}

function parseStage(raw: unknown, index: number, where: string): Stage {
  const row = (raw ?? {}) as Record<string, unknown>;
  const problem = (field: string, wanted: string) =>
    new NonRetryableError(`${where} row ${index + 1}: ${field} must be ${wanted}, got ${JSON.stringify(row[field])}`);
  if (typeof row.stage !== 'string' || !/^[a-z0-9_.-]{1,80}$/.test(row.stage)) throw problem('stage', 'an id');
  if (typeof row.dpd !== 'number' || !Number.isInteger(row.dpd) || row.dpd < 0) {
    throw problem('dpd', 'a whole number of days');
  }
  if (typeof row.kind !== 'string' || !(STAGE_KINDS as readonly string[]).includes(row.kind)) {
    throw problem('kind', STAGE_KINDS.join(', '));
  }
  const kind = row.kind as StageKind;
  const template = typeof row.template === 'string' && row.template !== '' ? row.template : null;
  if ((kind === 'email' || kind === 'sms' || kind === 'letter' || kind === 'final_notice') && template === null) {
    throw problem('template', `a template name for a ${kind} stage`);
  }
  let fee: bigint | null = null;
  if (kind === 'fee') {
    if (typeof row.fee !== 'number' || !Number.isInteger(row.fee) || row.fee <= 0) {
      throw problem('fee', 'an amount in minor units above zero');
    }
    fee = BigInt(row.fee);
  }
  return { stage: row.stage, seq: index, dpd: row.dpd, kind, template, fee };
}

import type { DomainWork } from '../../unit-of-work.js';
import type { DecisionEvaluator } from '../../../engine/index.js';
import { lockCase } from '../cases/case-row.js';
import { applyMove, applySettlements } from './apply-move.js';
import type { ChannelsReady, Plan } from './moves.js';
import { nextMove, routeStage } from './next-move.js';
import { readDelivery, readSituation } from './situation.js';

/**
 * # The dunning strategy
 *
 * A collection case (cases/) is chased by a strategy: an ordered list of stages (an email at 3 days
 * past due, an SMS at 10, a call at 20, a final notice, a fee, an agency placement, a write-off
 * proposal), chosen per segment and champion/challenger variant from the `collections.strategy`
 * decision table and pinned to its version when the case opens.
 *
 * Where things are, in this folder:
 * - `strategy.ts` (this file) — `planNext`: what the collections-case workflow
 *   (workflow/collections-case.yaml, action `collections.plan`) asks each time a case wakes
 *   (a timer, a change to the case). It reads, decides, then writes:
 * - `situation.ts` — `readSituation`: the account, what could pause the case, the stages (reads only);
 *   `readDelivery`: what a due stage's channel needs.
 * - `next-move.ts` — `nextMove(situation)`: the decision itself, pure (no I/O; next-move.test.ts), and
 *   `routeStage`: how a due stage goes out (or why it is skipped).
 * - `apply-move.ts` — `applyMove`: the move's writes through the unit of work.
 * - `moves.ts` — the vocabulary: a `Move`, the workflow's `Plan`, channels, stage info.
 * - `strategy-stages.ts` — the stage table: a strategy variant's stages read from the decision table.
 * - `stage-runs.ts` — the run of a stage: recorded once (the stage-run key), and the stages finflow
 *   does itself (fee, write-off proposal, placement), a collector's call, an approver's answer.
 *   The messages themselves go out through the channels' send-message actions (email, SMS, letter),
 *   behind the contact rules; `message-wanted.ts` (one folder up) re-checks a stage's message is still
 *   wanted when it leaves.
 * - `case-situation.ts` — the one-query probe of what could pause a case; `best-slot.ts` — the hour a
 *   message stage goes out.
 *
 * Stages run in the strategy's order, each once; a stage due during a pause waits for the pause to
 * end, and stages missed during it do not arrive in one burst (the stage gap).
 */

/** The strategy's next move for a case, applied: the plan the workflow acts on. */
export async function planNext(
  unit: DomainWork,
  evaluator: DecisionEvaluator,
  caseId: string,
  ready: ChannelsReady,
): Promise<Plan> {
  const theCase = await lockCase(unit.tx, caseId);
  const { situation, settings } = await readSituation(unit, evaluator, theCase);
  let move = nextMove(situation);
  if (move.kind === 'stage' && settings) {
    await applySettlements(unit, move);
    move = routeStage(move, await readDelivery(unit, theCase, settings, move, ready, situation.now));
  }
  return applyMove(unit, theCase, move);
}

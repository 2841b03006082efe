import { z } from 'zod';
import type { Tx } from '../../../storage/schema.js';

/**
 * Why a message is sent, when that reason can lapse before the message may go out: a collections
 * stage of a case, a reminder of an installment. A message can wait hours or days for quiet hours, a
 * no-contact day or a frequency cap to let it through, and meanwhile the customer may have paid,
 * promised to pay or disputed. So every attempt to send — the first, a deferred one coming due, a
 * retry — first asks the domain that named the purpose whether the message is still wanted, in the
 * send's own transaction: the answer and the send (or the drop) commit together, once.
 *
 * Domains register a check per purpose `kind` beside their actions; channels never import a domain.
 */
export const MessagePurpose = z
  .object({
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9_.-]{0,79}$/, 'must be a purpose name such as collections.stage')
      .describe('Which domain check decides whether the message is still wanted when it may go out'),
  })
  .catchall(z.unknown());
export type MessagePurpose = z.infer<typeof MessagePurpose>;

/**
 * The check's answer: send (optionally with template data brought up to date, e.g. the amount still
 * unpaid), or drop the message with the reason, which the step's output and the message record keep.
 */
export type StillWanted = { send: true; data?: Record<string, unknown> } | { send: false; reason: string };

export type PurposeCheck = (
  tx: Tx,
  purpose: MessagePurpose,
  message: { data: Record<string, unknown>; now: Date },
) => Promise<StillWanted>;

export type PurposeChecks = Map<string, PurposeCheck>;

const registries = new WeakMap<object, PurposeChecks>();

/**
 * The purpose checks that go with an action registry (one registry can serve several engines, so
 * the checks live beside it, not in a module-wide list).
 */
export function messagePurposes(owner: object): PurposeChecks {
  let checks = registries.get(owner);
  if (!checks) {
    checks = new Map();
    registries.set(owner, checks);
  }
  return checks;
}

import { z } from 'zod';
import { defineAction } from '../../../engine/index.js';
import { stepCustomer } from '../messages/customer-ref.js';
import { CONTACT_CHANNELS } from './contact-settings.js';
import { checkContact, lockCustomerContacts, recordContactAttempt } from './contact-rules.js';
import type { Tx } from '../../../storage/schema.js';

/**
 * Contact rules for contacts finflow does not send itself — a collector's call, a letter: a strategy
 * asks `contact.check` before creating a call task, and the outcome is logged with
 * `contact.record_attempt` so the frequency caps count it.
 */
const Input = z.object({ customer: z.string().min(1).max(120), channel: z.enum(CONTACT_CHANNELS) }).strict();

async function customerFor(tx: Tx, ref: string) {
  const customer = await stepCustomer(tx, ref);
  return { id: customer.id, timeZone: customer.timeZone };
}

export const contactCheckAction = defineAction({
  source: import.meta.url,
  name: 'contact.check',
  description: 'Whether the contact rules allow contacting a customer on a channel now, else when (or why never)',
  input: Input,
  writes: false,
  run: async (input, ctx) => {
    const decision = await checkContact(
      ctx.tx,
      await customerFor(ctx.tx, input.customer),
      input.channel,
      ctx.clock.now(),
    );
    if (decision.allowed) return { allowed: true };
    return decision.kind === 'defer'
      ? { allowed: false, deferred: true, nextAllowedAt: decision.until.toISOString(), reason: decision.reason }
      : { allowed: false, deferred: false, nextAllowedAt: null, reason: decision.reason };
  },
});

const AttemptInput = Input.extend({ outcome: z.string().min(1).max(60).optional() }).strict();

export const contactRecordAction = defineAction({
  source: import.meta.url,
  name: 'contact.record_attempt',
  description: 'Logs a contact attempt (a call, a letter) so frequency caps count it',
  input: AttemptInput,
  run: async (input, ctx) => {
    const customer = await customerFor(ctx.tx, input.customer);
    await lockCustomerContacts(ctx.tx, customer.id);
    const id = await recordContactAttempt(ctx.tx, {
      customerId: customer.id,
      channel: input.channel,
      at: ctx.clock.now(),
      instanceId: ctx.instanceId,
      outcome: input.outcome ?? null,
    });
    return { attemptId: id };
  },
});

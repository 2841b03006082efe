import { z } from 'zod';
import { MessagePurpose } from './message-purpose.js';

/** Who a message goes to and how it is worded: shared by email.send and sms.send. */
export const MessageTarget = z.object({
  customer: z.string().min(1).max(120).optional().describe('Customer id or external id'),
  to: z.string().min(3).max(320).optional().describe('Address; defaults to the customer’s email or phone'),
  template: z
    .string()
    .regex(/^[a-z0-9_.-]{1,80}$/, 'must be a template name (lowercase letters, digits, _ . -)')
    .optional(),
  locale: z.string().min(2).max(35).optional().describe('Overrides the customer’s language'),
  data: z.record(z.string(), z.unknown()).optional(),
  ifBlocked: z.enum(['defer', 'skip']).optional(),
  /** Why the message is sent: checked again, in the send's transaction, whenever it may go out. */
  purpose: MessagePurpose.optional(),
});

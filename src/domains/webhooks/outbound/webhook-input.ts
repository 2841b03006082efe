import { z } from '@hono/zod-openapi';
import { urlShapeProblem } from '../../../net/outbound-policy.js';
import { secretProblem } from './signing.js';

/** What a subscription looks like on the way in; the routes validate with these, so errors name `body.<field>`. */

/** An exact type (`receivable.overdue`), a prefix (`receivable.*`, any depth below it) or `*` (everything). */
// No regex flags: the pattern is published in the OpenAPI document, where JSON Schema has none.
export const EVENT_TYPE_PATTERN = /^(\*|[A-Za-z0-9][A-Za-z0-9._-]*?(\.\*)?)$/;

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const Url = z
  .string()
  .max(2000)
  .refine(isHttpUrl, 'must be an http or https URL')
  .superRefine((value, ctx) => {
    // Credentials in the URL would be shown to every viewer; the receiver checks the signature instead.
    if (isHttpUrl(value) && urlShapeProblem(value)) ctx.addIssue({ code: 'custom', message: urlShapeProblem(value)! });
  })
  .openapi({
    example: 'https://core.example.com/finflow/webhooks',
    description:
      'http(s), without credentials; a public host unless the outboundAllow setting lists it (docs/webhooks.md)',
  });

const EventTypes = z
  .array(
    z
      .string()
      .max(200)
      .regex(EVENT_TYPE_PATTERN, 'must be an event type, a prefix ending in ".*" (e.g. "receivable.*"), or "*"'),
  )
  .min(1)
  .max(50)
  .openapi({ example: ['receivable.*', 'customer.updated'] });

const Secret = z
  .string()
  .max(200)
  .superRefine((value, ctx) => {
    const problem = secretProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .openapi({ description: 'Default: generated. `whsec_` + base64 of 24–64 random bytes' });

const Description = z.string().max(500).nullable();

export const SubscriptionCreateSchema = z
  .object({
    url: Url,
    eventTypes: EventTypes,
    description: Description.optional(),
    active: z.boolean().optional().openapi({ description: 'Default true' }),
    secret: Secret.optional(),
  })
  .strict();
export type SubscriptionCreate = z.infer<typeof SubscriptionCreateSchema>;

export const SubscriptionPatchSchema = z
  .object({
    url: Url.optional(),
    eventTypes: EventTypes.optional(),
    description: Description.optional(),
    active: z
      .boolean()
      .optional()
      .openapi({ description: 'false: no new deliveries, and pending ones wait until it is true again' }),
    rotateSecret: z.boolean().optional().openapi({
      description: 'Generate a new secret (returned once). The old one also signs for 24 hours.',
    }),
    secret: Secret.optional().openapi({ description: 'Rotate to this secret instead of a generated one' }),
  })
  .strict()
  .refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'give at least one field to change' });
export type SubscriptionPatch = z.infer<typeof SubscriptionPatchSchema>;

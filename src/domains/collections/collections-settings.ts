import { z } from 'zod';
import type { DomainWork } from '../unit-of-work.js';
import { putDomainSetting } from '../settings-store.js';
import type { Queryable, Tx } from '../../storage/schema.js';
import '../settings-tables.js';

/**
 * What a collections team configures without a deploy: its collectors (with the languages they
 * speak and the segments they work), how calls are handed out, the champion/challenger traffic
 * shares per segment, and the promise and pacing rules. Segmentation and the stages of each
 * strategy are policy: they live in the decisions `collections.segment` and `collections.strategy`.
 */

const Name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,59}$/, 'must be 1-60 characters of a-z, 0-9, ".", "_" and "-"');

export const CollectorSchema = z
  .object({
    /** The API key name the collector works tasks under. */
    user: z.string().min(1).max(100),
    /** Language tags (primary subtag compared: "es" serves "es-MX"); empty: any. */
    languages: z.array(z.string().min(2).max(35)).max(20).default([]),
    /** Segments the collector works; empty: all. */
    segments: z.array(Name).max(50).default([]),
    active: z.boolean().default(true),
  })
  .strict();
export type Collector = z.infer<typeof CollectorSchema>;

export const VariantSchema = z
  .object({
    name: Name,
    /** Share of new cases in the segment, in percent; a segment's shares add up to 100. */
    share: z.number().int().min(0).max(100),
  })
  .strict();
export type Variant = z.infer<typeof VariantSchema>;

export const AgencySchema = z
  .object({
    name: Name,
    /** Share of what the agency recovers that it keeps, as a decimal string ("0.25" = 25 %). */
    commissionRate: z.string().regex(/^0(\.\d{1,6})?$|^1(\.0{1,6})?$/, 'must be a decimal from 0 to 1, e.g. "0.25"'),
    /** Where placements are POSTed (JSON, with an Idempotency-Key); without one, the agency takes the export file. */
    url: z
      .string()
      .max(2048)
      .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL')
      .optional(),
    /** Segments it takes; empty: all. */
    segments: z.array(Name).max(50).default([]),
  })
  .strict();
export type Agency = z.infer<typeof AgencySchema>;

/** A tier of authority: amounts up to `upTo` (minor units; null = any) go to `queue` (null = approved at once). */
export const ApprovalTierSchema = z
  .object({
    upTo: z
      .string()
      .regex(/^[0-9]{1,18}$/, 'must be minor units as a string')
      .nullable(),
    queue: z.string().min(1).max(100).nullable(),
  })
  .strict();
export type ApprovalTier = z.infer<typeof ApprovalTierSchema>;

const tiers = z
  .array(ApprovalTierSchema)
  .min(1)
  .max(10)
  // zod runs this even when `.min(1)` failed: an empty list is already reported, not a crash here.
  .refine((list) => list.length === 0 || list.at(-1)!.upTo === null, 'the last tier must have upTo null (any amount)');

export const CollectionsSettingsPatchSchema = z
  .object({
    collectors: z
      .array(CollectorSchema)
      .max(1000)
      .refine((list) => new Set(list.map((c) => c.user)).size === list.length, 'collector users must be unique')
      .optional(),
    /** How a call goes to a collector when the account has none yet. */
    assignment: z.enum(['least-loaded', 'round-robin']).optional(),
    variants: z
      .record(
        Name,
        z
          .array(VariantSchema)
          .min(1)
          .max(10)
          .refine((list) => new Set(list.map((v) => v.name)).size === list.length, 'variant names must be unique')
          .refine((list) => list.reduce((sum, v) => sum + v.share, 0) === 100, 'shares must add up to 100'),
      )
      .optional(),
    /** Days after the promised date before a promise short of its amount counts as broken. */
    promiseGraceDays: z.number().int().min(0).max(30).optional(),
    /** Broken promises within 180 days that worsen the customer's risk rating by one grade. */
    brokenPromiseLimit: z.number().int().min(1).max(20).optional(),
    /** The least time between two stages of one case, in hours (after a pause, stages do not bunch up). */
    stageGapHours: z
      .number()
      .int()
      .min(0)
      .max(24 * 30)
      .optional(),
    /** Days after a plan installment's date before a short plan counts as broken. */
    planGraceDays: z.number().int().min(0).max(30).optional(),
    /** Days before an installment falls due that a pre-due reminder goes out; null: none. */
    preDueDays: z.number().int().min(1).max(30).nullable().optional(),
    /** Risk ratings whose customers get pre-due reminders (empty: everyone). */
    preDueRatings: z.array(z.string().min(1).max(20)).max(50).optional(),
    /**
     * Recorded attempts an hour needs before message stages go out at the segment's best hour
     * (best-time report); null: always at the start of the stage's day.
     */
    bestTimeMinSample: z.number().int().min(1).max(100_000).nullable().optional(),
    /** Who approves a payment plan, by its total. */
    planApproval: tiers.optional(),
    /** Who approves a write-off, by its amount. */
    writeOffApproval: tiers.optional(),
    /** Collection agencies that placement stages hand accounts to. */
    agencies: z
      .array(AgencySchema)
      .max(50)
      .refine((list) => new Set(list.map((a) => a.name)).size === list.length, 'agency names must be unique')
      .optional(),
  })
  .strict();
export type CollectionsSettingsPatch = z.infer<typeof CollectionsSettingsPatchSchema>;

export interface CollectionsSettings {
  collectors: Collector[];
  assignment: 'least-loaded' | 'round-robin';
  variants: Record<string, Variant[]>;
  promiseGraceDays: number;
  brokenPromiseLimit: number;
  stageGapHours: number;
  planGraceDays: number;
  preDueDays: number | null;
  preDueRatings: string[];
  bestTimeMinSample: number | null;
  planApproval: ApprovalTier[];
  writeOffApproval: ApprovalTier[];
  agencies: Agency[];
}

export const DEFAULT_COLLECTIONS_SETTINGS: CollectionsSettings = {
  collectors: [],
  assignment: 'least-loaded',
  // The shipped strategy table has a challenger for low-risk consumers: SMS first.
  variants: {
    'consumer-low': [
      { name: 'champion', share: 80 },
      { name: 'challenger', share: 20 },
    ],
  },
  promiseGraceDays: 2,
  brokenPromiseLimit: 2,
  stageGapHours: 24,
  planGraceDays: 3,
  // Customers rated D or E hear from us three days before an installment is due.
  preDueDays: 3,
  preDueRatings: ['D', 'E'],
  bestTimeMinSample: 50,
  // Small plans are agreed by the collector; larger ones need a supervisor, then a manager.
  planApproval: [
    { upTo: '50000', queue: null },
    { upTo: '500000', queue: 'collections-supervisors' },
    { upTo: null, queue: 'collections-managers' },
  ],
  writeOffApproval: [
    { upTo: '100000', queue: 'collections-supervisors' },
    { upTo: null, queue: 'collections-managers' },
  ],
  agencies: [],
};

const FIELDS = [
  'collectors',
  'assignment',
  'variants',
  'promiseGraceDays',
  'brokenPromiseLimit',
  'stageGapHours',
  'planGraceDays',
  'preDueDays',
  'preDueRatings',
  'bestTimeMinSample',
  'planApproval',
  'writeOffApproval',
  'agencies',
] as const;
const keyOf = (field: (typeof FIELDS)[number]) => `collections.${field}`;

export async function readCollectionsSettings(db: Queryable | Tx): Promise<CollectionsSettings> {
  const rows = await db
    .selectFrom('domain_settings')
    .select(['key', 'value'])
    .where(
      'key',
      'in',
      FIELDS.map((f) => keyOf(f)),
    )
    .execute();
  const settings: Record<string, unknown> = { ...DEFAULT_COLLECTIONS_SETTINGS };
  for (const field of FIELDS) {
    const row = rows.find((r) => r.key === keyOf(field));
    if (row) settings[field] = row.value;
  }
  return settings as unknown as CollectionsSettings;
}

/** Applies the fields given (validated at the route); each changed field is audited. */
export async function updateCollectionsSettings(
  unit: DomainWork,
  patch: CollectionsSettingsPatch,
): Promise<CollectionsSettings> {
  const before = await readCollectionsSettings(unit.tx);
  const after = { ...before } as Record<string, unknown>;
  for (const field of FIELDS) {
    if (patch[field] === undefined) continue;
    after[field] = patch[field];
    await putDomainSetting(unit, { key: keyOf(field), before: before[field], after: patch[field] });
  }
  return after as unknown as CollectionsSettings;
}

/** The variants of a segment: its configured split, or the champion alone. */
export function variantsOf(settings: CollectionsSettings, segment: string): Variant[] {
  return settings.variants[segment] ?? [{ name: 'champion', share: 100 }];
}

/** The queue that approves an amount (null: no approval needed). */
export function approvalQueue(tiers: ApprovalTier[], amount: bigint): string | null {
  const tier = tiers.find((t) => t.upTo === null || amount <= BigInt(t.upTo));
  return tier ? tier.queue : tiers[tiers.length - 1]!.queue;
}

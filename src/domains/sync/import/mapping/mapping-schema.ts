import { z } from 'zod';
import type { DocumentPath } from '../../../../engine/index.js';
import { IMPORT_KINDS, VALUE_TYPES, type Encoding, type ValueType } from './mapping-types.js';

/** The mapping document's schema: its settings and, per target field, the field's options. */

export const ENCODINGS: Record<string, Encoding> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  latin1: 'latin1',
  'iso-8859-1': 'latin1',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
};

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const separator = z.enum(['.', ',']);
const thousands = z.enum(['.', ',', ' ', "'", '']);
const oneChar = z.string().refine((s) => s === 'tab' || s.length === 1, 'must be one character (or "tab")');

const columnSchema = z.strictObject({
  start: z.number().int().min(1),
  length: z.number().int().min(1).optional(),
  end: z.number().int().min(1).optional(),
});

export const documentSchema = z.strictObject({
  description: z.string().optional(),
  kind: z.enum(IMPORT_KINDS).optional(),
  format: z.enum(['csv', 'fixed-width']).default('csv'),
  delimiter: oneChar.optional(),
  quote: oneChar.optional(),
  header: z.boolean().optional(),
  encoding: z.enum(Object.keys(ENCODINGS) as [string, ...string[]]).default('utf-8'),
  skipLines: z.number().int().min(0).default(0),
  decimalSeparator: separator.default('.'),
  thousandsSeparator: thousands.optional(),
  dateFormat: z.string().min(1).default('yyyy-MM-dd'),
  columns: z.record(z.string().min(1), columnSchema).optional(),
  fields: z.record(z.string(), z.unknown()),
});
export type Settings = z.infer<typeof documentSchema>;

export const fieldSchema = z.strictObject({
  column: z.union([z.string().min(1), z.number().int().min(1)]).optional(),
  value: scalar.optional(),
  type: z.enum(VALUE_TYPES).optional(),
  optional: z.boolean().default(false),
  default: scalar.optional(),
  map: z.record(z.string(), scalar).optional(),
  trim: z.boolean().default(true),
  case: z.enum(['upper', 'lower']).optional(),
  emptyValues: z.array(scalar).optional(),
  decimalSeparator: separator.optional(),
  thousandsSeparator: thousands.optional(),
  units: z.enum(['major', 'minor']).optional(),
  currency: z.string().optional(),
  currencyField: z.string().optional(),
  scale: z.enum(['unit', 'percent', 'permille', 'basisPoints']).optional(),
  impliedDecimals: z.number().int().min(1).max(12).optional(),
  format: z.string().min(1).optional(),
  trueValues: z.array(scalar).min(1).optional(),
  falseValues: z.array(scalar).min(1).optional(),
});
export type RawField = z.infer<typeof fieldSchema>;

/** The options that only make sense for some types. */
export const TYPE_OPTIONS: Array<[keyof RawField, ValueType[]]> = [
  ['units', ['amount']],
  ['currency', ['amount']],
  ['currencyField', ['amount']],
  ['scale', ['decimal']],
  ['impliedDecimals', ['decimal']],
  ['format', ['date']],
  ['trueValues', ['boolean']],
  ['falseValues', ['boolean']],
  ['decimalSeparator', ['amount', 'decimal', 'integer']],
  ['thousandsSeparator', ['amount', 'decimal', 'integer']],
];

/** A problem with the mapping document, at a path that parseMapping turns into a field name and a line. */
export interface Issue {
  path: DocumentPath;
  message: string;
}

/** Records a problem; validation goes on, so one run reports every problem. */
export type ReportIssue = (path: DocumentPath, message: string) => void;

export function fromZod(error: z.ZodError, base: DocumentPath): Issue[] {
  return error.issues.flatMap((issue): Issue[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...base, ...issue.path, key], message: 'is not a known field' }))
      : [{ path: [...base, ...issue.path], message: issue.message }],
  );
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The valid settings of a document with problems; defaults stand in for the others. */
export function validSettings(document: Record<string, unknown>): Settings {
  const settings: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(documentSchema.shape) as Array<[string, z.ZodType]>) {
    const parsed = schema.safeParse(document[key]);
    settings[key] = parsed.success ? parsed.data : schema.safeParse(undefined).data;
  }
  if (isRecord(document.columns)) {
    settings.columns = Object.fromEntries(
      Object.entries(document.columns).flatMap(([name, column]) => {
        const parsed = columnSchema.safeParse(column);
        return parsed.success ? [[name, parsed.data]] : [];
      }),
    );
  }
  if (!isRecord(settings.fields)) settings.fields = {};
  return settings as Settings;
}

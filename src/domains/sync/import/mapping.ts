import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError, validationError, type FieldIssue } from '../../../core/errors.js';
import { isCurrency } from '../../../core/money.js';
import { parseSource, type DocumentPath } from '../../../engine/index.js';
import {
  CellError,
  convertText,
  dateParser,
  DEFAULT_FALSE,
  DEFAULT_TRUE,
  numberParser,
  type DecimalScale,
  type ParsedNumber,
} from './convert.js';

/**
 * The mapping document (YAML or JSON) that says how a legacy export's rows become finflow sync rows:
 * the file's format (CSV or fixed-width, encoding, separators, date format) and, for each target
 * field of the sync row, where its value comes from (a column or a constant) and how it is read.
 * Every problem is reported at once, naming the mapping field (`fields.creditLimit.currency`) and
 * its line. See docs/import.md.
 */

export const IMPORT_KINDS = ['customers', 'receivables', 'payments'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const VALUE_TYPES = ['string', 'integer', 'decimal', 'amount', 'date', 'boolean'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];
export type Encoding = 'utf-8' | 'latin1' | 'windows-1252';

// ---------------------------------------------------------------------------------------------
// The sync rows' fields, per kind: what a mapping may fill, of which type, and what it must fill.

interface TargetSpec {
  /** `any`: metadata values, of whatever type the mapping says (string by default). */
  type: ValueType | 'any';
  required?: boolean;
  /** The only values allowed (an enum). */
  values?: readonly string[];
  /** Holds an ISO 4217 code (checked, and usable as an amount's currencyField). */
  currencyCode?: boolean;
  /** An object whose fields are mapped one by one (`address.city`). */
  children?: Record<string, TargetSpec>;
  /** An object with free keys at any depth (`metadata.branch`). */
  open?: boolean;
}

const text: TargetSpec = { type: 'string' };
const requiredText: TargetSpec = { type: 'string', required: true };
const date: TargetSpec = { type: 'date' };
const amount: TargetSpec = { type: 'amount' };
const currency: TargetSpec = { type: 'string', currencyCode: true };

export const SYNC_TARGETS: Record<ImportKind, Record<string, TargetSpec>> = {
  customers: {
    externalId: requiredText,
    // Required for a new customer only: a file may update some fields of existing ones.
    name: text,
    email: text,
    phone: text,
    address: {
      type: 'any',
      children: { line1: text, line2: text, city: text, postalCode: text, region: text, country: text },
    },
    language: text,
    timeZone: text,
    segment: text,
    riskRating: text,
    creditLimit: amount,
    limitCurrency: currency,
    metadata: { type: 'any', open: true },
  },
  receivables: {
    externalId: requiredText,
    customerExternalId: requiredText,
    kind: { type: 'string', required: true, values: ['invoice', 'loan'] },
    currency: { ...currency, required: true },
    issueDate: { type: 'date', required: true },
    amount,
    dueDate: date,
    paymentTerms: text,
    principal: amount,
    annualRate: { type: 'decimal' },
    termMonths: { type: 'integer' },
    method: { type: 'string', values: ['annuity', 'equal_principal'] },
    firstDueDate: date,
    fees: { type: 'any', children: { upfront: amount, perInstallment: amount } },
    metadata: { type: 'any', open: true },
  },
  payments: {
    externalId: requiredText,
    receivableExternalId: requiredText,
    amount: { type: 'amount', required: true },
    currency: { ...currency, required: true },
    receivedOn: { type: 'date', required: true },
  },
};

/** The field an amount takes its currency from when the mapping names none. */
export const CURRENCY_FIELD: Record<ImportKind, string> = {
  customers: 'limitCurrency',
  receivables: 'currency',
  payments: 'currency',
};

// ---------------------------------------------------------------------------------------------
// The compiled mapping

export interface FixedWidthColumn {
  name: string;
  /** 1-based character position. */
  start: number;
  length: number;
}

export interface FieldMapping {
  /** The sync row field, dotted for nested ones (`address.city`). */
  target: string;
  path: string[];
  source: { kind: 'column'; column: string | number } | { kind: 'value'; text: string };
  type: ValueType;
  optional: boolean;
  /** Used for an empty cell, and for a value the map does not know. */
  defaultText?: string;
  map?: Map<string, string>;
  trim: boolean;
  case?: 'upper' | 'lower';
  emptyValues: Set<string>;
  parseNumber: (text: string) => ParsedNumber;
  units: 'major' | 'minor';
  currency?: string;
  currencyField?: string;
  scale: DecimalScale;
  /** decimal: digits written without a separator, the last n being decimals ("125000" with 4 → 12.5). */
  impliedDecimals: number;
  dateFormat: string;
  parseDate: (text: string) => string;
  trueValues: Set<string>;
  falseValues: Set<string>;
  values?: readonly string[];
  currencyCode: boolean;
}

export interface ImportMapping {
  kind: ImportKind;
  format: 'csv' | 'fixed-width';
  encoding: Encoding;
  /** Lines skipped at the start of the file (before the CSV header). */
  skipLines: number;
  csv: { delimiter: string; quote: string; header: boolean };
  /** fixed-width: the columns, in the order of `columns`. */
  columns: FixedWidthColumn[];
  fields: FieldMapping[];
}

// ---------------------------------------------------------------------------------------------
// The document's schema

const ENCODINGS: Record<string, Encoding> = {
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

const documentSchema = z.strictObject({
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

const fieldSchema = z.strictObject({
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
type RawField = z.infer<typeof fieldSchema>;

/** The options that only make sense for some types. */
const TYPE_OPTIONS: Array<[keyof RawField, ValueType[]]> = [
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

interface Issue {
  path: DocumentPath;
  message: string;
}

function fromZod(error: z.ZodError, base: DocumentPath): Issue[] {
  return error.issues.flatMap((issue): Issue[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...base, ...issue.path, key], message: 'is not a known field' }))
      : [{ path: [...base, ...issue.path], message: issue.message }],
  );
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Finds a target field's spec: `address.city` through children, `metadata.x.y` in an open object. */
function targetSpec(kind: ImportKind, target: string): TargetSpec | string {
  const [head, ...rest] = target.split('.');
  const top = SYNC_TARGETS[kind][head!];
  const known = Object.keys(SYNC_TARGETS[kind]).join(', ');
  if (!top) return `${kind} have no field ${head}; their fields are ${known}`;
  if (rest.length === 0) {
    if (top.children)
      return `${head} is an object: map its fields (${head}.${Object.keys(top.children).join(`, ${head}.`)})`;
    if (top.open) return `${head} is an object: map its keys as ${head}.<key>`;
    return top;
  }
  if (top.open) return rest.every((part) => part !== '') ? { type: 'any' } : `${target} is not a field name`;
  const child = rest.length === 1 ? top.children?.[rest[0]!] : undefined;
  if (!child) {
    return top.children
      ? `${head} has no field ${rest.join('.')}; its fields are ${Object.keys(top.children).join(', ')}`
      : `${head} is not an object`;
  }
  return child;
}

/** Reads and compiles a mapping file for `kind`; an unreadable or invalid one is a 400 AppError. */
export function loadMapping(file: string, kind: ImportKind): ImportMapping {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AppError('file_unreadable', 400, `cannot read the mapping ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseMapping(source, kind);
}

/**
 * Compiles a mapping document for `kind`. Throws validation_failed with one issue per problem, each
 * naming the mapping field and its line, in document order.
 */
export function parseMapping(source: string, kind: ImportKind): ImportMapping {
  const parsed = parseSource(source);
  if (parsed.issues.length > 0) throw validationError(parsed.issues);
  const document = parsed.value;
  const fail = (issues: Issue[]): never => {
    const located = issues.map((issue): FieldIssue => {
      const line = parsed.lineOf(issue.path);
      const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'mapping';
      return line === undefined ? { field, message: issue.message } : { field, message: issue.message, line };
    });
    throw validationError(located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)));
  };
  if (!isRecord(document)) {
    return fail([{ path: [], message: 'must be a mapping document with format and fields' }]);
  }
  // A setting with a problem is reported and replaced by its default, so one run reports the
  // problems of every other setting and of every field too.
  const shell = documentSchema.safeParse(document);
  const issues: Issue[] = shell.success ? [] : fromZod(shell.error, []);
  const doc = shell.success ? shell.data : validSettings(document);
  const at = (path: DocumentPath, message: string) => issues.push({ path, message });

  if (doc.kind !== undefined && doc.kind !== kind) at(['kind'], `this mapping is for ${doc.kind}, not ${kind}`);
  const csvOnly = ['delimiter', 'quote', 'header'] as const;
  if (doc.format === 'fixed-width') {
    for (const key of csvOnly) if (document[key] !== undefined) at([key], 'is only for format csv');
  } else if (document.columns !== undefined) {
    at(['columns'], 'is only for format fixed-width (CSV columns are named by the header or numbered)');
  }
  if (doc.thousandsSeparator !== undefined && doc.thousandsSeparator === doc.decimalSeparator) {
    at(['thousandsSeparator'], 'must differ from decimalSeparator');
  }
  let defaultDates: ((text: string) => string) | undefined;
  try {
    defaultDates = dateParser(doc.dateFormat);
  } catch (error) {
    at(['dateFormat'], (error as Error).message);
  }
  const columnNames = isRecord(document.columns) ? Object.keys(document.columns) : [];

  const columns: FixedWidthColumn[] = [];
  if (doc.format === 'fixed-width') {
    if (columnNames.length === 0) {
      at(['columns'], 'is required for format fixed-width: name → { start, length } (1-based character positions)');
    }
    for (const [name, spec] of Object.entries(doc.columns ?? {})) {
      if ((spec.length === undefined) === (spec.end === undefined)) {
        at(['columns', name], 'needs start and either length or end (inclusive)');
      } else if (spec.end !== undefined && spec.end < spec.start) {
        at(['columns', name, 'end'], `must not be before start (${spec.start})`);
      } else {
        columns.push({ name, start: spec.start, length: spec.length ?? spec.end! - spec.start + 1 });
      }
    }
  }

  const context: FieldContext = {
    format: doc.format,
    header: doc.header ?? true,
    columnNames: new Set(columnNames),
    decimalSeparator: doc.decimalSeparator,
    // A clash of the two is reported once, for the document, not again for every number field.
    thousandsSeparator:
      doc.thousandsSeparator && doc.thousandsSeparator !== doc.decimalSeparator ? doc.thousandsSeparator : null,
    dateFormat: doc.dateFormat,
    parseDate: defaultDates,
  };
  const fields = compileFields(doc.fields, kind, context, issues);
  if (issues.length > 0) return fail(issues);

  const delimiter = doc.delimiter ?? ',';
  const quote = doc.quote ?? '"';
  return {
    kind,
    format: doc.format,
    encoding: ENCODINGS[doc.encoding]!,
    skipLines: doc.skipLines,
    csv: {
      delimiter: delimiter === 'tab' ? '\t' : delimiter,
      quote: quote === 'tab' ? '\t' : quote,
      header: doc.header ?? true,
    },
    columns,
    fields,
  };
}

type Settings = z.infer<typeof documentSchema>;

/** The valid settings of a document with problems; defaults stand in for the others. */
function validSettings(document: Record<string, unknown>): Settings {
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

interface FieldContext {
  format: 'csv' | 'fixed-width';
  header: boolean;
  columnNames: Set<string>;
  decimalSeparator: '.' | ',';
  thousandsSeparator: string | null;
  dateFormat: string;
  parseDate: ((text: string) => string) | undefined;
}

function compileFields(
  rawFields: Record<string, unknown>,
  kind: ImportKind,
  context: FieldContext,
  issues: Issue[],
): FieldMapping[] {
  const at = (path: DocumentPath, message: string) => issues.push({ path, message });
  const targets = Object.keys(rawFields);
  const specs = new Map<string, TargetSpec>();
  const parsedFields = new Map<string, RawField>();
  for (const target of targets) {
    const spec = targetSpec(kind, target);
    if (typeof spec === 'string') {
      at(['fields', target], spec);
      continue;
    }
    specs.set(target, spec);
    const raw = rawFields[target];
    const result = fieldSchema.safeParse(isRecord(raw) ? raw : raw === null ? {} : raw);
    if (!result.success) {
      issues.push(...fromZod(result.error, ['fields', target]));
      continue;
    }
    parsedFields.set(target, result.data);
  }
  const missing = Object.entries(SYNC_TARGETS[kind])
    .filter(([name, spec]) => spec.required && !(name in rawFields))
    .map(([name]) => name);
  if (missing.length > 0) {
    at(['fields'], `${kind} need ${missing.join(', ')}: map each to a column or a value`);
  }

  const fields: FieldMapping[] = [];
  for (const [target, raw] of parsedFields) {
    const field = compileField(target, raw, specs.get(target)!, kind, context, parsedFields, at);
    if (field) fields.push(field);
  }
  // Constants, defaults and map values are converted now, so their mistakes are the mapping's.
  for (const field of fields) checkFixedValues(field, at);
  return fields;
}

function compileField(
  target: string,
  raw: RawField,
  spec: TargetSpec,
  kind: ImportKind,
  context: FieldContext,
  all: Map<string, RawField>,
  at: (path: DocumentPath, message: string) => void,
): FieldMapping | undefined {
  const path = ['fields', target];
  let problems = 0;
  const problem = (sub: DocumentPath, message: string) => {
    problems++;
    at([...path, ...sub], message);
  };

  // Where the value comes from.
  let source: FieldMapping['source'] | undefined;
  if (raw.column !== undefined && raw.value !== undefined) {
    problem([], 'give either column or value (a constant), not both');
  } else if (raw.value !== undefined) {
    source = { kind: 'value', text: String(raw.value) };
  } else if (raw.column === undefined) {
    problem([], 'needs column (where the value is read) or value (a constant)');
  } else if (context.format === 'fixed-width') {
    const name = String(raw.column);
    if (context.columnNames.has(name)) source = { kind: 'column', column: name };
    else {
      const known = [...context.columnNames];
      problem(['column'], `"${name}" is not one of the columns${known.length ? ` (${known.join(', ')})` : ''}`);
    }
  } else if (context.header) {
    source = { kind: 'column', column: String(raw.column) };
  } else {
    const n = typeof raw.column === 'number' ? raw.column : /^\d+$/.test(raw.column) ? Number(raw.column) : NaN;
    if (Number.isInteger(n) && n >= 1) source = { kind: 'column', column: n };
    else problem(['column'], 'must be a column number (1 = the first), since header is false');
  }

  // The type: the target's, unless the mapping names one (which must agree).
  const targetType = spec.type === 'any' ? undefined : spec.type;
  const type = raw.type ?? targetType ?? 'string';
  if (raw.type !== undefined && targetType !== undefined && raw.type !== targetType) {
    problem(['type'], `must be ${targetType}: ${target} is ${describeType(targetType)}`);
  }
  for (const [option, types] of TYPE_OPTIONS) {
    if (raw[option] !== undefined && !types.includes(type)) {
      problem([option], `is only for type ${types.join(' or ')} (this field is ${type})`);
    }
  }

  // Amounts: a fixed currency, another field's, or the kind's currency field.
  let currencyField: string | undefined;
  if (type === 'amount') {
    if (raw.currency !== undefined && raw.currencyField !== undefined) {
      problem([], 'give either currency or currencyField, not both');
    } else if (raw.currency !== undefined) {
      if (!isCurrency(raw.currency)) problem(['currency'], `"${raw.currency}" is not an ISO 4217 currency code`);
    } else {
      currencyField = raw.currencyField ?? (all.has(CURRENCY_FIELD[kind]) ? CURRENCY_FIELD[kind] : undefined);
      const other = currencyField === undefined ? undefined : all.get(currencyField);
      if (currencyField === undefined) {
        problem(
          [],
          `needs currency (an ISO code, e.g. EUR) or currencyField (the field holding the row's currency, e.g. ${CURRENCY_FIELD[kind]})`,
        );
      } else if (!other) {
        problem(['currencyField'], `names ${currencyField}, which the mapping does not fill`);
      } else if (currencyField === target || (other.type ?? 'string') !== 'string') {
        problem(['currencyField'], `must name a text field holding a currency code`);
      }
    }
  }

  let parseDate = context.parseDate;
  if (raw.format !== undefined) {
    try {
      parseDate = dateParser(raw.format);
    } catch (error) {
      problem(['format'], (error as Error).message);
    }
  }
  const decimalSeparator = raw.decimalSeparator ?? context.decimalSeparator;
  const thousandsSeparator =
    raw.thousandsSeparator === undefined ? context.thousandsSeparator : raw.thousandsSeparator || null;
  if (thousandsSeparator === decimalSeparator) {
    problem(
      [raw.thousandsSeparator === undefined ? 'decimalSeparator' : 'thousandsSeparator'],
      'the two separators must differ',
    );
  }

  if (problems > 0 || !source) return undefined;
  const texts = (values: Array<string | number | boolean> | undefined, fallback: string[]) =>
    new Set((values ?? fallback).map((v) => String(v).toLowerCase()));
  return {
    target,
    path: target.split('.'),
    source,
    type,
    optional: raw.optional,
    ...(raw.default === undefined ? {} : { defaultText: String(raw.default) }),
    ...(raw.map === undefined
      ? {}
      : { map: new Map(Object.entries(raw.map).map(([key, value]) => [key, String(value)] as const)) }),
    trim: raw.trim,
    ...(raw.case === undefined ? {} : { case: raw.case }),
    emptyValues: new Set((raw.emptyValues ?? []).map(String)),
    parseNumber: numberParser({ decimalSeparator, thousandsSeparator }),
    units: raw.units ?? 'major',
    ...(raw.currency === undefined ? {} : { currency: raw.currency }),
    ...(currencyField === undefined ? {} : { currencyField }),
    scale: raw.scale ?? 'unit',
    impliedDecimals: raw.impliedDecimals ?? 0,
    dateFormat: raw.format ?? context.dateFormat,
    parseDate: parseDate ?? (() => ''),
    trueValues: texts(raw.trueValues, DEFAULT_TRUE),
    falseValues: texts(raw.falseValues, DEFAULT_FALSE),
    ...(spec.values ? { values: spec.values } : {}),
    currencyCode: spec.currencyCode ?? false,
  };
}

function describeType(type: ValueType): string {
  switch (type) {
    case 'amount':
      return 'an amount (a string of minor units)';
    case 'date':
      return 'a date';
    case 'decimal':
      return 'a decimal';
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'a yes/no value';
    case 'string':
      return 'text';
  }
}

/** A constant, a default and the map's values must convert; an amount in another field's currency waits for the row. */
function checkFixedValues(field: FieldMapping, at: (path: DocumentPath, message: string) => void): void {
  if (field.type === 'amount' && field.currency === undefined) return;
  const check = (path: DocumentPath, text: string) => {
    try {
      convertText(field, text);
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      at(['fields', field.target, ...path], error.message);
    }
  };
  if (field.source.kind === 'value') check(['value'], field.source.text);
  if (field.defaultText !== undefined) check(['default'], field.defaultText);
  for (const [key, value] of field.map ?? []) check(['map', key], value);
}

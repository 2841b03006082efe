import { isCurrency } from '../../../../core/money.js';
import { DEFAULT_FALSE, DEFAULT_TRUE } from '../convert/convert-text.js';
import { dateParser } from '../convert/parse-date.js';
import { numberParser, type NumberFormat } from '../convert/parse-number.js';
import type { FieldMapping, ImportKind, ValueType } from './mapping-types.js';
import { TYPE_OPTIONS, type RawField, type ReportIssue } from './mapping-schema.js';
import { CURRENCY_FIELD, describeType, type TargetSpec } from './sync-targets.js';

/** The document's settings a field starts from (and may override). */
export interface FieldContext {
  format: 'csv' | 'fixed-width';
  header: boolean;
  columnNames: Set<string>;
  decimalSeparator: '.' | ',';
  thousandsSeparator: string | null;
  dateFormat: string;
  parseDate: ((text: string) => string) | undefined;
}

/** What compileField settled about a field before building it. */
interface Resolved {
  source: FieldMapping['source'];
  type: ValueType;
  currencyField: string | undefined;
  parseDate: ((text: string) => string) | undefined;
  numberFormat: NumberFormat;
}

/** Compiles one target field's options; undefined (with its problems reported) when they do not fit. */
export function compileField(
  target: string,
  raw: RawField,
  spec: TargetSpec,
  kind: ImportKind,
  context: FieldContext,
  all: Map<string, RawField>,
  at: ReportIssue,
): FieldMapping | undefined {
  const path = ['fields', target];
  let problems = 0;
  const problem: ReportIssue = (sub, message) => {
    problems++;
    at([...path, ...sub], message);
  };
  const source = fieldSource(raw, context, problem);
  const type = fieldType(target, raw, spec, problem);
  // Amounts: a fixed currency, another field's, or the kind's currency field.
  const currencyField = type === 'amount' ? amountCurrencyField(target, raw, kind, all, problem) : undefined;
  const parseDate = fieldDateParser(raw, context, problem);
  const numberFormat = fieldNumberFormat(raw, context, problem);
  if (problems > 0 || !source) return undefined;
  return buildField(target, raw, spec, context, { source, type, currencyField, parseDate, numberFormat });
}

/** Where the value comes from: a column (by header name, number or fixed-width name) or a constant. */
function fieldSource(raw: RawField, context: FieldContext, problem: ReportIssue): FieldMapping['source'] | undefined {
  if (raw.column !== undefined && raw.value !== undefined) {
    problem([], 'give either column or value (a constant), not both');
  } else if (raw.value !== undefined) {
    return { kind: 'value', text: String(raw.value) };
  } else if (raw.column === undefined) {
    problem([], 'needs column (where the value is read) or value (a constant)');
  } else if (context.format === 'fixed-width') {
    const name = String(raw.column);
    if (context.columnNames.has(name)) return { kind: 'column', column: name };
    const known = [...context.columnNames];
    problem(['column'], `"${name}" is not one of the columns${known.length ? ` (${known.join(', ')})` : ''}`);
  } else if (context.header) {
    return { kind: 'column', column: String(raw.column) };
  } else {
    const n = typeof raw.column === 'number' ? raw.column : /^\d+$/.test(raw.column) ? Number(raw.column) : NaN;
    if (Number.isInteger(n) && n >= 1) return { kind: 'column', column: n };
    problem(['column'], 'must be a column number (1 = the first), since header is false');
  }
  return undefined;
}

/** The type: the target's, unless the mapping names one (which must agree); options must suit it. */
function fieldType(target: string, raw: RawField, spec: TargetSpec, problem: ReportIssue): ValueType {
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
  return type;
}

/** An amount's currency field: named, or the kind's own when the mapping fills it; none for a fixed currency. */
function amountCurrencyField(
  target: string,
  raw: RawField,
  kind: ImportKind,
  all: Map<string, RawField>,
  problem: ReportIssue,
): string | undefined {
  if (raw.currency !== undefined && raw.currencyField !== undefined) {
    problem([], 'give either currency or currencyField, not both');
    return undefined;
  }
  if (raw.currency !== undefined) {
    if (!isCurrency(raw.currency)) problem(['currency'], `"${raw.currency}" is not an ISO 4217 currency code`);
    return undefined;
  }
  const currencyField = raw.currencyField ?? (all.has(CURRENCY_FIELD[kind]) ? CURRENCY_FIELD[kind] : undefined);
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
  return currencyField;
}

function fieldDateParser(
  raw: RawField,
  context: FieldContext,
  problem: ReportIssue,
): ((text: string) => string) | undefined {
  if (raw.format === undefined) return context.parseDate;
  try {
    return dateParser(raw.format);
  } catch (error) {
    problem(['format'], (error as Error).message);
    return context.parseDate;
  }
}

function fieldNumberFormat(raw: RawField, context: FieldContext, problem: ReportIssue): NumberFormat {
  const decimalSeparator = raw.decimalSeparator ?? context.decimalSeparator;
  const thousandsSeparator =
    raw.thousandsSeparator === undefined ? context.thousandsSeparator : raw.thousandsSeparator || null;
  if (thousandsSeparator === decimalSeparator) {
    problem(
      [raw.thousandsSeparator === undefined ? 'decimalSeparator' : 'thousandsSeparator'],
      'the two separators must differ',
    );
  }
  return { decimalSeparator, thousandsSeparator };
}

function buildField(
  target: string,
  raw: RawField,
  spec: TargetSpec,
  context: FieldContext,
  { source, type, currencyField, parseDate, numberFormat }: Resolved,
): FieldMapping {
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
    parseNumber: numberParser(numberFormat),
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

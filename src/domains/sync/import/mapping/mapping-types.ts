import type { DecimalScale } from '../convert/parse-decimal.js';
import type { ParsedNumber } from '../convert/parse-number.js';

/**
 * The compiled mapping: what parseMapping makes of a mapping document, and what the file reader
 * and the row converter work from.
 */

export const IMPORT_KINDS = ['customers', 'receivables', 'payments'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const VALUE_TYPES = ['string', 'integer', 'decimal', 'amount', 'date', 'boolean'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];
export type Encoding = 'utf-8' | 'latin1' | 'windows-1252';

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

import type { ImportIssue } from '../import-issue.js';
import type { FieldMapping, ImportMapping } from '../mapping/mapping-types.js';
import { CellError, quoted } from './cell-error.js';
import { convertText, type RowValues } from './convert-text.js';

/**
 * Turns one source row (its cells, as text) into the sync row object the sync service takes, by the
 * mapping's `fields`. Every value is parsed from text without floats: amounts become strings of
 * minor units, decimals decimal strings, dates 'YYYY-MM-DD'. A cell that cannot be converted
 * becomes an issue naming the line, the column and the target field.
 */

/** The source column a field reads: its index in the row's cells and how messages name it. */
export interface ColumnRef {
  index: number;
  label: string;
}

export type ConvertResult = { ok: true; row: Record<string, unknown> } | { ok: false; issues: ImportIssue[] };

export interface Converter {
  convert(cells: readonly string[], line: number): ConvertResult;
}

/** Where a converted value goes: `address.city` → row.address.city. */
function setPath(row: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = row;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let next = node[key] as Record<string, unknown> | undefined;
    if (next === undefined) {
      next = {};
      node[key] = next;
    }
    node = next;
  }
  node[path[path.length - 1]!] = value;
}

const OMIT = Symbol('omit');

interface Step {
  field: FieldMapping;
  column: ColumnRef | null;
  constant: unknown;
}

/**
 * The converter for a mapping whose columns `resolve` places in the row's cells (by header name,
 * column number or fixed-width column). Constants are converted once, here.
 */
export function compileConverter(mapping: ImportMapping, resolve: (field: FieldMapping) => ColumnRef): Converter {
  const steps: Step[] = mapping.fields.map((field) => {
    if (field.source.kind === 'column') return { field, column: resolve(field), constant: OMIT };
    // An amount whose currency is another field of the row is converted per row.
    const perRow = field.type === 'amount' && field.currency === undefined;
    return { field, column: null, constant: perRow ? OMIT : convertText(field, field.source.text) };
  });
  // Amounts read their currency from the row, so they are converted after every other field.
  const ordered = [
    ...steps.filter((s) => s.field.type !== 'amount'),
    ...steps.filter((s) => s.field.type === 'amount'),
  ];
  return { convert: (cells, line) => convertRow(ordered, cells, line) };
}

function convertRow(steps: readonly Step[], cells: readonly string[], line: number): ConvertResult {
  const row: Record<string, unknown> = {};
  const values: RowValues = new Map();
  let issues: ImportIssue[] | undefined;
  for (const { field, column, constant } of steps) {
    let raw: string | undefined;
    try {
      let value: unknown;
      if (column === null) {
        value =
          constant === OMIT && field.source.kind === 'value' ? convertText(field, field.source.text, values) : constant;
      } else {
        raw = cells[column.index] ?? '';
        value = convertCell(field, raw, values);
      }
      if (value === OMIT) continue;
      values.set(field.target, value);
      setPath(row, field.path, value);
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      (issues ??= []).push({
        line,
        column: column?.label ?? null,
        field: field.target,
        ...(raw === undefined ? {} : { value: raw }),
        message: error.message,
      });
    }
  }
  return issues ? { ok: false, issues } : { ok: true, row };
}

/** Trims, cases and maps a cell, then converts it; an empty cell takes the default or is left out. */
function convertCell(field: FieldMapping, raw: string, values: RowValues): unknown {
  let text = field.trim ? raw.trim() : raw;
  if (text.includes('\uFFFD')) {
    throw new CellError(`${quoted(text)} is not valid UTF-8; set the mapping's encoding (latin1, windows-1252)`);
  }
  if (text.trim() === '' || field.emptyValues.has(text)) {
    if (field.defaultText !== undefined) return convertText(field, field.defaultText, values);
    if (field.optional) return OMIT;
    throw new CellError('is empty (the field is not optional)');
  }
  if (field.case === 'upper') text = text.toUpperCase();
  else if (field.case === 'lower') text = text.toLowerCase();
  if (field.map) text = mapped(field, field.map, text);
  return convertText(field, text, values);
}

/** A value through the field's map; one the map does not know takes the default or is refused. */
function mapped(field: FieldMapping, map: ReadonlyMap<string, string>, text: string): string {
  const value = map.get(text);
  if (value !== undefined) return value;
  if (field.defaultText !== undefined) return field.defaultText;
  const known = [...map.keys()];
  throw new CellError(
    `${quoted(text)} is not in the field's map (${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''})`,
  );
}

import { CellError } from '../convert/cell-error.js';
import { convertText } from '../convert/convert-text.js';
import { compileField, type FieldContext } from './compile-field.js';
import type { FieldMapping, ImportKind } from './mapping-types.js';
import { fieldSchema, fromZod, isRecord, type Issue, type RawField, type ReportIssue } from './mapping-schema.js';
import { SYNC_TARGETS, targetSpec, type TargetSpec } from './sync-targets.js';

/**
 * Compiles the mapping's `fields`: each names a target field of the kind's sync row, its options
 * are checked against the field schema and the target, and every required target must be filled.
 * Problems go to `issues`; the fields without problems are returned.
 */
export function compileFields(
  rawFields: Record<string, unknown>,
  kind: ImportKind,
  context: FieldContext,
  issues: Issue[],
): FieldMapping[] {
  const at: ReportIssue = (path, message) => issues.push({ path, message });
  const specs = new Map<string, TargetSpec>();
  const parsedFields = new Map<string, RawField>();
  for (const target of Object.keys(rawFields)) {
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

/** A constant, a default and the map's values must convert; an amount in another field's currency waits for the row. */
function checkFixedValues(field: FieldMapping, at: ReportIssue): void {
  if (field.type === 'amount' && field.currency === undefined) return;
  const check = (path: Array<string | number>, text: string) => {
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

import { readFileSync } from 'node:fs';
import { AppError, validationError, type FieldIssue } from '../../../../core/errors.js';
import { parseSource, type DocumentPath } from '../../../../engine/index.js';
import { dateParser } from '../convert/parse-date.js';
import type { FieldContext } from './compile-field.js';
import { compileFields } from './compile-fields.js';
import type { FieldMapping, FixedWidthColumn, ImportKind, ImportMapping } from './mapping-types.js';
import {
  documentSchema,
  ENCODINGS,
  fromZod,
  isRecord,
  validSettings,
  type Issue,
  type ReportIssue,
  type Settings,
} from './mapping-schema.js';

/**
 * The mapping document (YAML or JSON) that says how a legacy export's rows become finflow sync rows:
 * the file's format (CSV or fixed-width, encoding, separators, date format) and, for each target
 * field of the sync row, where its value comes from (a column or a constant) and how it is read.
 * Every problem is reported at once, naming the mapping field (`fields.creditLimit.currency`) and
 * its line. See docs/import.md.
 */

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
    throw locatedError(issues, (path) => parsed.lineOf(path));
  };
  if (!isRecord(document)) {
    return fail([{ path: [], message: 'must be a mapping document with format and fields' }]);
  }
  // A setting with a problem is reported and replaced by its default, so one run reports the
  // problems of every other setting and of every field too.
  const shell = documentSchema.safeParse(document);
  const issues: Issue[] = shell.success ? [] : fromZod(shell.error, []);
  const doc = shell.success ? shell.data : validSettings(document);
  const at: ReportIssue = (path, message) => issues.push({ path, message });

  checkSettings(document, doc, kind, at);
  const defaultDates = defaultDateParser(doc, at);
  const columnNames = isRecord(document.columns) ? Object.keys(document.columns) : [];
  const columns = doc.format === 'fixed-width' ? fixedWidthColumns(doc, columnNames, at) : [];
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
  return compiled(kind, doc, columns, fields);
}

/** validation_failed with each issue named by its mapping field and line, sorted by line. */
function locatedError(issues: Issue[], lineOf: (path: DocumentPath) => number | undefined): AppError {
  const located = issues.map((issue): FieldIssue => {
    const line = lineOf(issue.path);
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : 'mapping';
    return line === undefined ? { field, message: issue.message } : { field, message: issue.message, line };
  });
  return validationError(located.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)));
}

/** The document-wide settings that must agree with the kind, the format and each other. */
function checkSettings(document: Record<string, unknown>, doc: Settings, kind: ImportKind, at: ReportIssue): void {
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
}

function defaultDateParser(doc: Settings, at: ReportIssue): ((text: string) => string) | undefined {
  try {
    return dateParser(doc.dateFormat);
  } catch (error) {
    at(['dateFormat'], (error as Error).message);
    return undefined;
  }
}

/** fixed-width: each named column's 1-based start and length (or inclusive end). */
function fixedWidthColumns(doc: Settings, columnNames: string[], at: ReportIssue): FixedWidthColumn[] {
  const columns: FixedWidthColumn[] = [];
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
  return columns;
}

function compiled(kind: ImportKind, doc: Settings, columns: FixedWidthColumn[], fields: FieldMapping[]): ImportMapping {
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

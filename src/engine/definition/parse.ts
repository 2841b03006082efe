import { isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { FieldIssue } from '../../core/errors.js';
import { JSON_LIMITS, jsonTextDepth, jsonValueIssues } from '../../core/json-guard.js';

/**
 * Reads a definition document. JSON is parsed as YAML too (it is valid YAML 1.2), so both formats
 * keep their syntax tree and every later issue can point at the line it is about.
 */

export type SourceFormat = 'yaml' | 'json';
/** A path into the document, as zod reports it: keys and array indexes. */
export type DocumentPath = ReadonlyArray<PropertyKey>;

export interface ParsedSource {
  format: SourceFormat;
  /** The document as plain data; undefined when it has syntax errors. */
  value: unknown;
  /** Syntax errors, each with its line. */
  issues: FieldIssue[];
  /** 1-based line of the value at `path`, or of its closest ancestor present in the source. */
  lineOf(path: DocumentPath): number | undefined;
}

export function detectFormat(source: string): SourceFormat {
  return source.trimStart().startsWith('{') ? 'json' : 'yaml';
}

export function parseSource(source: string, format: SourceFormat = detectFormat(source)): ParsedSource {
  const lineCounter = new LineCounter();
  const tooDeep = (): ParsedSource => ({
    format,
    value: undefined,
    issues: [{ field: 'source', message: `is nested deeper than ${JSON_LIMITS.maxDepth} levels`, line: 1 }],
    lineOf: () => undefined,
  });
  // Flow collections ([…], {…}) are counted before the recursive parser sees them.
  if (jsonTextDepth(source) > JSON_LIMITS.maxDepth) return tooDeep();
  let doc: ReturnType<typeof parseDocument>;
  try {
    // prettyErrors would append a code excerpt to each message; the line is reported on its own.
    doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (error) {
    // Block nesting (indentation) thousands of levels deep exhausts the parser's stack.
    if (error instanceof RangeError) return tooDeep();
    throw error;
  }
  const lineAt = (node: unknown): number | undefined =>
    isNode(node) && node.range ? lineCounter.linePos(node.range[0]).line : undefined;

  const lineOf = (path: DocumentPath): number | undefined => {
    let node: unknown = doc.contents;
    let line = lineAt(node);
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        // The key's line, not the value's: a block value starts on the line after its key.
        line = lineAt(pair.key) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        node = node.items[segment];
        line = lineAt(node) ?? line;
      } else {
        break;
      }
    }
    return line;
  };

  // The yaml library reports its own stack overflow (block nesting) as a syntax error.
  if (doc.errors.some((error) => error.message.includes('call stack'))) return tooDeep();
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) => ({
      field: 'source',
      message: error.message,
      line: lineCounter.linePos(error.pos[0]).line,
    }));
    return { format, value: undefined, issues, lineOf };
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    if (error instanceof RangeError) return tooDeep();
    // An alias whose anchor is not set (`*x`), or more aliases than maxAliasCount (the
    // "billion laughs" expansion): the library throws while building the value; both are the
    // document's fault, reported on the line of the alias with no anchor (or of the first alias).
    if (error instanceof ReferenceError) {
      let line: number | undefined;
      visit(doc, {
        Alias(_key, node) {
          line ??= lineAt(node);
          if (node.resolve(doc) !== undefined) return undefined;
          line = lineAt(node) ?? line;
          return visit.BREAK;
        },
      });
      return {
        format,
        value: undefined,
        issues: [{ field: 'source', message: error.message, line: line ?? 1 }],
        lineOf,
      };
    }
    throw error;
  }
  // The same limits as a JSON body: depth, NUL, lone surrogates, non-finite numbers (`.inf`).
  // Issues name the field in the document (`steps.0.id`) and its line, like every other issue.
  const limits = jsonValueIssues(value, 'source').map((issue) => {
    const path = issue.field.split('.').slice(1);
    return { field: path.length > 0 ? path.join('.') : 'source', message: issue.message, line: lineOf(path) ?? 1 };
  });
  if (limits.length > 0) return { format, value: undefined, issues: limits, lineOf };
  return { format, value, issues: [], lineOf };
}

import { SaxesParser, type SaxesTagNS } from 'saxes';
import { AppError } from '../../core/errors.js';

/**
 * A small element tree read with saxes, a strict non-validating XML parser that never fetches or
 * expands anything external (a DOCTYPE is refused outright, so no entity tricks). Elements are known
 * by their local name, whatever the prefix, and keep their namespace, line and path for messages.
 * Status reports are small enough for a tree; statements (large) will use saxes' events directly.
 */
export interface XmlElement {
  /** Local name (`CstmrPmtStsRpt`, never `ns2:CstmrPmtStsRpt`). */
  name: string;
  /** Namespace URI, '' when none. */
  namespace: string;
  /** Attributes by local name. */
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated text and CDATA directly inside the element. */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
  /** `Document/CstmrPmtStsRpt/GrpHdr`. */
  path: string;
}

/**
 * Parses `xml`; a malformed document is a 400 AppError naming the line, column and the element path
 * the parser was in. `what` names the document in messages ("pain.002").
 */
export function parseXmlTree(xml: string, what: string): XmlElement {
  if (typeof xml !== 'string') throw malformed(what, 'the document must be a string');
  const parser = new SaxesParser({ xmlns: true, position: true });
  const open: XmlElement[] = [];
  let root: XmlElement | undefined;

  // saxes goes on after an error; the first one is the one to report (later ones are its echoes).
  let problem: { message: string; line: number; column: number; path: string | null } | undefined;
  let lastClosed: XmlElement | undefined;
  const report = (raw: string): void => {
    if (problem) return;
    // saxes prefixes its messages with "line:column: "; the message says it in words instead.
    let message = raw.replace(/^\d+:\d+: /, '');
    let path = open.at(-1)?.path ?? null;
    // On a mismatched end tag saxes has already closed the element it expected: name that one.
    if (message.startsWith('unexpected close tag') && lastClosed) {
      message = `the end tag does not match <${lastClosed.name}>`;
      path = lastClosed.path;
    }
    problem = { message, line: parser.line, column: parser.column + 1, path };
  };
  parser.on('error', (error) => report(error.message));
  parser.on('doctype', () => report('a DOCTYPE is not allowed'));
  parser.on('opentag', (tag: SaxesTagNS) => {
    const parent = open.at(-1);
    const element: XmlElement = {
      name: tag.local,
      namespace: tag.uri,
      attributes: Object.fromEntries(Object.values(tag.attributes).map((a) => [a.local, a.value])),
      children: [],
      text: '',
      line: parser.line,
      path: parent ? `${parent.path}/${tag.local}` : tag.local,
    };
    if (parent) parent.children.push(element);
    else root = element;
    open.push(element);
  });
  const addText = (text: string): void => {
    const current = open.at(-1);
    if (current) current.text += text;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    lastClosed = open.pop();
  });

  try {
    parser.write(xml).close();
  } catch (error) {
    report(error instanceof Error ? error.message : String(error));
  }
  if (problem) {
    const where = problem.path ? ` inside ${problem.path}` : '';
    throw malformed(what, `line ${problem.line}, column ${problem.column}${where}: ${problem.message}`, {
      line: problem.line,
      column: problem.column,
      path: problem.path,
    });
  }
  if (!root) throw malformed(what, 'the document has no root element');
  return root;
}

export function malformed(what: string, message: string, details?: Record<string, unknown>): AppError {
  return new AppError(`invalid_${what.replace(/\W/g, '')}`, 400, `${what} is not readable: ${message}`, {
    field: 'xml',
    ...(details ? { details } : {}),
  });
}

/** The first child with that local name. */
export function child(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return element?.children.find((c) => c.name === name);
}

/** Every child with that local name. */
export function children(element: XmlElement | undefined, name: string): XmlElement[] {
  return element?.children.filter((c) => c.name === name) ?? [];
}

/** Trimmed text of the element at a child path (`child(e, 'Rsn', 'Cd')`), null when absent or empty. */
export function textAt(element: XmlElement | undefined, ...names: string[]): string | null {
  let current = element;
  for (const name of names) current = child(current, name);
  const text = current?.text.trim();
  return text ? text : null;
}

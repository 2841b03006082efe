import { SaxesParser, type SaxesTagNS } from 'saxes';
import type { XmlElement } from '../iso20022/xml-tree.js';
import { StatementReadError } from './statement-error.js';

/**
 * Streaming XML in pieces: saxes reads the text as it comes, and only the subtrees a caller asks for
 * (a group header, a balance, one entry) are built as small element trees, handed over complete and
 * then dropped. A 100 000-entry statement is thus never in memory at once — only the entry being
 * read. Elements are known by local name whatever the prefix; each carries a path with 1-based
 * positions for the elements that repeat (`Document/BkToCstmrStmt/Stmt[2]/Ntry[14]/Amt`) so an error
 * points at one spot in a large file. saxes never fetches or expands anything external, and a
 * DOCTYPE is refused, so no entity tricks.
 */

export interface OpenedElement {
  name: string;
  namespace: string;
  attributes: Record<string, string>;
  path: string;
  /** 1 for the root. */
  depth: number;
  line: number;
}

/** What to do with an element outside any collected subtree: build it whole, look inside it, or pass over it. */
export type OpenDecision = 'collect' | 'descend' | 'skip';

export interface SubtreeHandlers {
  open(element: OpenedElement): OpenDecision;
  /** A collected subtree, complete. */
  collected(element: XmlElement, depth: number): void;
  /** A descended element's end tag. */
  close(element: OpenedElement): void;
  /** An XML error the caller may accept (returns true, having noted a warning) rather than refuse. */
  tolerate(message: string, line: number): boolean;
}

interface Frame {
  opened: OpenedElement;
  mode: OpenDecision;
  /** Set while inside a collected subtree. */
  element: XmlElement | undefined;
  isSubtreeRoot: boolean;
  /** Children seen so far by name, for the positions in paths. */
  counts: Map<string, number> | undefined;
}

export class XmlSubtreeStream {
  /** Names the document in errors; the caller sharpens it once the message type is known. */
  label: string;
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  private readonly stack: Frame[] = [];
  private lastClosed: Frame | undefined;

  constructor(
    label: string,
    private readonly handlers: SubtreeHandlers,
    /** Elements whose position is written in paths (those the schema lets repeat). */
    private readonly indexed: ReadonlySet<string>,
  ) {
    this.label = label;
    this.parser.on('error', (error) => this.fail(error.message));
    this.parser.on('doctype', () => this.fail('a DOCTYPE is not allowed'));
    this.parser.on('opentag', (tag) => this.openTag(tag));
    this.parser.on('text', (text) => this.addText(text));
    this.parser.on('cdata', (text) => this.addText(text));
    this.parser.on('closetag', () => this.closeTag());
  }

  write(text: string): void {
    this.parser.write(text);
  }

  /** The end of the document: an unclosed element or no root at all is an error here. */
  close(): void {
    this.parser.close();
  }

  private openTag(tag: SaxesTagNS): void {
    const parent = this.stack.at(-1);
    const name = tag.local;
    let path = name;
    if (parent) {
      parent.counts ??= new Map();
      const position = (parent.counts.get(name) ?? 0) + 1;
      parent.counts.set(name, position);
      path = `${parent.opened.path}/${name}${this.indexed.has(name) ? `[${position}]` : ''}`;
    }
    const opened: OpenedElement = {
      name,
      namespace: tag.uri,
      attributes: attributesOf(tag),
      path,
      depth: this.stack.length + 1,
      line: this.parser.line,
    };
    if (parent?.mode === 'collect') {
      const element = toElement(opened);
      parent.element!.children.push(element);
      this.stack.push({ opened, mode: 'collect', element, isSubtreeRoot: false, counts: undefined });
      return;
    }
    if (parent?.mode === 'skip') {
      this.stack.push({ opened, mode: 'skip', element: undefined, isSubtreeRoot: false, counts: undefined });
      return;
    }
    const mode = this.handlers.open(opened);
    const element = mode === 'collect' ? toElement(opened) : undefined;
    this.stack.push({ opened, mode, element, isSubtreeRoot: mode === 'collect', counts: undefined });
  }

  private addText(text: string): void {
    const element = this.stack.at(-1)?.element;
    if (element) element.text += text;
  }

  private closeTag(): void {
    const frame = this.stack.pop();
    if (!frame) return;
    this.lastClosed = frame;
    if (frame.isSubtreeRoot) this.handlers.collected(frame.element!, frame.opened.depth);
    else if (frame.mode === 'descend') this.handlers.close(frame.opened);
  }

  private fail(raw: string): void {
    // saxes prefixes its messages with "line:column: "; the error gives the position itself.
    let message = raw.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
    if (this.handlers.tolerate(message, this.parser.line)) return;
    let path = this.stack.at(-1)?.opened.path ?? null;
    // On a mismatched end tag saxes has already closed the element it expected: name that one.
    if (message.startsWith('unexpected close tag') && this.lastClosed) {
      message = `the end tag does not match <${this.lastClosed.opened.name}>`;
      path = this.lastClosed.opened.path;
    }
    throw new StatementReadError(this.label, message, {
      path,
      line: this.parser.line,
      column: this.parser.column + 1,
    });
  }
}

/** Most elements have none: one shared empty record spares an object per element. */
const NO_ATTRIBUTES: Record<string, string> = Object.freeze({});

function attributesOf(tag: SaxesTagNS): Record<string, string> {
  let attributes = NO_ATTRIBUTES;
  for (const name in tag.attributes) {
    const attribute = tag.attributes[name]!;
    if (attributes === NO_ATTRIBUTES) attributes = {};
    attributes[attribute.local] = attribute.value;
  }
  return attributes;
}

function toElement(opened: OpenedElement): XmlElement {
  return {
    name: opened.name,
    namespace: opened.namespace,
    attributes: opened.attributes,
    children: [],
    text: '',
    line: opened.line,
    path: opened.path,
  };
}

import { messageOfNamespace } from '../iso20022/messages.js';
import type { XmlElement } from '../iso20022/xml-tree.js';
import { readEntry } from './camt-entry.js';
import { type GroupHeader, readGroupHeader, readStatementHeader } from './camt-header.js';
import { type CamtContext, fail, folded } from './camt-values.js';
import { StatementReadError } from './statement-error.js';
import { StatementCollector } from './statement-events.js';
import type { BankStatement, StatementEvent, StatementFormat, StatementHeader } from './statement-types.js';
import { type StatementSource, textChunks } from './text-source.js';
import { type OpenDecision, type OpenedElement, XmlSubtreeStream } from './xml-subtrees.js';

/**
 * Reads camt.052 (account report, intraday), camt.053 (statement, end of day) and camt.054
 * (debit/credit notification) — any version, and banks' own namespaces, since it goes by local
 * element names; the namespace and version found are recorded on each statement. The file is
 * streamed: statement headers and entries are yielded one at a time as the text arrives, and only
 * the entry being read is held, so a statement of any size is read in bounded memory.
 */

/** The message element under Document, and what it holds per format. */
const MESSAGES: Record<string, { format: StatementFormat; statement: string; pagination: string; additional: string }> =
  {
    BkToCstmrAcctRpt: { format: 'camt.052', statement: 'Rpt', pagination: 'RptPgntn', additional: 'AddtlRptInf' },
    BkToCstmrStmt: { format: 'camt.053', statement: 'Stmt', pagination: 'StmtPgntn', additional: 'AddtlStmtInf' },
    BkToCstmrDbtCdtNtfctn: {
      format: 'camt.054',
      statement: 'Ntfctn',
      pagination: 'NtfctnPgntn',
      additional: 'AddtlNtfctnInf',
    },
  };

/** The versions whose shapes this reader was written against (ISO 20022 editions 2009 to 2019+). */
const KNOWN_VERSION = /^camt\.05[234]\.001\.(0[2-9]|10)$/;

/** Elements that repeat, written with their position in paths. */
const INDEXED = new Set(['Stmt', 'Rpt', 'Ntfctn', 'Bal', 'Ntry', 'TxDtls', 'Chrgs', 'Rcrd', 'Ustrd', 'Strd']);

interface OpenStatement {
  index: number;
  element: OpenedElement;
  /** The statement's children before its first entry, held until the header is complete. */
  parts: XmlElement[];
  header: StatementHeader | null;
  entryCount: number;
  creditCount: number;
  debitCount: number;
  additionalInfo: string | null;
}

/**
 * The push side of the reader: text goes in by `write`, events come out through `emit` as soon as
 * each is complete. `readCamt` and `readCamtWhole` drive it; it is exported for callers that are
 * themselves push-based (a parser fed by a socket).
 */
export class CamtPushReader {
  private readonly stream: XmlSubtreeStream;
  private message: (typeof MESSAGES)[string] | null = null;
  private namespace: string | null = null;
  private version: string | null = null;
  /** Warnings about the document as a whole, repeated on every statement so each stands alone. */
  private readonly documentWarnings: string[] = [];
  private group: GroupHeader | null = null;
  private statement: OpenStatement | null = null;
  private statementCount = 0;

  constructor(private readonly emit: (event: StatementEvent) => void) {
    this.stream = new XmlSubtreeStream(
      'camt',
      {
        open: (element) => this.open(element),
        collected: (element, depth) => this.collected(element, depth),
        close: (element) => this.closed(element),
        tolerate: (message, line) => this.tolerate(message, line),
      },
      INDEXED,
    );
  }

  write(text: string): void {
    this.stream.write(text);
  }

  close(): void {
    this.stream.close();
  }

  private get format(): string {
    return this.message?.format ?? 'camt';
  }

  private context(warnings: string[] = []): CamtContext {
    return { format: this.format, warnings };
  }

  private open(element: OpenedElement): OpenDecision {
    switch (element.depth) {
      case 1:
        this.openDocument(element);
        return 'descend';
      case 2:
        this.openMessage(element);
        return 'descend';
      case 3:
        if (element.name === 'GrpHdr') return 'collect';
        if (element.name === this.message!.statement) {
          this.openStatement(element);
          return 'descend';
        }
        return 'skip';
      default:
        // Depth 4: a statement's children; each is read whole (an entry is the largest).
        return 'collect';
    }
  }

  private openDocument(element: OpenedElement): void {
    if (element.name !== 'Document') {
      fail(this.context(), element.path, `the root element is ${element.name}; a camt statement has Document`);
    }
    this.namespace = element.namespace || null;
    if (this.namespace) {
      this.version = messageOfNamespace(this.namespace);
      return;
    }
    // Seen in the wild: the namespace written as an attribute "Xmlns", which XML takes as an
    // ordinary attribute; it still tells the version.
    const declared = Object.entries(element.attributes).find(([name]) => name.toLowerCase() === 'xmlns')?.[1];
    this.version = declared ? messageOfNamespace(declared) : null;
    this.documentWarnings.push(
      declared
        ? `Document has no namespace (it has an attribute "${declared}" that looks like one)`
        : 'Document has no namespace',
    );
  }

  private openMessage(element: OpenedElement): void {
    const message = MESSAGES[element.name];
    if (!message) {
      const named = this.version ? ` (the namespace names ${this.version})` : '';
      fail(
        this.context(),
        element.path,
        `Document holds ${element.name}${named}; a camt.052, camt.053 or camt.054 holds BkToCstmrAcctRpt, BkToCstmrStmt or BkToCstmrDbtCdtNtfctn`,
      );
    }
    this.message = message;
    this.stream.label = message.format;
    if (this.version !== null && !this.version.startsWith(`${message.format}.`)) {
      fail(
        this.context(),
        element.path,
        `the namespace names ${this.version}, but the document holds ${message.format}`,
      );
    }
    if (this.version !== null && !KNOWN_VERSION.test(this.version)) {
      this.documentWarnings.push(
        `${this.version} is not a version from .02 to .10; it was read by element names anyway`,
      );
    }
  }

  private openStatement(element: OpenedElement): void {
    if (!this.group) {
      fail(
        this.context(),
        element.path.replace(/\/[^/]+$/, '/GrpHdr'),
        `is missing (it must come before ${element.name})`,
      );
    }
    this.statement = {
      index: this.statementCount++,
      element,
      parts: [],
      header: null,
      entryCount: 0,
      creditCount: 0,
      debitCount: 0,
      additionalInfo: null,
    };
  }

  private collected(element: XmlElement, depth: number): void {
    if (depth === 3) {
      // Only GrpHdr is collected at this depth.
      this.group = readGroupHeader(this.context(), element);
      return;
    }
    const statement = this.statement!;
    if (element.name === 'Ntry') {
      const header = this.headerOf(statement);
      const entry = readEntry(this.format, element, statement.entryCount++);
      if (entry.creditDebit === 'CRDT') statement.creditCount++;
      else statement.debitCount++;
      const accountCurrency = header.account.currency;
      if (accountCurrency && entry.amount.currency !== accountCurrency) {
        entry.warnings.push(`${element.path}/Amt is in ${entry.amount.currency}, the account in ${accountCurrency}`);
      }
      this.emit({ kind: 'entry', statementIndex: header.index, entry });
    } else if (!statement.header) {
      statement.parts.push(element);
    } else if (element.name === this.message!.additional) {
      statement.additionalInfo = folded(element.text);
    }
  }

  private closed(element: OpenedElement): void {
    if (element.depth === 3 && this.statement) {
      const statement = this.statement;
      const header = this.headerOf(statement);
      this.emit({
        kind: 'statementEnd',
        statementIndex: statement.index,
        entryCount: statement.entryCount,
        additionalInfo: statement.additionalInfo,
        warnings: summaryMismatches(header, statement),
      });
      this.statement = null;
    } else if (element.depth === 2 && this.statementCount === 0) {
      fail(this.context(), element.path, `holds no ${this.message!.statement}`);
    }
  }

  /** The statement's header, read and emitted the first time it is needed (its first entry, or its end). */
  private headerOf(statement: OpenStatement): StatementHeader {
    if (statement.header) return statement.header;
    const additional = statement.parts.find((p) => p.name === this.message!.additional);
    statement.additionalInfo = additional ? folded(additional.text) : null;
    const element: XmlElement = {
      name: statement.element.name,
      namespace: statement.element.namespace,
      attributes: statement.element.attributes,
      children: statement.parts,
      text: '',
      line: statement.element.line,
      path: statement.element.path,
    };
    statement.header = readStatementHeader(this.context([...this.documentWarnings]), element, {
      format: this.message!.format,
      namespace: this.namespace,
      version: this.version,
      group: this.group!,
      index: statement.index,
      paginationName: this.message!.pagination,
    });
    statement.parts = [];
    this.emit({ kind: 'statement', statement: statement.header });
    return statement.header;
  }

  /** Banks' files break XML in one harmless way often enough (ING's sample among them) to accept it. */
  private tolerate(message: string, line: number): boolean {
    if (message !== 'no whitespace between attributes') return false;
    this.documentWarnings.push(`line ${line}: no whitespace between attributes (read anyway)`);
    return true;
  }
}

/**
 * The entry counts of TxsSummry against the entries read: a difference means the bank's file is
 * incomplete or its summary wrong, which whoever imports it should see. (The sums are not compared:
 * the summary gives them without a currency, and banks add up entries of several currencies.)
 */
function summaryMismatches(header: StatementHeader, statement: OpenStatement): string[] {
  const summary = header.summary;
  if (!summary) return [];
  const checks: [string, number | null, number, string][] = [
    ['TtlNtries/NbOfNtries', summary.entryCount, statement.entryCount, 'entries'],
    ['TtlCdtNtries/NbOfNtries', summary.creditCount, statement.creditCount, 'credit entries'],
    ['TtlDbtNtries/NbOfNtries', summary.debitCount, statement.debitCount, 'debit entries'],
  ];
  return checks
    .filter(([, said, read]) => said !== null && said !== read)
    .map(
      ([name, said, read, what]) => `${header.path}/TxsSummry/${name} says ${said}, the statement has ${read} ${what}`,
    );
}

/**
 * Streams a camt file: yields each statement's header, then its entries one by one, then its end,
 * as the source is read. The source is pulled only as fast as the caller takes events, so memory
 * stays bounded whatever the file's size. A malformed file throws a StatementReadError naming the
 * element path; events already yielded then belong to a file that failed and must not be kept.
 */
export async function* readCamt(source: StatementSource): AsyncGenerator<StatementEvent> {
  const events: StatementEvent[] = [];
  const reader = new CamtPushReader((event) => events.push(event));
  // Events completed before an error are still yielded, so what a caller sees does not depend on
  // where the pieces were cut.
  const step = function* (action: () => void): Generator<StatementEvent> {
    try {
      action();
    } finally {
      yield* drain(events);
    }
  };
  for await (const text of textChunks(source, 'camt')) yield* step(() => reader.write(text));
  yield* step(() => reader.close());
}

function* drain(events: StatementEvent[]): Generator<StatementEvent> {
  // Taken out before yielding: the caller may take its time, and the queue must not hold them.
  const batch = events.splice(0, events.length);
  yield* batch;
}

/** Reads a whole camt document held in memory (small files, tests). */
export function readCamtWhole(xml: string): BankStatement[] {
  if (typeof xml !== 'string') throw new StatementReadError('camt', 'the document must be a string');
  const collector = new StatementCollector();
  const reader = new CamtPushReader((event) => collector.add(event));
  reader.write(xml.replace(/^\uFEFF/, ''));
  reader.close();
  return collector.statements;
}

import { SaxesParser } from 'saxes';
import { messageOfNamespace } from '../iso20022/messages.js';
import { StatementReadError } from './statement-error.js';
import type { StatementFormat } from './statement-types.js';

/**
 * Which statement format a file is, from its content alone (an upload's content type or file name
 * says little): for XML the Document's namespace and its message element, for MT940 the SWIFT
 * blocks and tags. Needs only the beginning of a file.
 */
export interface DetectedFormat {
  format: StatementFormat;
  /** `camt.053.001.02` when the namespace names it; null for MT940 or a file without one. */
  version: string | null;
  namespace: string | null;
}

const CAMT_MESSAGES: Record<string, StatementFormat> = {
  BkToCstmrAcctRpt: 'camt.052',
  BkToCstmrStmt: 'camt.053',
  BkToCstmrDbtCdtNtfctn: 'camt.054',
};

/** Recognises the format of a whole file or of its beginning (a few kilobytes are enough); an unknown one is a StatementReadError. */
export function detectStatementFormat(content: string): DetectedFormat {
  return sniffStatementFormat(content, true)!;
}

/**
 * The same on a beginning that may be too short to tell: null means "give me more", which is only
 * answered while `complete` is false (more of the file may follow).
 */
export function sniffStatementFormat(content: string, complete: boolean): DetectedFormat | null {
  const text = content.replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) return sniffXml(text, complete);
  if (!complete && text.length < 512 && !text.includes('\n')) return null;
  if (/^(\{1:|:20:)/.test(text) || (/^:20:/m.test(text) && /^:25:/m.test(text))) {
    // MT942 (interim transaction report) shares the tags but not the balances MT940 must have.
    if (/\{2:[IO]942/.test(text) || /^:34F:/m.test(text)) {
      throw new StatementReadError(
        'statement',
        'an MT942 interim transaction report is not read; send MT940 or camt.052',
      );
    }
    return { format: 'mt940', version: null, namespace: null };
  }
  if (!complete && text.length < 512) return null;
  throw unknown(text);
}

function sniffXml(text: string, complete: boolean): DetectedFormat | null {
  const elements: { name: string; uri: string }[] = [];
  let problem: string | null = null;
  const parser = new SaxesParser({ xmlns: true });
  parser.on('opentag', (tag) => {
    elements.push({ name: tag.local, uri: tag.uri });
  });
  parser.on('error', (error) => {
    // Harmless in banks' files (see the camt reader); anything else ends the look.
    if (!error.message.includes('no whitespace between attributes')) problem ??= error.message;
  });
  try {
    parser.write(text.slice(0, 64 * 1024));
    if (complete) parser.close();
  } catch (error) {
    problem ??= error instanceof Error ? error.message : String(error);
  }
  const [root, message] = elements;
  if (root && message) {
    const format = root.name === 'Document' ? CAMT_MESSAGES[message.name] : undefined;
    const namespace = root.uri || null;
    const version = namespace ? messageOfNamespace(namespace) : null;
    if (format) return { format, version, namespace };
    throw new StatementReadError(
      'statement',
      `an XML document with ${root.name}/${message.name}${version ? ` (${version})` : ''} is not a bank statement; camt.052, camt.053 and camt.054 are read`,
    );
  }
  if (problem && elements.length < 2) {
    throw new StatementReadError('statement', `the XML is not well-formed: ${problem.replace(/^\d+:\d+: /, '')}`);
  }
  if (!complete && text.length < 64 * 1024) return null;
  throw new StatementReadError(
    'statement',
    root
      ? `an XML document with root ${root.name} is not a bank statement; camt.052, camt.053 and camt.054 are read`
      : 'the XML document has no root element',
  );
}

function unknown(text: string): StatementReadError {
  const start = JSON.stringify(text.slice(0, 40));
  return new StatementReadError(
    'statement',
    `the file is neither ISO 20022 camt XML nor MT940 (it starts with ${start})`,
  );
}

import { readFile } from 'node:fs/promises';
import { memoryPages, validateXML } from 'xmllint-wasm';
import { schemaFileOf, type SchemaMessage } from './messages.js';

/**
 * XML Schema validation with libxml2 (xmllint compiled to WebAssembly, run in a worker thread, so a
 * crash or exit inside it cannot take the server down). The schema files are read once per process;
 * xmllint-wasm starts a fresh xmllint for every call and has no way to keep a compiled schema, so
 * validate many documents in one call (`validateManyAgainstXsd`) to compile the schema once for all.
 */
export interface XsdValidationResult {
  valid: boolean;
  /** One line per problem: `line 64: Element 'StrtNm': This element is not expected. …`. */
  errors: string[];
}

// The xsd folder sits beside this file in src/ (tsx) and in dist/ (copied by scripts/copy-assets.mjs).
const XSD_DIR = new URL('./xsd/', import.meta.url);

const schemaTexts = new Map<SchemaMessage, Promise<string>>();

function schemaText(message: SchemaMessage): Promise<string> {
  let text = schemaTexts.get(message);
  if (!text) {
    text = readFile(new URL(schemaFileOf(message), XSD_DIR), 'utf8');
    // A failed read is not cached: the next call tries again.
    text.catch(() => schemaTexts.delete(message));
    schemaTexts.set(message, text);
  }
  return text;
}

/** Validates one document against the shipped schema of `message`. */
export async function validateAgainstXsd(xml: string, message: SchemaMessage): Promise<XsdValidationResult> {
  const [result] = await validateManyAgainstXsd([xml], message);
  return result!;
}

/** Validates several documents against one schema in a single xmllint run; results in input order. */
export async function validateManyAgainstXsd(
  xmls: readonly string[],
  message: SchemaMessage,
): Promise<XsdValidationResult[]> {
  if (xmls.length === 0) return [];
  const schema = await schemaText(message);
  // Our own file names, so every output line can be told apart by the document it is about.
  const names = xmls.map((_, i) => `document-${i + 1}.xml`);
  const output = await validateXML({
    xml: xmls.map((contents, i) => ({ fileName: names[i]!, contents })),
    schema: [{ fileName: schemaFileOf(message), contents: schema }],
    // Statements run to megabytes; the default 32 MiB ceiling is too low for the largest.
    maxMemoryPages: 1024 * memoryPages.MiB,
  });
  return splitOutput(output.rawOutput, names);
}

/** Cuts xmllint's combined output into the errors of each document. */
function splitOutput(rawOutput: string, names: readonly string[]): XsdValidationResult[] {
  const results = names.map(() => ({ valid: true, errors: [] as string[] }));
  const indexOf = new Map(names.map((name, i) => [name, i]));
  for (const line of rawOutput.split('\n')) {
    const located = /^(document-\d+\.xml):(\d+): (.*)$/.exec(line);
    if (located && indexOf.has(located[1]!)) {
      const result = results[indexOf.get(located[1]!)!]!;
      result.valid = false;
      result.errors.push(`line ${located[2]}: ${readable(located[3]!)}`);
      continue;
    }
    const failed = /^(document-\d+\.xml) fails to validate$/.exec(line);
    if (failed && indexOf.has(failed[1]!)) {
      const result = results[indexOf.get(failed[1]!)!]!;
      result.valid = false;
      if (result.errors.length === 0) result.errors.push('the document fails to validate');
    }
    // Anything else is context xmllint prints under a parser error (the source line and a caret).
  }
  return results;
}

/** Drops xmllint's category prefix and the `{namespace}` before every element name. */
function readable(message: string): string {
  return message.replace(/^Schemas validity error : /, '').replace(/\{[^{}'\s]+\}(?=\w)/g, '');
}

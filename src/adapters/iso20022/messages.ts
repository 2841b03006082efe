/**
 * The ISO 20022 messages finflow writes or reads, and the schema file (in ./xsd, shipped to dist/ by
 * scripts/copy-assets.mjs) each is validated against.
 */
export const PAIN001_VERSIONS = ['pain.001.001.03', 'pain.001.001.09', 'pain.001.001.10'] as const;
export type Pain001Version = (typeof PAIN001_VERSIONS)[number];

const SCHEMA_FILES = {
  // The German banking industry's (DK) SEPA variant of the 2009 edition: narrower than ISO's own .03.
  'pain.001.001.03': 'pain.001.001.03.xsd',
  'pain.001.001.09': 'pain.001.001.09.xsd',
  'pain.001.001.10': 'pain.001.001.10_1.xsd',
  'pain.002.001.10': 'pain.002.001.10.xsd',
  'pain.002.001.11': 'pain.002.001.11.xsd',
  'camt.052.001.02': 'camt.052.001.02.xsd',
  'camt.052.001.04': 'camt.052.001.04.xsd',
  'camt.052.001.08': 'camt.052.001.08.xsd',
  'camt.053.001.02': 'camt.053.001.02.xsd',
  'camt.053.001.04': 'camt.053.001.04.xsd',
  'camt.053.001.08': 'camt.053.001.08.xsd',
  'camt.054.001.02': 'camt.054.001.02.xsd',
  'camt.054.001.04': 'camt.054.001.04.xsd',
  'camt.054.001.08': 'camt.054.001.08.xsd',
} as const;

/** A message version a schema ships for. */
export type SchemaMessage = keyof typeof SCHEMA_FILES;

export const SCHEMA_MESSAGES = Object.keys(SCHEMA_FILES) as SchemaMessage[];

export function schemaFileOf(message: SchemaMessage): string {
  return SCHEMA_FILES[message];
}

export function isSchemaMessage(message: string): message is SchemaMessage {
  return Object.hasOwn(SCHEMA_FILES, message);
}

/** The namespace a message version's document element lives in. */
export function namespaceOf(message: string): string {
  return `urn:iso:std:iso:20022:tech:xsd:${message}`;
}

/**
 * The message version a namespace names: ISO's (`urn:iso:std:iso:20022:tech:xsd:pain.002.001.03`) or a
 * bank community's own that embeds it (`http://www.six-interbank-clearing.com/de/pain.002.001.03.ch.02.xsd`).
 */
export function messageOfNamespace(namespace: string): string | null {
  return /\b([a-z]{4}\.\d{3}\.\d{3}\.\d{2})\b/.exec(namespace)?.[1] ?? null;
}

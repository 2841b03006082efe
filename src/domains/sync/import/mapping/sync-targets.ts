import type { ImportKind, ValueType } from './mapping-types.js';

/** The sync rows' fields, per kind: what a mapping may fill, of which type, and what it must fill. */

export interface TargetSpec {
  /** `any`: metadata values, of whatever type the mapping says (string by default). */
  type: ValueType | 'any';
  required?: boolean;
  /** The only values allowed (an enum). */
  values?: readonly string[];
  /** Holds an ISO 4217 code (checked, and usable as an amount's currencyField). */
  currencyCode?: boolean;
  /** An object whose fields are mapped one by one (`address.city`). */
  children?: Record<string, TargetSpec>;
  /** An object with free keys at any depth (`metadata.branch`). */
  open?: boolean;
}

const text: TargetSpec = { type: 'string' };
const requiredText: TargetSpec = { type: 'string', required: true };
const date: TargetSpec = { type: 'date' };
const amount: TargetSpec = { type: 'amount' };
const currency: TargetSpec = { type: 'string', currencyCode: true };

export const SYNC_TARGETS: Record<ImportKind, Record<string, TargetSpec>> = {
  customers: {
    externalId: requiredText,
    // Required for a new customer only: a file may update some fields of existing ones.
    name: text,
    email: text,
    phone: text,
    address: {
      type: 'any',
      children: { line1: text, line2: text, city: text, postalCode: text, region: text, country: text },
    },
    language: text,
    timeZone: text,
    segment: text,
    riskRating: text,
    creditLimit: amount,
    limitCurrency: currency,
    metadata: { type: 'any', open: true },
  },
  receivables: {
    externalId: requiredText,
    customerExternalId: requiredText,
    kind: { type: 'string', required: true, values: ['invoice', 'loan'] },
    currency: { ...currency, required: true },
    issueDate: { type: 'date', required: true },
    amount,
    dueDate: date,
    paymentTerms: text,
    principal: amount,
    annualRate: { type: 'decimal' },
    termMonths: { type: 'integer' },
    method: { type: 'string', values: ['annuity', 'equal_principal'] },
    firstDueDate: date,
    fees: { type: 'any', children: { upfront: amount, perInstallment: amount } },
    metadata: { type: 'any', open: true },
  },
  payments: {
    externalId: requiredText,
    receivableExternalId: requiredText,
    amount: { type: 'amount', required: true },
    currency: { ...currency, required: true },
    receivedOn: { type: 'date', required: true },
  },
};

/** The field an amount takes its currency from when the mapping names none. */
export const CURRENCY_FIELD: Record<ImportKind, string> = {
  customers: 'limitCurrency',
  receivables: 'currency',
  payments: 'currency',
};

/** Finds a target field's spec: `address.city` through children, `metadata.x.y` in an open object. */
export function targetSpec(kind: ImportKind, target: string): TargetSpec | string {
  const [head, ...rest] = target.split('.');
  const top = SYNC_TARGETS[kind][head!];
  const known = Object.keys(SYNC_TARGETS[kind]).join(', ');
  if (!top) return `${kind} have no field ${head}; their fields are ${known}`;
  if (rest.length === 0) {
    if (top.children)
      return `${head} is an object: map its fields (${head}.${Object.keys(top.children).join(`, ${head}.`)})`;
    if (top.open) return `${head} is an object: map its keys as ${head}.<key>`;
    return top;
  }
  if (top.open) return rest.every((part) => part !== '') ? { type: 'any' } : `${target} is not a field name`;
  const child = rest.length === 1 ? top.children?.[rest[0]!] : undefined;
  if (!child) {
    return top.children
      ? `${head} has no field ${rest.join('.')}; its fields are ${Object.keys(top.children).join(', ')}`
      : `${head} is not an object`;
  }
  return child;
}

/** A target type in words, for the message when a mapping names another type. */
export function describeType(type: ValueType): string {
  switch (type) {
    case 'amount':
      return 'an amount (a string of minor units)';
    case 'date':
      return 'a date';
    case 'decimal':
      return 'a decimal';
    case 'integer':
      return 'a whole number';
    case 'boolean':
      return 'a yes/no value';
    case 'string':
      return 'text';
  }
}

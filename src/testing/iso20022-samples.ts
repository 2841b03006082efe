import type { Pain001Batch, PaymentInformation } from '../adapters/iso20022/index.js';
import { parseXmlTree, type XmlElement } from '../adapters/iso20022/xml-tree.js';

/** Test data for the ISO 20022 adapter: valid IBANs and creditor references, and sample batches. */

/** ISO 7064 MOD 97-10, as IBANs and RF references use it. */
function mod97(text: string): number {
  let rest = 0;
  for (const char of text) {
    const value = Number.parseInt(char, 36);
    rest = (value < 10 ? rest * 10 + value : rest * 100 + value) % 97;
  }
  return rest;
}

/** An IBAN with correct check digits for a country and BBAN (`makeIban('DE', '370400440532013000')`). */
export function makeIban(country: string, bban: string): string {
  const check = 98 - mod97(`${bban}${country}00`);
  return `${country}${String(check).padStart(2, '0')}${bban}`;
}

/** An ISO 11649 creditor reference with correct check digits around `reference`. */
export function makeCreditorReference(reference: string): string {
  const check = 98 - mod97(`${reference}RF00`);
  return `RF${String(check).padStart(2, '0')}${reference}`;
}

export const DEBTOR_IBAN = 'DE89370400440532013000';
export const CREDITOR_IBAN = 'ES9121000418450200051332';
export const FRENCH_IBAN = 'FR1420041010050500013M02606';

export function sepaBlock(overrides: Partial<PaymentInformation> = {}): PaymentInformation {
  return {
    debtor: { name: 'Finflow Demo GmbH', account: { iban: DEBTOR_IBAN }, agent: { bic: 'COBADEFFXXX' } },
    requestedExecutionDate: '2025-03-03',
    batchBooking: true,
    sepa: true,
    transactions: [
      {
        endToEndId: 'E2E-0001',
        amount: 12_345n,
        currency: 'EUR',
        creditor: { name: 'Dael Muniz', account: { iban: CREDITOR_IBAN }, agent: { bic: 'BBVAESMMXXX' } },
        remittance: { unstructured: 'Invoice 2025-001' },
      },
    ],
    ...overrides,
  };
}

export function batchOf(...blocks: PaymentInformation[]): Pain001Batch {
  return {
    messageId: 'MSG-2025-03-01-0001',
    createdAt: new Date('2025-03-01T10:15:30.250Z'),
    initiatingPartyName: 'Finflow Demo GmbH',
    paymentInformation: blocks,
  };
}

/** The text of every element with that local name, in document order. */
export function textsOf(xml: string, name: string): string[] {
  const found: string[] = [];
  const walk = (element: XmlElement): void => {
    if (element.name === name) found.push(element.text);
    element.children.forEach(walk);
  };
  walk(parseXmlTree(xml, 'test document'));
  return found;
}

/** Every element with that local name, in document order. */
export function elementsOf(xml: string, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (element: XmlElement): void => {
    if (element.name === name) found.push(element);
    element.children.forEach(walk);
  };
  walk(parseXmlTree(xml, 'test document'));
  return found;
}

/**
 * The part of mt940js (1.3.x, which ships no types) that the MT940 reader uses. Its amounts are
 * JavaScript numbers, so the reader takes amounts and dates from the tags' raw text (`tags`, kept by
 * `parse(text, true)`) and uses the library for splitting, grouping, validating the statements and
 * the :86: structure.
 */
declare module 'mt940js' {
  /** One tag as the library parsed it: `id` 20, 25, 28, 60, 61, 62, 64, 65, 86, 'NS' or 'MB' (message block). */
  export interface Mt940Tag {
    id: number | string;
    /** The tag's text after `:61:`, continuation lines joined with `\n`. */
    data: string;
    /** The pattern the library matched `data` with; re-run for the raw groups. */
    re: RegExp;
    fields: Record<string, unknown>;
  }

  export interface Mt940Transaction {
    /** Every :86: after the :61:, joined with `\n`. */
    details: string;
    /** Subfields when :86: is structured (`?20…` / `>20…` keyed by their digits, `/EREF/…` by name; `gvc` for a leading 3-digit code). */
    structuredDetails?: Record<string, string>;
  }

  export interface Mt940Statement {
    transactionReference: string;
    relatedReference: string;
    accountIdentification: string;
    number: { statement: string; sequence: string; section: string };
    informationToAccountOwner?: string;
    transactions: Mt940Transaction[];
    /** Present when parsed with `withTags`. */
    tags?: Mt940Tag[];
  }

  export class Parser {
    constructor(options?: { no86Structure?: boolean });
    /** Throws an Error naming the tag or statement group when the text is not valid MT940. */
    parse(data: string, withTags?: boolean): Mt940Statement[];
    /** Checks one statement's tags: required tags, one currency, opening + lines = closing (in floats). */
    protected _validateGroup(group: Mt940Tag[], index: number): void;
  }
}

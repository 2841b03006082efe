/** A cell that cannot be converted; the message starts with the quoted value. */
export class CellError extends Error {
  override readonly name = 'CellError';
}

/** A cell's text as messages quote it, cut to 60 characters. */
export const quoted = (text: string): string => JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);

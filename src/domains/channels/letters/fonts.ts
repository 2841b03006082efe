import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { create as openFont, type Font } from 'fontkit';

/**
 * The letter typeface: Noto Sans Hans (Noto Sans CJK, Simplified Chinese — GB2312's 6 763 hanzi
 * with Latin-1 and the usual punctuation, OFL-1.1), shipped as OTF files by the npm package
 * `@embedpdf/fonts-sc`. One face serves every locale, so an English, Spanish or Chinese letter has
 * the same look, and the PDF embeds (a subset of) its font, as print-and-mail providers require.
 */
export interface LetterFonts {
  /** Parsed once per process and shared by every document: parsing an 8 MB face takes ~0.4 s. */
  regular: Font;
  bold: Font;
  /** Whether the face has a glyph for this code point. */
  covers(codePoint: number): boolean;
}

const FONT_PACKAGE = '@embedpdf/fonts-sc';
const REGULAR = 'NotoSansHans-Regular.otf';
const BOLD = 'NotoSansHans-Bold.otf';

let loaded: LetterFonts | undefined;

/** Where the package keeps its OTF files (its exports map names only its index module). */
export function fontDirectory(): string {
  const entry = createRequire(import.meta.url).resolve(FONT_PACKAGE);
  return path.join(path.dirname(entry), '..', 'fonts');
}

/** Read once per process: the files are 8 MB each, and every letter embeds only the glyphs it uses. */
export function letterFonts(): LetterFonts {
  if (loaded) return loaded;
  const dir = fontDirectory();
  const open = (file: string) => openFont(readFileSync(path.join(dir, file))) as Font;
  const regular = open(REGULAR);
  const characters = new Set(regular.characterSet);
  loaded = { regular, bold: open(BOLD), covers: (codePoint) => characters.has(codePoint) };
  return loaded;
}

/** Stand-ins for letters the face lacks and whose decomposition does not help (Ł has none). */
const STAND_INS: Record<string, string> = { Ł: 'L', ł: 'l', Ø: 'O', ø: 'o', Đ: 'D', đ: 'd', Ħ: 'H', ħ: 'h' };

/**
 * Text the face can print: a no-break or narrow space (Intl puts U+202F in some amounts) becomes a
 * space; a letter the face lacks becomes its base letter (ő → o) or a stand-in; anything else `?`.
 * Nothing is dropped silently, so a line never loses a character without a trace.
 */
export function printable(text: string, fonts: Pick<LetterFonts, 'covers'> = letterFonts()): string {
  let out = '';
  for (const char of text.normalize('NFC')) {
    const code = char.codePointAt(0)!;
    if (char === '\n' || fonts.covers(code)) out += char;
    else if (/\p{Zs}/u.test(char)) out += ' ';
    else if (/[\p{Cc}\p{Cf}]/u.test(char))
      continue; // zero-width and control characters print nothing anyway
    else out += substitute(char, fonts);
  }
  return out;
}

function substitute(char: string, fonts: Pick<LetterFonts, 'covers'>): string {
  const stand = STAND_INS[char];
  if (stand) return stand;
  const base = char.normalize('NFD').replace(/\p{M}/gu, '');
  const usable = base !== '' && [...base].every((c) => fonts.covers(c.codePointAt(0)!));
  return usable ? base : '?';
}

import type { Font } from 'fontkit';
import PDFDocument from 'pdfkit';
import { letterFonts, printable } from './fonts.js';

/**
 * A letter as the print-and-mail provider gets it: an A4 PDF with the institution's name, the
 * recipient's name and postal address where a windowed envelope shows it (DIN 5008 / C5-C4 left
 * window), the date in the letter's language, the heading, and the body's paragraphs; every page
 * numbered. The font is embedded (subset), so the provider prints exactly what finflow rendered.
 *
 * The same input gives the same bytes: the PDF's dates and file id come from `date`, not the clock.
 */
export interface LetterLayout {
  /** BCP 47 tag of the letter's language (also the PDF's /Lang). */
  locale: string;
  institution: string;
  recipient: { name: string; lines: string[] };
  /** The date printed on the letter, already in the letter's language. */
  dateText: string;
  /** The letter's creation time: the PDF's CreationDate. */
  date: Date;
  heading: string;
  /**
   * Plain text: paragraphs separated by a blank line, a single newline breaks the line, a paragraph
   * whose lines all start with `- ` is a bulleted list, and `**…**` is bold.
   */
  body: string;
}

export interface RenderedLetter {
  pdf: Buffer;
  pages: number;
}

const MM = 72 / 25.4;
const A4 = { width: 210 * MM, height: 297 * MM };
const MARGIN = { left: 25 * MM, right: 20 * MM, top: 20 * MM, bottom: 25 * MM };
/** The address field of DIN 5008 form B, which C4/C5 windowed envelopes show: 45 mm from the top. */
const ADDRESS_TOP = 45 * MM;
const ADDRESS_WIDTH = 85 * MM;
const BODY_SIZE = 10.5;
const INK = '#1a1a1a';
const MUTED = '#555555';

export type Block = { kind: 'paragraph'; text: string } | { kind: 'list'; items: string[] };

/** The body's blocks: paragraphs and lists, blank lines between them. */
export function letterBlocks(body: string): Block[] {
  return body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) => block.replace(/^\n+|\s+$/g, ''))
    .filter((block) => block.trim() !== '')
    .map((block): Block => {
      const lines = block.split('\n');
      if (lines.every((line) => /^\s*[-*•] /.test(line))) {
        return { kind: 'list', items: lines.map((line) => line.replace(/^\s*[-*•] /, '').trim()) };
      }
      return { kind: 'paragraph', text: lines.map((line) => line.trim()).join('\n') };
    });
}

/** `**bold**` runs of a paragraph. */
function runs(text: string): Array<{ text: string; bold: boolean }> {
  return text
    .split(/\*\*(.+?)\*\*/s)
    .map((part, i) => ({ text: part, bold: i % 2 === 1 }))
    .filter((run) => run.text !== '');
}

/**
 * pdfkit (0.16 and later) takes an already parsed fontkit face wherever it takes a font file; its
 * type declarations only know file names and buffers.
 */
const fontSource = (face: Font) => face as unknown as string;

export async function renderLetterPdf(letter: LetterLayout): Promise<RenderedLetter> {
  const fonts = letterFonts();
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    pdfVersion: '1.7',
    lang: letter.locale,
    displayTitle: true,
    info: {
      Title: printable(letter.heading),
      Author: printable(letter.institution),
      Creator: 'finflow',
      Producer: 'finflow',
      CreationDate: letter.date,
    },
    // pdfkit's default font is Helvetica, which would sit unembedded in the file: start on ours.
    font: fontSource(fonts.regular),
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  doc.registerFont('regular', fontSource(fonts.regular));
  doc.registerFont('bold', fontSource(fonts.bold));

  const width = A4.width - MARGIN.left - MARGIN.right;
  const text = (value: string) => printable(value);

  // Letterhead: the institution, right-aligned above the address field.
  doc
    .font('bold')
    .fontSize(15)
    .fillColor(INK)
    .text(text(letter.institution), MARGIN.left, MARGIN.top, { width, align: 'right' });

  // The recipient, in the window.
  doc.font('regular').fontSize(11).fillColor(INK);
  doc.text(text([letter.recipient.name, ...letter.recipient.lines].join('\n')), MARGIN.left, ADDRESS_TOP, {
    width: ADDRESS_WIDTH,
    lineGap: 1.5,
  });

  // Date, right-aligned below the address field (it ends 90 mm from the top).
  doc
    .fontSize(BODY_SIZE)
    .fillColor(MUTED)
    .text(text(letter.dateText), MARGIN.left, Math.max(doc.y + 8 * MM, 95 * MM), { width, align: 'right' });

  // Heading.
  doc.moveDown(1.5);
  doc.font('bold').fontSize(12.5).fillColor(INK).text(text(letter.heading), MARGIN.left, doc.y, { width });
  doc.moveDown(0.9);

  for (const block of letterBlocks(letter.body)) {
    doc.font('regular').fontSize(BODY_SIZE).fillColor(INK);
    if (block.kind === 'list') {
      doc.list(
        block.items.map((item) => text(item.replace(/\*\*/g, ''))),
        MARGIN.left + 2 * MM,
        doc.y,
        { width: width - 2 * MM, bulletRadius: 1.6, textIndent: 5 * MM, lineGap: 2, paragraphGap: 3 },
      );
    } else {
      const parts = runs(block.text);
      parts.forEach((run, i) => {
        doc.font(run.bold ? 'bold' : 'regular');
        const options = { width, lineGap: 2.5, continued: i < parts.length - 1 };
        if (i === 0) doc.text(text(run.text), MARGIN.left, doc.y, options);
        else doc.text(text(run.text), options);
      });
    }
    doc.moveDown(0.75);
  }

  // Page numbers, in the bottom margin (lowered for the moment so writing there adds no page).
  const { start, count } = doc.bufferedPageRange();
  for (let page = start; page < start + count; page++) {
    doc.switchToPage(page);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('regular')
      .fontSize(8)
      .fillColor(MUTED)
      .text(`${text(letter.institution)} · ${page - start + 1}/${count}`, MARGIN.left, A4.height - 15 * MM, {
        width,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
  doc.flushPages();
  doc.end();
  await ended;
  return { pdf: Buffer.concat(chunks), pages: count };
}

import { convert as htmlToText } from 'html-to-text';
import { Liquid, Tag, type Context, type FS, type TagToken, type TopLevelToken } from 'liquidjs';
import { validationError } from '../../../core/errors.js';
import { isCurrency, minorUnitDigits } from '../../../core/money.js';
import { EMAIL_FOOTER, EMAIL_LAYOUT } from './email-layout.js';

/**
 * Templates are Liquid (liquidjs): logic-less enough for operations staff to edit safely — no code
 * runs, only own properties are visible — with the filters money messages need. HTML output escapes
 * every variable, so a customer named `<script>` stays text; text and SMS output does not escape.
 */
/** What liquidjs binds `this` to in a filter (not exported by the package). */
interface FilterImpl {
  context: Context;
}

/**
 * Templates have no file system. finflow stores no partials or layouts (the email layout is ours and
 * rendered separately), so the tags that load another template — `include`, `render`, `layout` —
 * are refused when a template is parsed: on save (400 naming the field) and again on every render,
 * so a stored template that bypassed the check still reads nothing.
 */
export const FILE_TAGS = ['include', 'render', 'layout'] as const;

/** Refuses at parse time: the error liquidjs reports names the tag, its line and its column. */
function refusedTag(name: string) {
  return class RefusedTag extends Tag {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
      super(token, remainTokens, liquid);
      throw new Error(`{% ${name} %} is not available: templates cannot load other templates or files`);
    }
    render(): never {
      throw new Error(`{% ${name} %} is not available`);
    }
  };
}

/**
 * Defence in depth: should any lookup still be attempted, liquidjs asks this file system, which knows
 * no files (not even the in-memory `templates` map, whose lookup would see `constructor`).
 */
export const NO_FILES: FS = {
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: (file) => Promise.reject(new Error(`templates cannot read files (${file})`)),
  readFileSync: (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_dir, file) => file,
  contains: () => Promise.resolve(false),
  containsSync: () => false,
  fallback: () => undefined,
};

/**
 * Limits against a template that loops forever or renders without end. A real message renders in
 * milliseconds from a body of at most 100 000 characters (subject, body and text, plus the layout).
 */
export const TEMPLATE_LIMITS = {
  /** Characters parsed in one parse() call. */
  parseLimit: 1_000_000,
  /** Milliseconds one render() call may take. */
  renderLimit: 500,
  /** Allocations counted by liquidjs (range sizes, string and array filters) in one render() call. */
  memoryLimit: 10_000_000,
} as const;

function engine(escape: boolean): Liquid {
  const liquid = new Liquid({
    strictFilters: true,
    ownPropertyOnly: true,
    fs: NO_FILES,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    ...TEMPLATE_LIMITS,
    ...(escape ? { outputEscape: 'escape' as const } : {}),
  });
  for (const name of FILE_TAGS) liquid.registerTag(name, refusedTag(name));
  liquid.registerFilter('money', function (this: FilterImpl, value: unknown, currency: unknown) {
    return formatMinorUnits(value, currency, localeOf(this));
  });
  liquid.registerFilter('localdate', function (this: FilterImpl, value: unknown) {
    return formatDate(value, localeOf(this));
  });
  return liquid;
}

const html = engine(true);
const text = engine(false);

/** liquidjs types its output `any`; rendering a template always gives text. */
function renderText(liquid: Liquid, source: string, scope: object): string {
  return String(liquid.parseAndRenderSync(source, scope));
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return value instanceof Date ? value.toISOString() : '';
}

function localeOf(filter: FilterImpl): string {
  const locale = filter.context.getSync(['locale']);
  return typeof locale === 'string' ? locale : 'en';
}

/** Minor units ("123456" or 123456) in the currency's digits, localised: 1.234,56 € / €1,234.56 / ¥1,235. */
export function formatMinorUnits(value: unknown, currency: unknown, locale: string): string {
  const raw = scalarText(value);
  if (!/^-?\d+$/.test(raw) || typeof currency !== 'string' || !isCurrency(currency)) return raw;
  const digits = minorUnitDigits(currency);
  const negative = raw.startsWith('-');
  const padded = (negative ? raw.slice(1) : raw).padStart(digits + 1, '0');
  const decimal = digits ? `${padded.slice(0, -digits)}.${padded.slice(-digits)}` : padded;
  // A decimal string, not a Number: Intl formats it exactly (no float rounding of large amounts).
  const exact = `${negative ? '-' : ''}${decimal}` as unknown as number;
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(exact);
}

export function formatDate(value: unknown, locale: string): string {
  const raw = scalarText(value);
  const date = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(`${raw}T00:00:00Z`) : new Date(raw);
  if (Number.isNaN(date.getTime())) return raw;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
}

/** Throws a validation error naming `field` when the Liquid does not parse or uses an unknown filter. */
export function checkTemplateSyntax(source: string, field: string): void {
  try {
    html.parse(source);
  } catch (error) {
    throw validationError([{ field, message: `not a valid template: ${(error as Error).message.split('\n')[0]}` }]);
  }
}

export interface EmailContent {
  subject: string;
  html: string;
  text: string;
}

/**
 * A stored template is Liquid; a step's inline subject/html/text (`literal`) was already templated
 * by the workflow from its context and goes into the layout as written.
 */
export function renderEmail(
  template: { subject: string | null; body: string; textBody: string | null },
  scope: Record<string, unknown> & { locale: string },
  literal = false,
): EmailContent {
  const liquid = (engine: Liquid, source: string) => (literal ? source : renderText(engine, source, scope));
  const subject = liquid(text, template.subject ?? '').trim();
  const content = liquid(html, template.body);
  const language = scope.locale.split('-')[0]!;
  const footer = EMAIL_FOOTER[scope.locale] ?? EMAIL_FOOTER[language] ?? EMAIL_FOOTER.en!;
  // The layout's own variables are ours: rendered without escaping the already-escaped content.
  const page = renderText(text, EMAIL_LAYOUT, {
    locale: scope.locale,
    subject: escapeHtml(subject),
    preheader: escapeHtml(subject),
    content,
    footer: escapeHtml(footer),
  });
  const plain = template.textBody
    ? liquid(text, template.textBody)
    : htmlToText(content, {
        wordwrap: 78,
        selectors: [{ selector: 'a', options: { hideLinkHrefIfSameAsText: true } }],
      });
  return { subject, html: page, text: `${plain.trim()}\n\n--\n${footer}\n` };
}

/**
 * Intl separates amounts and currency symbols with no-break spaces (U+00A0, U+202F), which are not
 * in the GSM-7 alphabet: one of them would turn a 160-character SMS into a 70-character UCS-2 one.
 */
export function renderSms(template: { body: string }, scope: Record<string, unknown> & { locale: string }): string {
  return renderText(text, template.body, scope)
    .replace(/[\u00a0\u202f\u2007]/g, ' ')
    .trim();
}

/** Text for an HTML context: the five characters HTML gives meaning to, as numeric entities. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

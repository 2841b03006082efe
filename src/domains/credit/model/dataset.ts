import { readFileSync } from 'node:fs';
import { CsvError, parse } from 'csv-parse/sync';
import { AppError } from '../../../core/errors.js';

/**
 * A modelling data set: named attributes (numeric or categorical), one row of values each, and a
 * binary target where 1 = bad (defaulted) and 0 = good. Loaded from a CSV file with a header or
 * from the original German Credit `german.data` file.
 */
export type AttributeKind = 'numeric' | 'categorical';

/** A cell: a number (numeric attribute), a string (categorical) or null (missing). */
export type Cell = number | string | null;

export interface Attribute {
  name: string;
  kind: AttributeKind;
}

export interface Dataset {
  /** Where the rows came from (for messages). */
  source: string;
  attributes: Attribute[];
  /** rows[i][j] is the value of attributes[j] for row i. */
  rows: Cell[][];
  /** 1 = bad, 0 = good; same length as rows. */
  target: number[];
  /** 1-based line of each row in the source file, for messages. */
  lines: number[];
  targetName: string;
  /** Descriptions of coded categorical values (german.doc's), shown next to the codes in reports. */
  valueLabels?: Record<string, string>;
}

export type DataFormat = 'csv' | 'german';

export interface LoadOptions {
  format: DataFormat;
  /** The target column of a CSV file (ignored for the german format, whose target is the 21st field). */
  target?: string;
  /** CSV field delimiter; default ",". */
  delimiter?: string;
  /** CSV columns to treat as categorical even if all their values are numbers. */
  categorical?: string[];
  /** Columns (or german attributes) to leave out: ids, dates, protected characteristics, … */
  exclude?: string[];
}

export const invalidInput = (message: string): AppError => new AppError('invalid_input', 400, message);

/** Cells read as missing in a CSV file. */
const MISSING = new Set(['', 'NA', 'N/A', 'NaN', 'null', 'NULL', '?']);

/**
 * The 20 attributes of german.data, in file order, named after their descriptions in german.doc
 * (7 numerical, 13 qualitative with codes A11…A202). The 21st field is the class: 1 = good, 2 = bad.
 */
export const GERMAN_ATTRIBUTES: readonly Attribute[] = [
  { name: 'checking_status', kind: 'categorical' },
  { name: 'duration_months', kind: 'numeric' },
  { name: 'credit_history', kind: 'categorical' },
  { name: 'purpose', kind: 'categorical' },
  { name: 'credit_amount', kind: 'numeric' },
  { name: 'savings', kind: 'categorical' },
  { name: 'employment_since', kind: 'categorical' },
  { name: 'installment_rate', kind: 'numeric' },
  { name: 'personal_status_sex', kind: 'categorical' },
  { name: 'other_debtors', kind: 'categorical' },
  { name: 'residence_since', kind: 'numeric' },
  { name: 'property', kind: 'categorical' },
  { name: 'age', kind: 'numeric' },
  { name: 'other_installment_plans', kind: 'categorical' },
  { name: 'housing', kind: 'categorical' },
  { name: 'existing_credits', kind: 'numeric' },
  { name: 'job', kind: 'categorical' },
  { name: 'people_liable', kind: 'numeric' },
  { name: 'telephone', kind: 'categorical' },
  { name: 'foreign_worker', kind: 'categorical' },
];
export const GERMAN_TARGET = 'default';

/** The meaning of german.data's codes, shortened from german.doc. */
export const GERMAN_CODES: Record<string, string> = {
  A11: '< 0 DM',
  A12: '0-200 DM',
  A13: '>= 200 DM or salary assigned',
  A14: 'no checking account',
  A30: 'no credits, or all paid back duly',
  A31: 'all credits here paid back duly',
  A32: 'existing credits paid duly so far',
  A33: 'delays in the past',
  A34: 'critical account, credits elsewhere',
  A40: 'car (new)',
  A41: 'car (used)',
  A42: 'furniture/equipment',
  A43: 'radio/television',
  A44: 'domestic appliances',
  A45: 'repairs',
  A46: 'education',
  A47: 'vacation',
  A48: 'retraining',
  A49: 'business',
  A410: 'others',
  A61: '< 100 DM',
  A62: '100-500 DM',
  A63: '500-1000 DM',
  A64: '>= 1000 DM',
  A65: 'unknown or none',
  A71: 'unemployed',
  A72: '< 1 year',
  A73: '1-4 years',
  A74: '4-7 years',
  A75: '>= 7 years',
  A91: 'male, divorced/separated',
  A92: 'female, divorced/separated/married',
  A93: 'male, single',
  A94: 'male, married/widowed',
  A95: 'female, single',
  A101: 'none',
  A102: 'co-applicant',
  A103: 'guarantor',
  A121: 'real estate',
  A122: 'savings agreement or life insurance',
  A123: 'car or other',
  A124: 'unknown or none',
  A141: 'bank',
  A142: 'stores',
  A143: 'none',
  A151: 'rent',
  A152: 'own',
  A153: 'for free',
  A171: 'unemployed or unskilled, non-resident',
  A172: 'unskilled, resident',
  A173: 'skilled employee or official',
  A174: 'management, self-employed, highly qualified',
  A191: 'none',
  A192: "yes, in the customer's name",
  A201: 'yes',
  A202: 'no',
};

export function loadDataset(file: string, options: LoadOptions): Dataset {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new AppError('file_unreadable', 400, `cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  if (options.format === 'csv') return parseCsv(text, file, options);
  return withoutAttributes(parseGerman(text, file), options.exclude ?? []);
}

/** The data without the named attributes (an error names one that does not exist). */
export function withoutAttributes(data: Dataset, names: readonly string[]): Dataset {
  if (names.length === 0) return data;
  for (const name of names) {
    if (!data.attributes.some((a) => a.name === name)) {
      throw invalidInput(
        `${data.source}: no attribute "${name}" to exclude (attributes: ${data.attributes.map((a) => a.name).join(', ')})`,
      );
    }
  }
  const keep = data.attributes.flatMap((a, j) => (names.includes(a.name) ? [] : [j]));
  if (keep.length === 0) throw invalidInput(`${data.source}: every attribute is excluded`);
  return {
    ...data,
    attributes: keep.map((j) => data.attributes[j]!),
    rows: data.rows.map((row) => keep.map((j) => row[j] ?? null)),
  };
}

/** german.data: 1000 lines of 21 space-separated fields; the class 1 = good, 2 = bad becomes bad = 1. */
export function parseGerman(text: string, source = 'german.data'): Dataset {
  const rows: Cell[][] = [];
  const target: number[] = [];
  const lines: number[] = [];
  const width = GERMAN_ATTRIBUTES.length + 1;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const fields = raw.trim().split(/\s+/);
    if (raw.trim() === '') return;
    if (fields.length !== width) {
      throw invalidInput(
        `${source}:${line}: expected ${width} space-separated fields (20 attributes and the class), got ${fields.length}`,
      );
    }
    const row = GERMAN_ATTRIBUTES.map((attribute, j): Cell => {
      const value = fields[j]!;
      if (attribute.kind === 'categorical') return value;
      const n = Number(value);
      if (!Number.isFinite(n)) {
        throw invalidInput(`${source}:${line}, column ${j + 1} (${attribute.name}): expected a number, got "${value}"`);
      }
      return n;
    });
    const label = fields[width - 1]!;
    if (label !== '1' && label !== '2') {
      throw invalidInput(`${source}:${line}, column ${width} (class): must be 1 (good) or 2 (bad), got "${label}"`);
    }
    rows.push(row);
    target.push(label === '2' ? 1 : 0);
    lines.push(line);
  });
  if (rows.length === 0) throw invalidInput(`${source} is empty: no data rows`);
  return {
    source,
    attributes: [...GERMAN_ATTRIBUTES],
    rows,
    target,
    lines,
    targetName: GERMAN_TARGET,
    valueLabels: GERMAN_CODES,
  };
}

/** A target cell as 0/1: 0/1, or the words below (case-insensitive). */
function targetValue(value: string): number | undefined {
  const v = value.trim().toLowerCase();
  if (v === '1' || v === 'true' || v === 'yes' || v === 'bad') return 1;
  if (v === '0' || v === 'false' || v === 'no' || v === 'good') return 0;
  return undefined;
}

/**
 * A CSV file with a header line. A column is numeric when every non-missing cell is a number,
 * otherwise (or when listed in `categorical`) categorical. Missing cells: empty, NA, N/A, NaN, null, ?.
 */
export function parseCsv(text: string, source: string, options: Omit<LoadOptions, 'format'>): Dataset {
  if (text.replace(/^\uFEFF/, '').trim() === '') throw invalidInput(`${source} is empty: expected a header line`);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      delimiter: options.delimiter ?? ',',
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw invalidInput(`${source}${line ? `:${line}` : ''}: ${error.message}`);
    }
    throw error;
  }
  const [header, ...body] = records;
  if (!header) throw invalidInput(`${source} is empty: expected a header line`);
  const columns = header.record;
  const seen = new Set<string>();
  columns.forEach((name, j) => {
    if (name === '') throw invalidInput(`${source}:1, column ${j + 1}: the header names no column`);
    if (seen.has(name)) throw invalidInput(`${source}:1, column ${j + 1}: column "${name}" appears twice`);
    seen.add(name);
  });
  const targetName = options.target;
  if (targetName === undefined) throw invalidInput(`${source}: name the target column with --target`);
  const targetIndex = columns.indexOf(targetName);
  if (targetIndex < 0) {
    throw invalidInput(`${source}:1: no target column "${targetName}" in the header (columns: ${columns.join(', ')})`);
  }
  if (body.length === 0) throw invalidInput(`${source} has a header but no data rows`);
  const exclude = new Set(options.exclude ?? []);
  for (const name of [...exclude, ...(options.categorical ?? [])]) {
    if (!seen.has(name)) throw invalidInput(`${source}:1: no column "${name}" in the header`);
  }
  const forced = new Set(options.categorical ?? []);
  const used = columns.map((name, j) => ({ name, j })).filter(({ name, j }) => j !== targetIndex && !exclude.has(name));
  if (used.length === 0) throw invalidInput(`${source}: no attribute columns besides the target`);

  const target: number[] = [];
  const lines: number[] = [];
  for (const { record, info } of body) {
    const raw = record[targetIndex] ?? '';
    const value = targetValue(raw);
    if (value === undefined) {
      throw invalidInput(
        `${source}:${info.lines}, column ${targetName}: the target must be binary (1 = bad, 0 = good), got "${raw}"`,
      );
    }
    target.push(value);
    lines.push(info.lines);
  }

  const attributes: Attribute[] = used.map(({ name, j }) => {
    const numeric =
      !forced.has(name) &&
      body.every(({ record }) => {
        const cell = record[j] ?? '';
        return MISSING.has(cell) || Number.isFinite(Number(cell));
      }) &&
      body.some(({ record }) => !MISSING.has(record[j] ?? ''));
    return { name, kind: numeric ? 'numeric' : 'categorical' };
  });
  const rows = body.map(({ record }) =>
    used.map(({ j }, k): Cell => {
      const cell = record[j] ?? '';
      if (MISSING.has(cell)) return null;
      return attributes[k]!.kind === 'numeric' ? Number(cell) : cell;
    }),
  );
  return { source, attributes, rows, target, lines, targetName };
}

/** Refuses a target with only goods or only bads: nothing can be learned or measured from it. */
export function requireBothClasses(data: Dataset): void {
  const bads = data.target.reduce((sum, y) => sum + y, 0);
  if (bads === 0 || bads === data.target.length) {
    throw invalidInput(
      `${data.source}: the target column ${data.targetName} has only ${bads === 0 ? 'goods (0)' : 'bads (1)'}; ` +
        'both classes are needed',
    );
  }
}

/** The rows at the given indices (a fold). */
export function subset(data: Dataset, indices: readonly number[]): Dataset {
  return {
    ...data,
    rows: indices.map((i) => data.rows[i]!),
    target: indices.map((i) => data.target[i]!),
    lines: indices.map((i) => data.lines[i]!),
  };
}

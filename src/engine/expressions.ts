import { evaluateExpressionSync, renderTemplateSync } from '@gorules/zen-engine';

/**
 * Expressions and templates run on GoRules zen-engine's expression language (the same one its
 * decision tables use), never on `eval` or an evaluator of our own. Examples:
 *   input.amount > 1000 and steps.score.grade in ['A', 'B']
 *   'Invoice ' + input.invoiceId + ' is overdue'
 *   d(input.dueDate).add(7, 'd')
 */

export class ExpressionError extends Error {
  constructor(
    readonly expression: string,
    message: string,
    /** true when the text does not parse (a definition error); false when it failed on this data. */
    readonly syntax: boolean,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

/** zen reports errors as JSON followed by a Rust backtrace; keep the part a person can read. */
function describe(error: unknown): { message: string; syntax: boolean } {
  const raw = error instanceof Error ? error.message : String(error);
  const firstLine = raw.split('\n')[0] ?? raw;
  try {
    const parsed = JSON.parse(firstLine) as { type?: string; source?: string };
    const type = parsed.type ?? 'error';
    return { message: `${type}: ${parsed.source ?? firstLine}`, syntax: /parser|lexer/i.test(type) };
  } catch {
    return { message: firstLine, syntax: false };
  }
}

export function evaluate(expression: string, context: unknown): unknown {
  try {
    return evaluateExpressionSync(expression, context ?? {}) as unknown;
  } catch (error) {
    const { message, syntax } = describe(error);
    throw new ExpressionError(expression, message, syntax);
  }
}

/** A condition: true only for boolean true (a missing field is null, hence false). */
export function evaluateCondition(expression: string, context: unknown): boolean {
  return evaluate(expression, context) === true;
}

/**
 * Returns a message when the expression does not parse, undefined when it does. Evaluating against
 * an empty context parses fully; errors other than syntax errors (missing data) are expected here.
 */
export function checkExpression(expression: string): string | undefined {
  if (expression.trim() === '') return 'expression is empty';
  try {
    evaluate(expression, {});
    return undefined;
  } catch (error) {
    return error instanceof ExpressionError && error.syntax ? error.message : undefined;
  }
}

const PLACEHOLDER = /\{\{([\s\S]*?)\}\}/g;

/**
 * Renders a template value: every string leaf's `{{ expression }}` placeholders are evaluated against
 * the context. A string that is exactly one placeholder keeps the expression's type (number, object…).
 */
export function renderTemplate(template: unknown, context: unknown): unknown {
  if (typeof template === 'string') {
    if (!template.includes('{{')) return template;
    try {
      return renderTemplateSync(template, context ?? {}) as unknown;
    } catch (error) {
      const { message, syntax } = describe(error);
      throw new ExpressionError(template, message, syntax);
    }
  }
  if (Array.isArray(template)) return template.map((item) => renderTemplate(item, context));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [k, renderTemplate(v, context)]));
  }
  return template;
}

/** Every placeholder expression in a template, with its JSON path, for deploy-time checks. */
export function templateExpressions(template: unknown, path = ''): Array<{ path: string; expression: string }> {
  if (typeof template === 'string') {
    return [...template.matchAll(PLACEHOLDER)].map((m) => ({ path, expression: (m[1] ?? '').trim() }));
  }
  if (Array.isArray(template)) return template.flatMap((item, i) => templateExpressions(item, `${path}[${i}]`));
  if (template !== null && typeof template === 'object') {
    return Object.entries(template).flatMap(([k, v]) => templateExpressions(v, path ? `${path}.${k}` : k));
  }
  return [];
}

import type { Counterexample, Finding } from '../conformance/types.js';
import { formatRelative, formatUlp, formatValue } from './format-number.js';

/** A number as a reader must see it (kept for the public API; see {@link formatValue}). */
export const formatNumber = formatValue;

function formatVector(values: ArrayLike<number | null>): string {
  return `[${Array.from(values, (v) => (v === null ? 'null' : formatValue(v))).join(', ')}]`;
}

function formatConfig(config: object): string {
  const parts = Object.entries(config).map(([k, v]) => `${k}: ${typeof v === 'number' ? formatValue(v) : JSON.stringify(v)}`);
  return `{ ${parts.join(', ')} }`;
}

/** `step 1, coordinate 0: expected 0.01, actual 0.0098 (relative error 0.0117, 126154 ULP)`, or undefined when the counterexample has none of these. */
function valuesLine(c: Counterexample): string | undefined {
  const where = [c.step === undefined ? '' : `step ${c.step}`, c.coordinate === undefined ? '' : `coordinate ${c.coordinate}`].filter(Boolean).join(', ');
  const values = [c.expected === undefined ? '' : `expected ${formatValue(c.expected)}`, c.actual === undefined ? '' : `actual ${formatValue(c.actual)}`].filter(Boolean).join(', ');
  const errors = [c.relativeError === undefined ? '' : `relative error ${formatRelative(c.relativeError)}`, c.ulp === undefined ? '' : formatUlp(c.ulp, c.expected, c.actual)]
    .filter(Boolean)
    .join(', ');
  const main = [where, values].filter(Boolean).join(': ');
  if (!main && !errors) return undefined;
  return main ? `${main}${errors ? ` (${errors})` : ''}` : errors;
}

/**
 * A counterexample as plain-text lines, shared by the JUnit, Markdown, console
 * and vitest formats so that all show the same replayable facts: where and by
 * how much, the derived tolerance, then the input (config, x0, gradients,
 * learning rates) and the fast-check seed and path.
 */
export function describeCounterexample(c: Counterexample): string[] {
  const lines: string[] = [];
  const values = valuesLine(c);
  if (values !== undefined) lines.push(values);
  if (c.tolerance !== undefined) lines.push(`tolerance: ${c.tolerance}`);
  if (c.config !== undefined) lines.push(`config: ${formatConfig(c.config)}`);
  if (c.x0 !== undefined) lines.push(`x0: ${formatVector(c.x0)}`);
  if (c.gradients !== undefined) lines.push(`gradients: [${c.gradients.map(formatVector).join(', ')}]`);
  if (c.learningRates !== undefined) lines.push(`learning rates: ${formatVector(c.learningRates)}`);
  if (c.seed !== undefined) lines.push(`replay: seed ${c.seed}${c.path === undefined ? '' : `, path ${JSON.stringify(c.path)}`}`);
  return lines;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The finding's message without the values its counterexample prints anyway
 * (`step 1, coordinate 0: expected X, got Y (relative error R, U ulp)`), so
 * that a report shows expected and actual once, in one number format. Only the
 * counterexample's own values are removed: a message quoting other numbers (the
 * unshrunk run) keeps them.
 */
export function messageWithoutValues(finding: Finding): string {
  const c = finding.counterexample;
  if (c?.expected === undefined || c.actual === undefined) return uniformNumbers(finding.message);
  const where = c.step === undefined ? '' : `(?:step ${c.step}, coordinate ${c.coordinate ?? '\\d+'}(?: of instance \\d+)?: )?`;
  const pattern = new RegExp(`:? ?${where}expected ${escapeRegExp(String(c.expected))}, got ${escapeRegExp(String(c.actual))}(?: \\([^)]*\\))?`, 'g');
  const stripped = finding.message.replace(pattern, '').replace(/[:;,]\s*$/, '').trim();
  return uniformNumbers(stripped || finding.message);
}

const NUMBER = '(-?(?:\\d+\\.?\\d*(?:e[+-]?\\d+)?|Infinity)|NaN)';

/**
 * `expected X, got Y (relative error R, U ulp)` inside a message, rewritten in
 * the reports' one number format (values round-trip, relative errors to three
 * digits, `opposite sign` for a sign flip's astronomic ULP count).
 */
function uniformNumbers(message: string): string {
  const pattern = new RegExp(`expected ${NUMBER}, got ${NUMBER} \\(relative error ${NUMBER}, ${NUMBER} ulp\\)`, 'g');
  return message.replace(pattern, (_all, e: string, a: string, r: string, u: string) => {
    const [expected, actual] = [Number(e), Number(a)];
    return `expected ${formatValue(expected)}, got ${formatValue(actual)} (relative error ${formatRelative(Number(r))}, ${formatUlp(Number(u), expected, actual)})`;
  });
}

/** The known bug a finding or a verdict names, with where it is described. */
export function describeBug(bug: string): string {
  return `known bug ${bug} (docs/conventions.md, "Known bugs"; cannot be accepted)`;
}

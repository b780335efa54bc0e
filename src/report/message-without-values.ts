import type { Finding } from '../conformance/index.js';
import { formatErrors, formatValue } from './format-number.js';

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
  const where =
    c.step === undefined ? '' : `(?:step ${c.step}, coordinate ${c.coordinate ?? '\\d+'}(?: of instance \\d+)?: )?`;
  const pattern = new RegExp(
    `:? ?${where}expected ${escapeRegExp(String(c.expected))}, got ${escapeRegExp(String(c.actual))}(?: \\([^)]*\\))?`,
    'g',
  );
  const stripped = finding.message
    .replace(pattern, '')
    .replace(/[:;,]\s*$/, '')
    .trim();
  return uniformNumbers(stripped || finding.message);
}

const NUMBER = '(-?(?:\\d+\\.?\\d*(?:e[+-]?\\d+)?|Infinity)|NaN)';

/**
 * A number `String()` writes as `0.000...` (it switches to exponent notation only
 * below 1e-6, {@link formatValue} below 1e-3), standing alone (not part of `10.0005`
 * or `4.0.0001`): the one range where the checker's text and the reports' format differ
 * (integers, seeds and ULP counts among them, are left as they are).
 */
const SMALL_DECIMAL = /(?<![\w.^])-?0\.000\d+(?![\w]|\.\d)/g;

/**
 * A message in the reports' one number format, as the console, Markdown, JUnit
 * and HTML print it: `expected X, got Y (relative error R, U ulp)` with the
 * relative error to three digits and the ULP count as {@link formatErrors} gives it,
 * and every value as {@link formatValue} writes it (exponent notation below 1e-3,
 * the same double when read back). The JSON report keeps the
 * checker's own text: its numbers are data, written by `JSON.stringify`.
 */
export function uniformNumbers(message: string): string {
  const pattern = new RegExp(`expected ${NUMBER}, got ${NUMBER} \\(relative error ${NUMBER}, ${NUMBER} ulp\\)`, 'g');
  return message
    .replace(pattern, (_all, e: string, a: string, r: string, u: string) => {
      const [expected, actual] = [Number(e), Number(a)];
      return `expected ${formatValue(expected)}, got ${formatValue(actual)} (${formatErrors(Number(r), Number(u), expected, actual)})`;
    })
    .replace(SMALL_DECIMAL, (number) => formatValue(Number(number)));
}

import type { Finding } from '../conformance/types.js';
import { formatRelative, formatUlp, formatValue } from './format-number.js';

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

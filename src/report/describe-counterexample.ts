import type { Counterexample } from '../conformance/types.js';

/** A number as a reader must see it: -0, NaN and the infinities stay visible, doubles keep every digit. */
export function formatNumber(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

function formatVector(values: ArrayLike<number | null>): string {
  return `[${Array.from(values, (v) => (v === null ? 'null' : formatNumber(v))).join(', ')}]`;
}

function formatConfig(config: object): string {
  const parts = Object.entries(config).map(([k, v]) => `${k}: ${typeof v === 'number' ? formatNumber(v) : JSON.stringify(v)}`);
  return `{ ${parts.join(', ')} }`;
}

/**
 * A counterexample as plain-text lines, shared by the JUnit, Markdown and
 * console formats so that all three show the same replayable facts (issue 4,
 * "fails carries a minimal counterexample").
 */
export function describeCounterexample(c: Counterexample): string[] {
  const lines: string[] = [];
  const where = [c.step === undefined ? '' : `step ${c.step}`, c.coordinate === undefined ? '' : `coordinate ${c.coordinate}`]
    .filter(Boolean)
    .join(', ');
  const values = [
    c.expected === undefined ? '' : `expected ${formatNumber(c.expected)}`,
    c.actual === undefined ? '' : `actual ${formatNumber(c.actual)}`,
    c.relativeError === undefined ? '' : `relative error ${formatNumber(c.relativeError)}`,
    c.ulp === undefined ? '' : `${formatNumber(c.ulp)} ULP`,
  ]
    .filter(Boolean)
    .join(', ');
  if (where || values) lines.push([where, values].filter(Boolean).join(': '));
  if (c.tolerance !== undefined) lines.push(`tolerance: ${c.tolerance}`);
  if (c.config !== undefined) lines.push(`config: ${formatConfig(c.config)}`);
  if (c.x0 !== undefined) lines.push(`x0: ${formatVector(c.x0)}`);
  if (c.gradients !== undefined) lines.push(`gradients: [${c.gradients.map(formatVector).join(', ')}]`);
  if (c.learningRates !== undefined) lines.push(`learning rates: ${formatVector(c.learningRates)}`);
  if (c.seed !== undefined) lines.push(`replay: seed ${c.seed}${c.path === undefined ? '' : `, path ${JSON.stringify(c.path)}`}`);
  return lines;
}

import type { Counterexample, TensorRun } from '../conformance/index.js';
import { formatErrors, formatRelative, formatValue } from './format-number.js';

/** A number as a reader must see it (kept for the public API; see {@link formatValue}). */
export const formatNumber = formatValue;

function formatVector(values: ArrayLike<number | null>): string {
  return `[${Array.from(values, (v) => (v === null ? 'null' : formatValue(v))).join(', ')}]`;
}

function formatConfig(config: object): string {
  const parts = Object.entries(config).map(
    ([k, v]) => `${k}: ${typeof v === 'number' ? formatValue(v) : JSON.stringify(v)}`,
  );
  return `{ ${parts.join(', ')} }`;
}

/** `step 1, coordinate 0: expected 0.01, actual 0.0098 (relative error 0.0117, 126154 ULP)` ({@link formatErrors}), or undefined when the counterexample has none of these. */
function valuesLine(c: Counterexample): string | undefined {
  const where = [
    c.tensor === undefined ? '' : `tensor ${c.tensor}`,
    c.step === undefined ? '' : `step ${c.step}`,
    c.coordinate === undefined ? '' : `coordinate ${c.coordinate}`,
  ]
    .filter(Boolean)
    .join(', ');
  const values = [
    c.expected === undefined ? '' : `expected ${formatValue(c.expected)}`,
    c.actual === undefined ? '' : `actual ${formatValue(c.actual)}`,
  ]
    .filter(Boolean)
    .join(', ');
  const errors = formatErrors(c.relativeError, c.ulp, c.expected, c.actual);
  const main = [where, values].filter(Boolean).join(': ');
  if (!main && !errors) return undefined;
  return main ? `${main}${errors ? ` (${errors})` : ''}` : errors;
}

/** A ratio to three digits, or as `1 + 3.11e-8` near 1, where three digits would print a rounding error as `1`. */
function formatRatio(ratio: number): string {
  const off = ratio - 1;
  if (off === 0 || Math.abs(off) >= 5e-3) return formatRelative(ratio);
  return `1 ${off > 0 ? '+' : '-'} ${formatRelative(Math.abs(off))}`;
}

/**
 * The reference's state where the counterexample parts, beside the implementation's x:
 * `reference at step 1, coordinate 0: x 0.5, dx -0.52, learning_rate 0.01, old_v 0, v 0.0052`, then each x after the
 * step and the step it took, the implementation's as a multiple of the reference's (a learning rate applied twice
 * shows as `0.01 times`).
 */
function describeReferenceState(c: Counterexample, state: Record<string, number>): string[] {
  const where = `step ${c.step}${c.coordinate === undefined ? '' : `, coordinate ${c.coordinate}`}`;
  const values = Object.entries(state).map(([name, v]) => `${name} ${formatValue(v)}`);
  const lines = [`reference at ${where}: ${values.join(', ')}`];
  const x = state.x;
  if (x !== undefined && c.expected !== undefined && c.actual !== undefined) {
    const [own, theirs] = [c.expected - x, c.actual - x];
    const ratio =
      own !== 0 && Number.isFinite(theirs / own) ? `, ${formatRatio(theirs / own)} times the reference's` : '';
    lines.push(
      `x after the step: reference ${formatValue(c.expected)} (step ${formatValue(own)}), implementation ${formatValue(c.actual)} (step ${formatValue(theirs)}${ratio})`,
    );
  }
  return lines;
}

/** A run over several tensors (docs/spec.md section 9): its groups, each tensor's x0, each step's gradients (`none` for a missing one). */
function describeRun(run: TensorRun): string[] {
  const lines = run.groups.map(
    (g, i) =>
      `group ${i}: ${formatConfig(g.config)}${g.schedule === undefined ? '' : `, schedule ${formatConfig(g.schedule)}`}, tensors of length ${g.sizes.join(', ')}`,
  );
  lines.push(`x0 per tensor: [${run.x0.map(formatVector).join(', ')}]`);
  run.steps.forEach((s, k) => {
    const rates = s.learningRates === undefined ? '' : `; learning rates per group ${formatVector(s.learningRates)}`;
    lines.push(
      `step ${k + 1}: gradients [${s.grads.map((g) => (g === null ? 'none' : formatVector(g))).join(', ')}]${rates}`,
    );
  });
  return lines;
}

/**
 * A counterexample as plain-text lines, shared by the JUnit, Markdown, console
 * and vitest formats so that all show the same replayable facts: where and by
 * how much, the reference's state there (a failure no bug explains), the derived tolerance, then the input (config, x0, gradients,
 * learning rates), the fast-check seed and path, and how to replay the check:
 * `replay` is the whole command when the caller knows it (the CLI), else the
 * finding's `--replay` token.
 */
export function describeCounterexample(c: Counterexample, replay?: string): string[] {
  const lines: string[] = [];
  const values = valuesLine(c);
  if (values !== undefined) lines.push(values);
  if (c.referenceState !== undefined) lines.push(...describeReferenceState(c, c.referenceState));
  if (c.tolerance !== undefined) lines.push(`tolerance: ${c.tolerance}`);
  if (c.config !== undefined) lines.push(`config: ${formatConfig(c.config)}`);
  if (c.x0 !== undefined) lines.push(`x0: ${formatVector(c.x0)}`);
  if (c.gradients !== undefined) lines.push(`gradients: [${c.gradients.map(formatVector).join(', ')}]`);
  if (c.learningRates !== undefined) lines.push(`learning rates: ${formatVector(c.learningRates)}`);
  if (c.parameters !== undefined)
    lines.push(
      `x${c.coordinate === undefined ? '' : `[${c.coordinate}]`} after each step: ${formatVector(c.parameters)}`,
    );
  if (c.run !== undefined) lines.push(...describeRun(c.run));
  if (c.seed !== undefined)
    lines.push(`seed ${c.seed}${c.path === undefined ? '' : `, path ${JSON.stringify(c.path)}`}`);
  if (replay !== undefined) lines.push(`replay: ${replay}`);
  return lines;
}

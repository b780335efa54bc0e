import type { ConformanceReport, Counterexample } from '../conformance/index.js';
import { formatRelative } from './format-number.js';
import { count } from './plural.js';
import { subjectPassed } from './subject-outcome.js';

/**
 * The band of errors, relative to the step they are made in ({@link stepRelativeError}),
 * that float32 arithmetic produces when a float64 is expected. Above: one rounding is
 * at most u32 = 2^-24, and the conditioning 1/(1 - beta2) = 1000 ~ 2^10 of
 * docs/conventions.md lifts a few of them to about 2^-14; a formula difference is far
 * above. Below: float64 rounding, 2^-53 amplified by the same 2^10 and by the 2^9
 * roundings of a 300-step run, stays under 2^-34; a float32 rounding of any term of
 * the step (a moment, the whole step) is seldom that far below u32, and never in most
 * failing checks at once.
 */
const FLOAT32_BAND = [2 ** -34, 2 ** -14] as const;

/**
 * The error of a counterexample relative to the step it was made in, `|actual -
 * expected| / |x_t - x_(t-1)|` with the reference's x (from the trace, or x0 at step
 * 1), rather than to x: float32 rounding in the step's arithmetic is relative to the
 * step, and a step is often a thousandth of x. At the trace's first row, where x_(t-1)
 * is not in it, the next step's size stands in for the step's (the same order for
 * every rule of the lecture). Else the counterexample's own relative error.
 */
export function stepRelativeError(c: Counterexample): number | undefined {
  const { expected, actual, coordinate, step } = c;
  if (expected === undefined || actual === undefined || coordinate === undefined || step === undefined)
    return c.relativeError;
  let size: number | undefined;
  if (step === 1 && c.x0?.[coordinate] !== undefined) size = Math.abs(expected - c.x0[coordinate]!);
  else if (c.trace !== undefined) {
    const rows = c.trace.expected;
    const row = step - (c.trace.firstStep ?? 1);
    const at = (r: number) => rows[r]?.[coordinate];
    const [before, here, after] = [at(row - 1), at(row), at(row + 1)];
    if (before !== undefined && here !== undefined) size = Math.abs(here - before);
    else if (here !== undefined && after !== undefined) size = Math.abs(after - here);
  }
  const error = Math.abs(actual - expected) / (size ?? Number.NaN);
  return Number.isFinite(error) ? error : c.relativeError;
}

/** The `--accept` list that would accept every deviation of the report, the already accepted ids included (the flag replaces, it does not add). */
function acceptSuggestion(report: ConformanceReport): string[] | undefined {
  const accepted = report.options.accepted;
  const needed = report.results
    .filter((r) => r.verdict === 'deviates' && !subjectPassed(r, accepted))
    .flatMap((r) => r.conventions);
  if (needed.length === 0) return undefined;
  return [...new Set([...accepted, ...needed])].sort();
}

/**
 * What a reader most likely does next, as one-line hints: the exact
 * `--accept <ids>` after a deviating run, and "declared float64, computes in
 * float32?" when most failing values are off by float32 rounding.
 */
export function reportHints(report: ConformanceReport): string[] {
  const hints: string[] = [];
  const ids = acceptSuggestion(report);
  if (ids !== undefined) {
    const others = report.results.some((r) => r.verdict !== 'deviates' && !subjectPassed(r, report.options.accepted));
    hints.push(
      others
        ? `--accept ${ids.join(',')} would accept the deviations (docs/conventions.md says what each id means); the subjects that fail or error would still fail`
        : `the run passes with --accept ${ids.join(',')}, if your implementation means to follow these conventions (docs/conventions.md says what each id means)`,
    );
  }
  if (report.adapter.dtype === 'float64') {
    const errors = report.results
      .flatMap((r) => r.findings)
      .filter((f) => f.status === 'fail' && f.counterexample !== undefined)
      .map((f) => stepRelativeError(f.counterexample!))
      .filter((e): e is number => e !== undefined && Number.isFinite(e) && e > 0);
    // Most, not all: a float32 computation also fails laws by flushing subnormals (relative error 1), which are not in the band.
    const inBand = errors.filter((e) => e >= FLOAT32_BAND[0] && e <= FLOAT32_BAND[1]);
    if (inBand.length > 0 && 2 * inBand.length >= errors.length) {
      const lo = Math.min(...inBand);
      const hi = Math.max(...inBand);
      const range = lo === hi ? formatRelative(lo) : `${formatRelative(lo)} to ${formatRelative(hi)}`;
      hints.push(
        `the adapter declares dtype float64, but ${inBand.length} of its ${count(errors.length, 'failing check')} are off by ${range} relative to their step, the size of float32 rounding (2^-24 = 5.96e-8): does it compute in float32? Then declare dtype: 'float32'`,
      );
    }
  }
  return hints;
}

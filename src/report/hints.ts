import type { ConformanceReport } from '../conformance/types.js';
import { formatRelative } from './format-number.js';
import { subjectPassed } from './subject-outcome.js';

/**
 * The band of relative errors float32 arithmetic produces when a float64 is
 * expected: one rounding is at most u32 = 2^-24, a result a few roundings deep
 * rarely below u32/4 = 2^-26, and the conditioning 1/(1 - beta2) = 1000 ~ 2^10 of
 * docs/conventions.md lifts it to about 2^-14; float64 rounding (2^-53) stays
 * below 2^-40 at the same amplification, and a formula difference is far above 2^-14.
 */
const FLOAT32_BAND = [2 ** -26, 2 ** -14] as const;

/** The `--accept` list that would accept every deviation of the report, the already accepted ids included (the flag replaces, it does not add). */
export function acceptSuggestion(report: ConformanceReport): string[] | undefined {
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
      .filter((f) => f.status === 'fail')
      .map((f) => f.counterexample?.relativeError)
      .filter((e): e is number => e !== undefined && Number.isFinite(e) && e > 0);
    // Most, not all: a float32 computation also fails laws by flushing subnormals (relative error 1), which are not in the band.
    const inBand = errors.filter((e) => e >= FLOAT32_BAND[0] && e <= FLOAT32_BAND[1]);
    if (inBand.length > 0 && 2 * inBand.length >= errors.length) {
      const lo = Math.min(...inBand);
      const hi = Math.max(...inBand);
      const range = lo === hi ? formatRelative(lo) : `${formatRelative(lo)} to ${formatRelative(hi)}`;
      hints.push(
        `the adapter declares dtype float64, but ${inBand.length} of its ${errors.length} failing checks are off by ${range} relative, the size of float32 rounding (2^-24 = 5.96e-8): does it compute in float32? Then declare dtype: 'float32'`,
      );
    }
  }
  return hints;
}

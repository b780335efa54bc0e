/**
 * A value as the reports print it: the shortest decimal that round-trips to the
 * same double (so a reader can paste it back), in exponent notation outside
 * [1e-3, 1e6) so that small and large values share one format; -0, NaN and the
 * infinities stay visible.
 */
export function formatValue(value: number): string {
  if (Object.is(value, -0)) return '-0';
  if (!Number.isFinite(value) || value === 0) return String(value);
  const magnitude = Math.abs(value);
  return magnitude >= 1e-3 && magnitude < 1e6 ? String(value) : value.toExponential();
}

/** A relative error to three significant digits (a ratio of errors needs no more), in {@link formatValue}'s notation. */
export function formatRelative(value: number): string {
  if (!Number.isFinite(value) || value === 0) return formatValue(value);
  return formatValue(Number(value.toPrecision(3)));
}

/**
 * A ULP distance, or `opposite sign` when expected and actual are non-zero
 * values of different signs: the ULP count between them is then a count across
 * the whole float line (9153836458608175000 ulp), which says nothing a reader can use.
 */
export function formatUlp(ulp: number, expected?: number, actual?: number): string {
  if (
    expected !== undefined &&
    actual !== undefined &&
    expected !== 0 &&
    actual !== 0 &&
    Number.isFinite(expected) &&
    Number.isFinite(actual) &&
    Math.sign(expected) !== Math.sign(actual)
  ) {
    return 'opposite sign';
  }
  return `${Number.isFinite(ulp) && Math.abs(ulp) < 2 ** 53 ? String(ulp) : formatValue(ulp)} ULP`;
}

/**
 * The largest ULP count a report prints: 2^20 ULP is about a million roundings, no
 * longer a rounding difference, and past it the count (`44912345678901234 ULP`)
 * says less than the relative error beside it.
 */
export const MAX_SHOWN_ULP = 2 ** 20;

/**
 * How far `actual` is from `expected`, as the reports print it: the relative error,
 * then the ULP distance while it is at most {@link MAX_SHOWN_ULP}, or `opposite sign`
 * ({@link formatUlp}). With a huge ULP count and no relative error given, the
 * relative error is computed from the values.
 */
export function formatErrors(relativeError?: number, ulp?: number, expected?: number, actual?: number): string {
  const ulpText = ulp === undefined ? undefined : formatUlp(ulp, expected, actual);
  const huge = ulp !== undefined && ulpText !== 'opposite sign' && !(Math.abs(ulp) <= MAX_SHOWN_ULP);
  let relative = relativeError;
  if (relative === undefined && huge && expected !== undefined && actual !== undefined && expected !== 0)
    relative = Math.abs(actual - expected) / Math.abs(expected);
  const parts = [
    relative === undefined ? undefined : `relative error ${formatRelative(relative)}`,
    huge && relative !== undefined ? undefined : ulpText,
  ];
  return parts.filter((p) => p !== undefined).join(', ');
}

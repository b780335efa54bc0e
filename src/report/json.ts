import type { ConformanceReport } from '../conformance/index.js';

/**
 * JSON has no NaN, Infinity or -0, yet counterexamples need them (a gradient of
 * -0 or an `actual` of NaN is often the whole point). They are written as the
 * strings `"NaN"`, `"Infinity"`, `"-Infinity"` and `"-0"`, as
 * `docs/report.schema.json` documents; typed arrays become plain arrays.
 */
function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Number.POSITIVE_INFINITY) return 'Infinity';
    if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
    if (Object.is(value, -0)) return '-0';
    return value;
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  return value;
}

/**
 * The report as JSON (docs/report.schema.json): exactly the
 * {@link ConformanceReport} shape, non-finite numbers and -0 kept as strings.
 */
export function reportToJson(report: ConformanceReport): string {
  return jsonWithNumbers(report);
}

/** Any document of reports as JSON with {@link reportToJson}'s numbers (the CLI's `--seeds` document). */
export function jsonWithNumbers(value: unknown): string {
  return `${JSON.stringify(value, replacer, 2)}\n`;
}

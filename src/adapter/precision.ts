import { CHECKED_DTYPES, dtypeChoices, holds, type Precision } from '../numerics/index.js';
import { describeValue, type Dtype } from '../reference/index.js';

/** The fields of a {@link Precision} declaration, in the order an error names them. */
const FIELDS: readonly (keyof Precision)[] = ['parameters', 'state', 'arithmetic'];

/**
 * Why `value`, an adapter's `precision` declaration (the adapter's own field, or the `hello`
 * answer's), is refused, naming the field and the value; undefined when it is absent or valid.
 * Each field present is a checked dtype that holds every value of `dtype` (an adapter's `dtype`
 * is the narrowest precision it holds anything in: its gradients and x0 are values of it).
 */
export function precisionProblem(field: string, value: unknown, dtype: Dtype): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `${field} must be an object with parameters, state and arithmetic dtypes, got ${describeValue(value)}`;
  for (const key of Object.keys(value)) {
    if (!(FIELDS as readonly string[]).includes(key))
      return `${field}.${key} is not a precision field (${FIELDS.join(', ')}), got ${describeValue((value as Record<string, unknown>)[key])}`;
  }
  for (const key of FIELDS) {
    const d = (value as Record<string, unknown>)[key];
    if (d === undefined) continue;
    if (!(CHECKED_DTYPES as readonly unknown[]).includes(d))
      return `${field}.${key} must be ${dtypeChoices(CHECKED_DTYPES)}, got ${describeValue(d)}`;
    if (!holds(d as Dtype, dtype))
      return `${field}.${key} must hold every ${dtype} value (dtype is the narrowest precision: its gradients and x0), got ${describeValue(d)}`;
  }
  return undefined;
}

/** The precisions of an adapter: each declared one, else its `dtype` (an adapter that declares none computes and keeps everything in `dtype`). */
export function resolvePrecision(adapter: { dtype: Dtype; precision?: Partial<Precision> | undefined }): Precision {
  const declared = adapter.precision ?? {};
  return {
    parameters: declared.parameters ?? adapter.dtype,
    state: declared.state ?? adapter.dtype,
    arithmetic: declared.arithmetic ?? adapter.dtype,
  };
}

/** Whether an adapter declares a precision other than its `dtype` for anything. */
export function isMixed(adapter: { dtype: Dtype; precision?: Partial<Precision> | undefined }): boolean {
  const p = resolvePrecision(adapter);
  return FIELDS.some((key) => p[key] !== adapter.dtype);
}

import { isMixed, resolvePrecision } from '../adapter/index.js';
import { holds, type Precision, rounderFor } from '../numerics/index.js';
import type { Dtype } from '../reference/index.js';
import { storeRounding, type Tracked } from './error-arithmetic.js';

// Mixed precision in the tolerance model (docs/spec.md, "Mixed precision"): the pseudo-code
// computed with each operation rounded to the declared arithmetic, each parameter and state
// value rounded to its own dtype where it is stored, gradients and x0 values of `dtype`.

/** What a run is judged in: a dtype, or a mixed-precision adapter's {@link Precision} beside its `dtype` (the narrowest). */
export type Judged = Dtype | (Precision & { dtype: Dtype });

/** The judged precision of an adapter: its dtype, unless it declares a mixed precision. */
export function judgedOf(adapter: { dtype: Dtype; precision?: Partial<Precision> | undefined }): Judged {
  return isMixed(adapter) ? { ...resolvePrecision(adapter), dtype: adapter.dtype } : adapter.dtype;
}

/** The dtype of a judged precision: the narrowest, in which gradients and x0 are given. */
export function judgedDtype(judged: Judged): Dtype {
  return typeof judged === 'string' ? judged : judged.dtype;
}

/** The dtype of a judged precision's parameters, in which the implementation answers. */
export function parametersDtype(judged: Judged): Dtype {
  return typeof judged === 'string' ? judged : judged.parameters;
}

/** How the tolerance model rounds what a mixed-precision implementation stores (each undefined where nothing is lost). */
export interface Stores {
  arithmetic: Dtype;
  /** A gradient or x0 component: a value of `dtype` (rounded there where it is not). */
  input?: (t: Tracked) => Tracked;
  parameters?: (t: Tracked) => Tracked;
  state?: (t: Tracked) => Tracked;
}

/**
 * The stores of a judged precision. `downcast`: the known bug `state-downcast`, state kept in
 * the parameters' precision (or in `dtype` where the parameters hold the state's) whatever the
 * declaration says.
 */
export function storesOf(judged: Judged, downcast = false): Stores {
  if (typeof judged === 'string') return { arithmetic: judged };
  const kept = downcast ? (holds(judged.parameters, judged.state) ? judged.dtype : judged.parameters) : judged.state;
  const stores: Stores = { arithmetic: judged.arithmetic };
  const toDtype = storeRounding(judged.arithmetic, judged.dtype);
  const r = rounderFor(judged.dtype);
  // A double that is a value of dtype (every scenario's) reaches the implementation as it is.
  const input = toDtype && ((t: Tracked) => (r(t.v) === t.v ? t : toDtype(t)));
  const parameters = storeRounding(judged.arithmetic, judged.parameters);
  const state = storeRounding(judged.arithmetic, kept);
  if (input !== undefined) stores.input = input;
  if (parameters !== undefined) stores.parameters = parameters;
  if (state !== undefined) stores.state = state;
  return stores;
}

/**
 * A state vector whose every element is rounded by `store` where it is assigned, so that the
 * rule reads back the stored value (as an implementation that keeps its state in that dtype
 * does); the vector itself where nothing is lost.
 */
export function storedIn(values: Tracked[], store: ((t: Tracked) => Tracked) | undefined): Tracked[] {
  if (store === undefined) return values;
  return new Proxy(values, {
    set(target, key, value) {
      const element = typeof key === 'string' && key !== 'length';
      Reflect.set(target, key, element ? store(value as Tracked) : value);
      return true;
    },
  });
}

import { allocate } from '../numerics/index.js';
import { type Dtype, landscapeGradient, type LandscapeSpec } from '../reference/index.js';

/** A closed-loop run to be driven where the adapter lives: the gradient of each step is taken at the iterate it returned. */
export interface ClosedLoop {
  landscape: LandscapeSpec;
  steps: number;
  x0: readonly number[];
  dtype: Dtype;
  learningRates?: readonly (number | undefined)[];
}

/**
 * The gradient of step `t` given the previous iterate: at x0 rounded to the
 * adapter's dtype, then at the parameters it returned, computed in the dtype.
 * The script engine (src/adapter/script.ts, a `closed` call) computes it where the
 * adapter runs, in-process or in its worker; the checker recomputes it from the
 * iterates a worker reports ({@link firstForgedGradient}) and replays those
 * gradients through the reference (src/conformance/run.ts).
 */
export function closedLoopGradient(loop: ClosedLoop, previous: ArrayLike<number> | undefined, t: number): Float64Array {
  const x = previous ?? allocate(loop.dtype, loop.x0.length).map((_, i) => loop.x0[i]!);
  const dx = allocate(loop.dtype, loop.x0.length);
  landscapeGradient(loop.landscape, x, t, dx, loop.dtype);
  return Float64Array.from(dx);
}

/**
 * Checks the gradients a worker reports for a closed loop against the landscape
 * at the iterates it reports, bit for bit: the worker runs the adapter's code,
 * which could have altered the checker's copy of the loop. Returns the first
 * step that differs, or -1.
 */
export function firstForgedGradient(
  loop: ClosedLoop,
  grads: readonly Float64Array[],
  xs: readonly Float64Array[],
): number {
  for (let t = 0; t < grads.length; t++) {
    const expected = closedLoopGradient(loop, t === 0 ? undefined : xs[t - 1], t);
    const got = grads[t]!;
    if (got.length !== expected.length) return t;
    for (let i = 0; i < got.length; i++) if (!Object.is(got[i], expected[i])) return t;
  }
  return -1;
}

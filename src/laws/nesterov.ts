import { rounderFor } from '../numerics/index.js';
import fc from 'fast-check';
import { add, dd, mul, sub, toNumber } from './exact.js';
import { normalValue, range } from './arbitraries.js';
import { runScript, type Script, trajectoriesOf, trajectory } from '../adapter/index.js';
import type { Law } from './law.js';
import { ratesInForce } from './models.js';
import { type PlacementInput, placementArbitrary } from './momentum.js';
import { rhoZeroIsSgd } from './rho-zero.js';
import { requireWithin, SLACK, U64, underflow, unitRoundoff } from './tolerance.js';

/** Input of the look-ahead law. */
export interface LookAheadInput {
  rho: number;
  /** `lr * max(c)`, in (0, 1]. */
  h: number;
  curvature: number[];
  x0: number[];
  steps: number;
}

type M2 = [number, number, number, number];

const mul2 = (a: M2, b: M2): M2 => [
  a[0] * b[0] + a[1] * b[2],
  a[0] * b[1] + a[1] * b[3],
  a[2] * b[0] + a[3] * b[2],
  a[2] * b[1] + a[3] * b[3],
];

/**
 * Nesterov (docs/spec.md section 3): on the closed-loop objective `f = sum(0.5 c x^2)`
 * (gradient taken at the implementation's own iterate), the change-of-variables code
 * produces the iterates of the look-ahead definition `v' = rho v - lr grad f(x + rho v);
 * x' = x + v'` mapped through `x~ = x + rho v`. The definition is evaluated by the law
 * in double-double. Within a derived bound: the implementation's local rounding per
 * step is at most `dv <= u (2 rho|v| + 3 lr|g| + |v'|)` (rho and lr to the dtype, g
 * converted, two products, one difference) and `dx~ <= 3u (|x~| + |x~'| + 2|v| + 2|v'|)`
 * (any evaluation order of `x~ - rho v + (1 + rho) v'` with pre-rounded coefficients),
 * plus `(1 + rho) dv` as x~' uses the computed v', and 4 eta each for underflow (plus
 * lr eta in dv: the law's gradient, rounded to the dtype, may underflow by eta). These local errors propagate
 * through the exact linear map `M = [[1 - (1 + rho) h, rho^2], [-h, rho]]` of
 * (x~, v), so the bound at step T is `sum_t |M^(T-1-t)| d_t` (rigorous, elementwise),
 * times 1.01 for second-order terms, plus 2^-53 |x~_T| for the law's own rounding.
 * Finite input only.
 */
const lookAhead: Law<LookAheadInput> = {
  id: 'nesterov/look-ahead-closed-loop',
  subject: 'nesterov',
  title:
    'Nesterov: the change-of-variables code follows the look-ahead definition mapped through x~ = x + rho v, on a closed-loop quadratic (finite input, derived bound)',
  runs: 60,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.record({
        rho: fc.oneof(fc.constantFrom(0, 0.9, 0.99), range(0, 0.99)),
        h: range(0.01, 1),
        curvature: fc.array(range(0.1, 10), { minLength: n, maxLength: n }),
        x0: fc.array(normalValue(dtype, 1e-3, 10), { minLength: n, maxLength: n }),
        steps: fc.integer({ min: 1, max: 30 }),
      }),
    ),
  async check(adapter, { rho, h, curvature: drawn, x0, steps }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const eta = underflow(adapter.dtype, adapter.arithmetic);
    const r = rounderFor(adapter.dtype);
    // The curvatures in the dtype: the gradient r(c x) is then the taco-shell landscape's, which the closed loop
    // computes where the implementation runs (one round trip for the whole run, src/adapter/script.ts).
    const curvature = drawn.map(r);
    const lr = h / Math.max(...curvature);
    const n = x0.length;
    const script: Script = {
      calls: [
        { op: 'create', config: { optimizer: 'nesterov', learningRate: lr, rho }, x0: Float64Array.from(x0) },
        {
          op: 'closed',
          instance: 0,
          loop: { landscape: { name: 'taco-shell', curvature }, steps, x0, dtype: adapter.dtype },
        },
        { op: 'dispose', instance: 0 },
      ],
    };
    const [iterates] = trajectoriesOf(script, await runScript(adapter, script)) as [Float64Array[]];
    // The law's look-ahead state, per coordinate, in double-double.
    const X = x0.map((v) => dd(v));
    const V = x0.map(() => dd(0));
    const deltas: [number, number][][] = x0.map(() => []);
    const maps = curvature.map((c): M2 => {
      const hc = lr * c;
      return [1 - (1 + rho) * hc, rho * rho, -hc, rho];
    });
    const powers: M2[][] = maps.map(() => [[1, 0, 0, 1]]);
    const bounds: [number, number][] = x0.map(() => [0, 0]);
    let xt: Float64Array = Float64Array.from(x0);
    for (let t = 0; t < steps; t++) {
      const g = xt.map((v, i) => r(toNumber(mul(dd(curvature[i]!), dd(v)))));
      const next = iterates[t]!;
      for (let i = 0; i < n; i++) {
        const c = dd(curvature[i]!);
        const v = V[i]!;
        const lookAheadPoint = add(X[i]!, mul(dd(rho), v));
        const v1 = sub(mul(dd(rho), v), mul(dd(lr), mul(c, lookAheadPoint)));
        X[i] = add(X[i]!, v1);
        V[i] = v1;
        const tilde0 = toNumber(lookAheadPoint);
        const tilde1 = toNumber(add(X[i]!, mul(dd(rho), v1)));
        // Local errors from the larger of the law's and the implementation's x~ (both known),
        // the gradient actually passed, |v| as the law's plus its propagated bound, and
        // |v'| <= rho |v| + lr |g|: rigorous even where underflow makes relative errors large.
        const [, boundV] = bounds[i]!;
        const ax0 = Math.max(Math.abs(tilde0), Math.abs(xt[i]!));
        const ax1 = Math.max(Math.abs(tilde1), Math.abs(next[i]!));
        const av = Math.abs(toNumber(v)) + boundV;
        const av1 = SLACK * (rho * av + lr * Math.abs(g[i]!));
        const dv = SLACK * u * (2 * rho * av + 3 * lr * Math.abs(g[i]!) + av1) + 4 * eta + lr * eta;
        const dx = SLACK * 3 * u * (ax0 + ax1 + 2 * av + 2 * av1) + 4 * eta + (1 + rho) * dv;
        deltas[i]!.push([dx, dv]);
        const P = powers[i]!;
        P.push(mul2(maps[i]!, P[P.length - 1]!));
        let bx = 0;
        let bv = 0;
        for (let s = 0; s <= t; s++) {
          const m = P[t - s]!;
          const [ex, ev] = deltas[i]![s]!;
          bx += Math.abs(m[0]) * ex + Math.abs(m[1]) * ev;
          bv += Math.abs(m[2]) * ex + Math.abs(m[3]) * ev;
        }
        bounds[i] = [SLACK * bx, SLACK * bv];
        const bound = SLACK * bx + U64 * Math.abs(tilde1);
        requireWithin(
          'x~ differs from the look-ahead definition mapped through x~ = x + rho v',
          next[i]!,
          tilde1,
          bound,
          'sum_t |M^(T-1-t)| (dx~_t, dv_t) * 1.01 + 2^-53 |x~_T| (see the law)',
          adapter.dtype,
          { step: t + 1, coordinate: i },
        );
      }
      xt = next;
    }
  },
};

/**
 * The spec keeps the learning rate inside Nesterov's velocity (docs/spec.md section 3):
 * `v = rho v - lr dx; x += -rho old_v + (1 + rho) v`. At a constant rate this is, in exact
 * arithmetic, the lr-outside form of PyTorch, TF.js and optax (docs/conventions.md
 * `lr-placement`) `b = rho b + dx; x -= lr (dx + rho b)`, since `v = -lr b`; once the rate
 * changes, the spec's velocity keeps the old rates and the other form rescales it (at the
 * first changed step the increments differ by `rho^2 b (lr' - lr)`). The law asserts that
 * the implementation's x stays within `bound` of the lr-outside form's exact trajectory
 * before the change and of the spec's after it, both evaluated in double-double, and so
 * fails an lr-outside implementation. Bound, for any evaluation order of the spec's two
 * forms in the dtype: the velocity's term entering at step k carries at most 3s + 4
 * rounding factors by step s (lr, g, their product, the difference; then per step rho,
 * the product, the sum), so `|dv_s| <= (3s + 4) u B_s + 2 eta s` with
 * `B_s = sum_k rho^(s-k) lr_k |g_k|`; the x update `x - rho old_v + (1 + rho) v` or
 * `x + v + rho (v - old_v)` adds at most `3u (|x| + |x'| + 2|old_v| + 2|v|)` (as for
 * the look-ahead law) and 4 eta, and carries `rho |dv_{s-1}| + (1 + rho) |dv_s|`;
 * errors in x add up unscaled. First order times 1.01, plus 2^-53 |X_t| for the law's rounding.
 * Finite input only.
 */
const learningRateInside: Law<PlacementInput> = {
  id: 'nesterov/learning-rate-inside-velocity',
  subject: 'nesterov',
  title:
    'Nesterov: equals the lr-outside form b = rho b + dx; x -= lr (dx + rho b) at a constant learning rate, and keeps the old rates inside the velocity when it changes (finite input, derived bound)',
  runs: 60,
  arbitrary: placementArbitrary,
  async check(adapter, { rho, learningRate: lr, factor, change, x0, grads }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const eta = underflow(adapter.dtype, adapter.arithmetic);
    const changes: (number | undefined)[] = grads.map((_, t) => (t === change ? lr * factor : undefined));
    const rates = ratesInForce(lr, changes, grads.length);
    const xs = await trajectory(adapter, { optimizer: 'nesterov', learningRate: lr, rho }, x0, grads, changes);
    const R = dd(rho);
    const onePlusRho = add(dd(1), R);
    for (let i = 0; i < x0.length; i++) {
      let V = dd(0);
      let X = dd(x0[i]!);
      let b = dd(0);
      let Y = dd(x0[i]!);
      let B = 0;
      let dv = 0;
      let err = 0;
      let Xprev = x0[i]!;
      for (let s = 1; s <= grads.length; s++) {
        const g = dd(grads[s - 1]![i]!);
        const rate = dd(rates[s - 1]!);
        const oldV = V;
        V = sub(mul(R, V), mul(rate, g));
        X = add(sub(X, mul(R, oldV)), mul(onePlusRho, V));
        b = add(mul(R, b), g);
        Y = sub(Y, mul(rate, add(g, mul(R, b))));
        const oldB = B;
        const oldDv = dv;
        B = rho * B + rates[s - 1]! * Math.abs(grads[s - 1]![i]!);
        dv = SLACK * (3 * s + 4) * u * B + 2 * eta * s;
        const Xs = toNumber(X);
        // |x_(s-1)| and |x_s| as the law's values plus the error so far (x_s's own error this step is second order).
        err +=
          SLACK *
            (3 * u * (Math.abs(Xprev) + err + Math.abs(Xs) + err + 2 * (oldB + oldDv) + 2 * (B + dv)) +
              rho * oldDv +
              (1 + rho) * dv) +
          4 * eta;
        Xprev = Xs;
        const before = s <= change;
        const expected = before ? toNumber(Y) : Xs;
        const what = before
          ? 'at a constant learning rate x differs from the lr-outside form b = rho b + dx; x -= lr (dx + rho b)'
          : `after the learning rate changes to ${lr * factor} at step ${change + 1}, x differs from the spec's form (learning rate inside the velocity)`;
        requireWithin(
          what,
          xs[s - 1]![i]!,
          expected,
          err + U64 * Math.abs(expected),
          'sum_s 1.01 [3u (|x_s-1| + |x_s| + 2|v_s-1| + 2|v_s|) + rho dv_s-1 + (1 + rho) dv_s] + 4 eta s, dv_s = 1.01 (3s+4) u sum_k rho^(s-k) lr_k |g_k| + 2 eta s, + 2^-53 |X_t| (see the law)',
          adapter.dtype,
          { step: s, coordinate: i },
        );
      }
    }
  },
};

/** The laws of Nesterov momentum (docs/spec.md section 3), besides those every optimizer obeys. */
export const nesterovLaws: readonly Law[] = [
  rhoZeroIsSgd('nesterov') as Law,
  lookAhead as Law,
  learningRateInside as Law,
];

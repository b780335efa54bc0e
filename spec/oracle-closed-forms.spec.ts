import fc from 'fast-check';
import type { BigNumber } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/contract.js';
import { adagradStepError } from '../src/laws/adagrad.js';
import { adamStepError } from '../src/laws/adam.js';
import { adamStepBound } from '../src/laws/adam-step-bound.js';
import { add, dd, div, exp, mul, powInt, sqrt, sub, toNumber } from '../src/laws/exact.js';
import type { Dtype } from '../src/reference/types.js';
import { big, M, num } from './support/bignumber.js';
import { replayOptions } from './support/replay.js';

// The closed forms the laws state, evaluated in 80-digit BigNumber, against the
// reference; plus the laws' own double-double arithmetic against BigNumber.
const dtypes: Dtype[] = ['float64', 'float32'];
const unit = (dtype: Dtype) => (dtype === 'float32' ? 2 ** -24 : 2 ** -53);
const one = () => M.bignumber(1) as BigNumber;

async function run(
  dtype: Dtype,
  config: Parameters<ReturnType<typeof referenceAdapter>['create']>[0],
  x0: number[],
  grads: (t: number) => number[],
  steps: number,
): Promise<Float64Array[]> {
  const stepper = await referenceAdapter({ dtype }).create(config, Float64Array.from(x0));
  const out: Float64Array[] = [];
  for (let t = 0; t < steps; t++) out.push(Float64Array.from(await stepper.step(Float64Array.from(grads(t)))));
  return out;
}

describe.each(dtypes)('closed forms in BigNumber (%s)', (dtype) => {
  const u = unit(dtype);

  it('momentum reaches the terminal velocity g / (1 - rho) under a constant gradient', async () => {
    const [lr, rho, g, steps] = [0.01, 0.9, Math.fround(0.75), 300];
    const xs = await run(dtype, { optimizer: 'momentum', learningRate: lr, rho }, [0], () => [g], steps);
    let x = M.bignumber(0) as BigNumber;
    let power = one();
    let err = 0;
    for (let s = 1; s <= steps; s++) {
      power = power.times(big(rho));
      const velocity = big(g)
        .times(one().minus(power))
        .div(one().minus(big(rho)));
      x = x.minus(big(lr).times(velocity));
      // momentumModel's bound: (3s + 1) u lr A_s + u |x_s|, A_s = |g| (1 - rho^s) / (1 - rho) <= |g| / (1 - rho).
      err += 1.01 * ((3 * s + 1) * u * lr * (g / (1 - rho)) + u * Math.abs(num(x)));
      expect(Math.abs(xs[s - 1]![0]! - num(x))).toBeLessThanOrEqual(err + 2 ** -53 * Math.abs(num(x)));
    }
    const terminal = (lr * g) / (1 - rho);
    const last = xs[steps - 2]![0]! - xs[steps - 1]![0]!;
    // rho^300 is 2e-14: the step is the terminal one up to the two x values' bounds.
    expect(Math.abs(last - terminal)).toBeLessThanOrEqual(terminal * rho ** steps + 2 * err);
  });

  it('AdaGrad steps shrink as lr g / (sqrt(t) |g| + eps) under a constant gradient', async () => {
    const [lr, eps, g, steps] = [0.1, 1e-7, Math.fround(0.5), 400];
    const xs = await run(dtype, { optimizer: 'adagrad', learningRate: lr, epsilon: eps }, [0], () => [g], steps);
    for (let t = 1; t <= steps; t++) {
      const exact = num(
        big(lr)
          .times(big(g))
          .div(M.sqrt(M.bignumber(t)).times(big(g)).plus(big(eps)) as BigNumber),
      );
      const taken = (t === 1 ? 0 : xs[t - 2]![0]!) - xs[t - 1]![0]!;
      // adagradStepError(t) u relative, plus the update's rounding u |x_t| and the law's subtraction 2^-53 |step|.
      const bound = 1.01 * (adagradStepError(t) * u * exact + u * Math.abs(xs[t - 1]![0]!)) + 2 ** -53 * exact;
      expect(Math.abs(taken - exact), `step ${t}`).toBeLessThanOrEqual(bound);
    }
    // sqrt(t) * step -> lr as eps / |g| -> 0: at t = 400 within the eps term and the bound.
    const lastStep = xs[steps - 2]![0]! - xs[steps - 1]![0]!;
    expect(Math.abs(Math.sqrt(steps) * lastStep - lr)).toBeLessThanOrEqual(
      lr * (eps / (Math.sqrt(steps) * g)) * Math.sqrt(steps) + 1e-3 * lr,
    );
  });

  it('Adam steps by lr g / (|g| + eps) under a constant gradient, also for |g| below eps', async () => {
    const [lr, b1, b2, eps, steps] = [1e-3, 0.9, 0.999, 1e-8, 200];
    const g = [3, -1e-4, 2e-9].map(Math.fround);
    const xs = await run(
      dtype,
      { optimizer: 'adam', learningRate: lr, beta1: b1, beta2: b2, epsilon: eps },
      [0, 0, 0],
      () => g,
      steps,
    );
    for (let t = 1; t <= steps; t++) {
      g.forEach((gi, i) => {
        const exact = num(
          big(lr)
            .times(big(gi))
            .div(M.abs(big(gi)).plus(big(eps))),
        );
        const taken = (t === 1 ? 0 : xs[t - 2]![i]!) - xs[t - 1]![i]!;
        const bound =
          1.01 * (adamStepError(t, b1, b2) * u * Math.abs(exact) + u * Math.abs(xs[t - 1]![i]!)) +
          2 ** -53 * Math.abs(exact);
        expect(Math.abs(taken - exact), `step ${t}, coordinate ${i}`).toBeLessThanOrEqual(bound);
      });
    }
  });
});

describe('the RMSProp -> AdaGrad limit', () => {
  it('the gap shrinks linearly in 1 - decay_rate, below lr (1 - d) T (T - 1) / 2', async () => {
    const [lr, eps, steps] = [0.01, 1e-7, 20];
    const grads = (t: number) => [Math.sin(0.7 * t) + 0.2, 0.05 * Math.cos(1.3 * t)];
    const ada = await run('float64', { optimizer: 'adagrad', learningRate: lr, epsilon: eps }, [0, 0], grads, steps);
    const gaps: number[] = [];
    for (const delta of [1e-2, 5e-3, 2.5e-3, 1.25e-3]) {
      const root = Math.sqrt(delta);
      const rms = await run(
        'float64',
        { optimizer: 'rmsprop', learningRate: lr * root, decayRate: 1 - delta, epsilon: eps * root },
        [0, 0],
        grads,
        steps,
      );
      const gap = Math.max(...rms.flatMap((x, t) => [0, 1].map((i) => Math.abs(x[i]! - ada[t]![i]!))));
      expect(gap).toBeLessThanOrEqual((lr * delta * steps * (steps - 1)) / 2);
      gaps.push(gap);
    }
    // gap = D delta + O(delta^2): halving delta halves the gap up to the second-order
    // term, relative size about T delta <= 0.2 here, so each ratio lies within 2 (1 +- 0.25).
    for (let k = 1; k < gaps.length; k++) expect(gaps[k - 1]! / gaps[k]!).toBeGreaterThan(1.5);
    for (let k = 1; k < gaps.length; k++) expect(gaps[k - 1]! / gaps[k]!).toBeLessThan(2.5);
    console.log(
      `RMSProp -> AdaGrad gap over ${steps} steps at 1 - d = 1e-2, 5e-3, 2.5e-3, 1.25e-3: ${gaps.map((g) => g.toExponential(3)).join(', ')}`,
    );
  });
});

describe('the Adam step bound of the laws', () => {
  // B_t in BigNumber from its definition, against the law's double evaluation.
  function bound(b1: number, b2: number, t: number): number {
    const B1 = big(b1);
    const B2 = big(b2);
    let S = M.bignumber(0) as BigNumber;
    let gamma = one();
    for (let j = 0; j < t; j++) {
      S = S.plus(gamma);
      gamma = gamma.times(B1.times(B1).div(B2));
    }
    const p1 = one().minus(B1.pow(t));
    const p2 = one().minus(B2.pow(t));
    return num(
      one()
        .minus(B1)
        .div(p1)
        .times(p2.div(one().minus(B2)).sqrt())
        .times(S.sqrt()),
    );
  }

  it('adamStepBound matches its definition evaluated in BigNumber', () => {
    for (const [b1, b2] of [
      [0.9, 0.999],
      [0.9, 0.99],
      [0, 0.9],
      [0.99, 0.9],
    ] as const) {
      for (const t of [1, 2, 10, 30, 300])
        expect(Math.abs(adamStepBound(b1, b2, t) / bound(b1, b2, t) - 1)).toBeLessThanOrEqual(1e-12);
    }
    expect(adamStepBound(0.9, 0.999, 1)).toBe(1);
  });

  it("is tight, and Kingma and Ba's |step| <= lr is not a bound: gradients growing like (beta2/beta1)^k reach 2.3 lr", async () => {
    // beta1 = 0.9, beta2 = 0.99: (1 - beta1) / sqrt(1 - beta2) = 1, so the heuristic says |step| <= lr.
    const [lr, b1, b2, steps, tail] = [1e-3, 0.9, 0.99, 300, 50];
    const grads = (t: number) => [t < steps - tail ? 1e-20 : (b1 / b2) ** (steps - 1 - t)];
    const xs = await run(
      'float64',
      { optimizer: 'adam', learningRate: lr, beta1: b1, beta2: b2, epsilon: 0 },
      [0],
      grads,
      steps,
    );
    const last = Math.abs(xs[steps - 2]![0]! - xs[steps - 1]![0]!);
    const B = bound(b1, b2, steps);
    expect(last).toBeGreaterThan(2 * lr);
    expect(last).toBeLessThanOrEqual(lr * B * (1 + 1e-12));
    expect(last).toBeGreaterThanOrEqual(0.99 * lr * B);
  });
});

describe("the laws' double-double arithmetic against BigNumber", () => {
  // Normal-range operands: like doubles, double-doubles lose relative accuracy in the subnormal range.
  const value = fc.oneof(
    fc.double({ min: 1e-100, max: 1e6, noNaN: true }),
    fc.double({ min: -1e6, max: -1e-100, noNaN: true }),
    fc.double({ min: 1e-6, max: 1, noNaN: true }),
    fc.constant(0),
  );
  const rel = (actual: ReturnType<typeof dd>, exact: BigNumber) => {
    const e = num(exact);
    const a = big(actual.hi).plus(big(actual.lo));
    return e === 0 ? Math.abs(num(a)) : Math.abs(num(a.minus(exact).div(exact)));
  };
  // Double-double carries about 104 bits: every result within 2^-100 relative; x^n by binary
  // powering within n 2^-100 (squaring doubles a relative error), exp (ten squarings) within 2^-92.
  it('add, sub, mul, div and sqrt', () => {
    fc.assert(
      fc.property(value, value, (a, b) => {
        expect(rel(add(dd(a), dd(b)), big(a).plus(big(b)))).toBeLessThanOrEqual(
          (2 ** -100 * (Math.abs(a) + Math.abs(b))) / Math.max(Math.abs(a + b), 2 ** -1000),
        );
        expect(rel(sub(mul(dd(a), dd(b)), dd(a)), big(a).times(big(b)).minus(big(a)))).toBeLessThanOrEqual(
          (2 ** -100 * (Math.abs(a * b) + Math.abs(a))) / Math.max(Math.abs(a * b - a), 2 ** -1000),
        );
        if (b !== 0) expect(rel(div(dd(a), dd(b)), big(a).div(big(b)))).toBeLessThanOrEqual(2 ** -100);
        expect(rel(sqrt(dd(Math.abs(a))), big(Math.abs(a)).sqrt())).toBeLessThanOrEqual(2 ** -100);
      }),
      { numRuns: 300, ...replayOptions() },
    );
  });

  it('exp and integer powers', () => {
    fc.assert(
      // Results above 1e-280, so that even the low part of a double-double stays normal.
      fc.property(
        fc.double({ min: -640, max: 700, noNaN: true }),
        fc.double({ min: 0.5, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 900 }),
        (x, b, n) => {
          expect(rel(exp(dd(x)), M.exp(big(x)) as BigNumber)).toBeLessThanOrEqual(2 ** -92);
          expect(rel(powInt(dd(b), n), big(b).pow(n))).toBeLessThanOrEqual(2 ** -100 * Math.max(1, n));
        },
      ),
      { numRuns: 200, ...replayOptions() },
    );
    expect(toNumber(exp(dd(-800)))).toBe(0);
    expect(toNumber(exp(dd(800)))).toBe(Number.POSITIVE_INFINITY);
    expect(toNumber(div(dd(1), dd(0)))).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(toNumber(div(dd(0), dd(0))))).toBe(true);
  });
});

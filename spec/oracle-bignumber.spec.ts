import type { BigNumber } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/contract.js';
import { adagradStepError } from '../src/laws/adagrad.js';
import { adamStepError } from '../src/laws/adam.js';
import { rmspropStepError } from '../src/laws/rmsprop.js';
import type { OptimizerConfig, OptimizerName } from '../src/reference/types.js';
import { big, M, num, ulpOf } from './support/bignumber.js';

// A high-precision oracle: the lecture's rules run in 80-digit BigNumber arithmetic
// (exact to far below either dtype's ULP over 1000 steps) on the same inputs as the
// reference, which runs in float64 and float32. The error of the reference is measured
// in ULPs of the dtype at every step and asserted to stay below the derived bound of
// its growth (the same per-step error terms the laws use, summed over the steps).
const STEPS = 1000;
const X0 = [0.5, -1.25];
// Bounded, mixed-sign, float32-representable gradients, so both dtypes see the same input.
const gradient = (t: number, i: number) => Math.fround(Math.sin(0.37 * t + 1.3 * i) + 0.1);
const SLACK = 1.01;

const configs: Record<OptimizerName, OptimizerConfig> = {
  sgd: { optimizer: 'sgd', learningRate: 0.01 },
  momentum: { optimizer: 'momentum', learningRate: 0.01, rho: 0.9 },
  nesterov: { optimizer: 'nesterov', learningRate: 0.01, rho: 0.9 },
  adagrad: { optimizer: 'adagrad', learningRate: 0.1, epsilon: 1e-7 },
  rmsprop: { optimizer: 'rmsprop', learningRate: 0.01, decayRate: 0.99, epsilon: 1e-7 },
  adam: { optimizer: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
};

/** The exact trajectory of one coordinate and, per dtype, the derived bound on a correct implementation's error. */
function oracle(config: OptimizerConfig, i: number, u: number): { x: number[]; bound: number[] } {
  const one = M.bignumber(1) as BigNumber;
  let x = big(X0[i]!);
  let a = M.bignumber(0) as BigNumber; // velocity / accumulator / first moment
  let b = M.bignumber(0) as BigNumber; // second moment
  let p1 = one;
  let p2 = one;
  let A = 0; // sum of |terms| of the velocity or first moment, in double
  let err = 0;
  let errV = 0;
  const xs: number[] = [];
  const bounds: number[] = [];
  const lr = big(config.learningRate);
  for (let s = 1; s <= STEPS; s++) {
    const gd = gradient(s - 1, i);
    const g = big(gd);
    let stepError = 0;
    switch (config.optimizer) {
      case 'sgd':
        x = x.minus(lr.times(g));
        stepError = 3 * u * config.learningRate * Math.abs(gd);
        break;
      case 'momentum': {
        const rho = big(config.rho);
        a = rho.times(a).plus(g);
        x = x.minus(lr.times(a));
        A = config.rho * A + Math.abs(gd);
        stepError = (3 * s + 3) * u * config.learningRate * A;
        break;
      }
      case 'nesterov': {
        const rho = big(config.rho);
        const old = a;
        a = rho.times(a).minus(lr.times(g));
        const xOld = Math.abs(num(x));
        x = x.plus(rho.neg().times(old)).plus(one.plus(rho).times(a));
        // Open loop: dv = u (2 rho |v| + 3 lr |g| + |v'|), dx = 3u (|x| + |x'| + 2|v| + 2|v'|); e_x' <= e_x + rho e_v + (1 + rho) e_v' + dx.
        const v0 = Math.abs(num(old));
        const v1 = Math.abs(num(a));
        const dv = u * (2 * config.rho * v0 + 3 * config.learningRate * Math.abs(gd) + v1);
        const nextV = config.rho * errV + SLACK * dv;
        stepError =
          config.rho * errV +
          (1 + config.rho) * nextV +
          3 * u * (xOld + Math.abs(num(x)) + 2 * v0 + 2 * v1) -
          u * Math.abs(num(x));
        errV = nextV;
        break;
      }
      case 'adagrad': {
        a = a.plus(g.times(g));
        const step = lr.times(g).div(a.sqrt().plus(big(config.epsilon)));
        x = x.minus(step);
        stepError = adagradStepError(s) * u * Math.abs(num(step));
        break;
      }
      case 'rmsprop': {
        const d = big(config.decayRate);
        a = d.times(a).plus(one.minus(d).times(g).times(g));
        const step = lr.times(g).div(a.sqrt().plus(big(config.epsilon)));
        x = x.minus(step);
        stepError = rmspropStepError(s, 1 - config.decayRate) * u * Math.abs(num(step));
        break;
      }
      case 'adam': {
        const b1 = big(config.beta1);
        const b2 = big(config.beta2);
        a = b1.times(a).plus(one.minus(b1).times(g));
        b = b2.times(b).plus(one.minus(b2).times(g).times(g));
        p1 = p1.times(b1);
        p2 = p2.times(b2);
        const den = b.div(one.minus(p2)).sqrt().plus(big(config.epsilon));
        x = x.minus(lr.times(a.div(one.minus(p1))).div(den));
        // Mixed signs: the first moment's error is relative to the same sum of |terms|.
        A = config.beta1 * A + (1 - config.beta1) * Math.abs(gd);
        stepError =
          (adamStepError(s, config.beta1, config.beta2) * u * config.learningRate * (A / (1 - config.beta1 ** s))) /
          num(den);
        break;
      }
    }
    const xd = num(x);
    err += SLACK * (stepError + u * Math.abs(xd));
    xs.push(xd);
    bounds.push(err + 2 ** -53 * Math.abs(xd));
  }
  return { x: xs, bound: bounds };
}

const measured: string[] = [];

describe.each<'float64' | 'float32'>(['float64', 'float32'])(
  `the reference against an 80-digit BigNumber oracle over ${STEPS} steps (%s)`,
  (dtype) => {
    const u = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
    it.each(Object.keys(configs) as OptimizerName[])(
      '%s stays within the derived error bound at every step',
      async (name) => {
        const config = configs[name];
        const exact = X0.map((_, i) => oracle(config, i, u));
        const stepper = await referenceAdapter({ dtype }).create(config, Float64Array.from(X0));
        // ULPs at the exact value blow up where x crosses zero, so the error is also measured
        // in ULPs of the trajectory's scale, max_{s<=t} |x_s|: that is what grows with t.
        let worst = 0;
        let worstScaled = 0;
        let worstBoundScaled = 0;
        const scale = X0.map((v) => Math.abs(v));
        const checkpoints: string[] = [];
        for (let t = 0; t < STEPS; t++) {
          const x = await stepper.step(Float64Array.from(X0, (_, i) => gradient(t, i)));
          let scaledNow = 0;
          X0.forEach((_, i) => {
            const e = exact[i]!;
            const error = Math.abs(x[i]! - e.x[t]!);
            expect(
              error,
              `${name} ${dtype} step ${t + 1} coordinate ${i}: ${x[i]} vs exact ${e.x[t]}`,
            ).toBeLessThanOrEqual(e.bound[t]!);
            scale[i] = Math.max(scale[i]!, Math.abs(e.x[t]!));
            worst = Math.max(worst, error / ulpOf(e.x[t]!, dtype));
            scaledNow = Math.max(scaledNow, error / ulpOf(scale[i]!, dtype));
            worstBoundScaled = Math.max(worstBoundScaled, e.bound[t]! / ulpOf(scale[i]!, dtype));
          });
          worstScaled = Math.max(worstScaled, scaledNow);
          if (t + 1 === 10 || t + 1 === 100 || t + 1 === STEPS)
            checkpoints.push(`t=${t + 1}: ${worstScaled.toFixed(1)}`);
        }
        measured.push(
          `${dtype} ${name}: worst ${worstScaled.toFixed(1)} ULP of scale (${checkpoints.join(', ')}), ${worst.toFixed(0)} ULP at the value; derived bound up to ${worstBoundScaled.toFixed(0)} ULP of scale`,
        );
        // The measured error is far below the worst-case bound, but must not be zero everywhere
        // in float32 (the oracle would then not be measuring anything).
        if (dtype === 'float32') expect(worst).toBeGreaterThan(0);
      },
    );
  },
);

describe('the measured error growth', () => {
  it('is reported', () => {
    console.log(
      `BigNumber oracle, error of the reference in ULPs of its dtype (running worst at t = 10, 100, 1000):\n${measured.join('\n')}`,
    );
    expect(measured.length).toBe(12);
  });
});

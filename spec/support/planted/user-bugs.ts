import type { Adapter } from '../../../src/adapter/contract.js';
import type { OptimizerConfig } from '../../../src/reference/types.js';

/**
 * The hand-written bugs a new user meets first, written as a user would (plain
 * JavaScript over Float64Arrays, no optimspec code): from the report alone the cause
 * is on the first screen, and every counterexample re-runs by hand. This one: Adam's
 * bias corrections with `beta ** (t + 1)`.
 */
export const adamCounterPlusOne: Adapter = {
  name: 'adam with beta ** (t + 1)',
  dtype: 'float64',
  optimizers: ['adam'],
  create(config, x0) {
    const c = config as Extract<OptimizerConfig, { optimizer: 'adam' }>;
    const x = Float64Array.from(x0);
    const m = new Float64Array(x.length);
    const v = new Float64Array(x.length);
    let lr = c.learningRate;
    let t = 0;
    return {
      step(g, rate) {
        if (rate !== undefined) lr = rate;
        t++;
        for (let i = 0; i < x.length; i++) {
          m[i] = c.beta1 * m[i]! + (1 - c.beta1) * g[i]!;
          v[i] = c.beta2 * v[i]! + (1 - c.beta2) * g[i]! * g[i]!;
          const mHat = m[i]! / (1 - c.beta1 ** (t + 1));
          const vHat = v[i]! / (1 - c.beta2 ** (t + 1));
          x[i] = x[i]! - (lr * mHat) / (Math.sqrt(vHat) + c.epsilon);
        }
        return x;
      },
    };
  },
};

/** Momentum whose velocity already holds the learning rate and whose step applies it again. */
export const momentumRateTwice: Adapter = {
  name: 'momentum with the learning rate applied twice',
  dtype: 'float64',
  optimizers: ['momentum'],
  create(config, x0) {
    const c = config as Extract<OptimizerConfig, { optimizer: 'momentum' }>;
    const x = Float64Array.from(x0);
    const vx = new Float64Array(x.length);
    let lr = c.learningRate;
    return {
      step(g, rate) {
        if (rate !== undefined) lr = rate;
        for (let i = 0; i < x.length; i++) {
          vx[i] = c.rho * vx[i]! + lr * g[i]!;
          x[i] = x[i]! - lr * vx[i]!;
        }
        return x;
      },
    };
  },
};

/** Nesterov's change-of-variables code with `1 - rho` typed for `1 + rho`. */
export const nesterovOneMinusRho: Adapter = {
  name: 'nesterov with 1 - rho',
  dtype: 'float64',
  optimizers: ['nesterov'],
  create(config, x0) {
    const c = config as Extract<OptimizerConfig, { optimizer: 'nesterov' }>;
    const x = Float64Array.from(x0);
    const v = new Float64Array(x.length);
    let lr = c.learningRate;
    return {
      step(g, rate) {
        if (rate !== undefined) lr = rate;
        for (let i = 0; i < x.length; i++) {
          const oldV = v[i]!;
          v[i] = c.rho * v[i]! - lr * g[i]!;
          x[i] = x[i]! - c.rho * oldV + (1 - c.rho) * v[i]!;
        }
        return x;
      },
    };
  },
};

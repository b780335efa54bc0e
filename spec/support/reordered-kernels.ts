import type {
  AdamConfig,
  AdagradConfig,
  MomentumConfig,
  NesterovConfig,
  OptimizerName,
  RmspropConfig,
  ScheduleConfig,
  ScheduleName,
} from '../../src/reference/types.js';
import { add, dd, mul, toNumber } from '../../src/laws/exact.js';
import type { KernelFactory } from './kernel-adapter.js';

/**
 * Correct implementations of the lecture's rules that round differently from the
 * reference, the way TF.js does in float32: hyperparameters held in the dtype and
 * `1 - beta` formed there, `beta ** t` by repeated multiplication, `lr * (g / den)`
 * instead of `(lr * g) / den`, Nesterov in the lecture's other algebraic form. The
 * laws must pass on these in both dtypes: their tolerances are meant to cover exactly this.
 */
export const reorderedKernels: Record<OptimizerName, KernelFactory> = {
  sgd: (_config, _n, r) => (x, g, lr) => {
    for (let i = 0; i < x.length; i++) x[i] = r(x[i]! - r(r(lr) * r(g[i]!)));
  },
  momentum: (config, n, r) => {
    const rho = r((config as MomentumConfig).rho);
    const v = new Float64Array(n);
    return (x, g, lr) => {
      for (let i = 0; i < x.length; i++) {
        v[i] = r(r(rho * v[i]!) + r(g[i]!));
        x[i] = r(x[i]! - r(r(lr) * v[i]!));
      }
    };
  },
  nesterov: (config, n, r) => {
    const rho = r((config as NesterovConfig).rho);
    const v = new Float64Array(n);
    return (x, g, lr) => {
      for (let i = 0; i < x.length; i++) {
        const old = v[i]!;
        v[i] = r(r(rho * old) - r(r(lr) * r(g[i]!)));
        // x~ + v' + rho (v' - v): the lecture's second form of the same update.
        x[i] = r(r(x[i]! + v[i]!) + r(rho * r(v[i]! - old)));
      }
    };
  },
  adagrad: (config, n, r) => {
    const eps = r((config as AdagradConfig).epsilon);
    const G = new Float64Array(n);
    return (x, g, lr) => {
      for (let i = 0; i < x.length; i++) {
        const gi = r(g[i]!);
        G[i] = r(G[i]! + r(gi * gi));
        x[i] = r(x[i]! - r(r(lr) * r(gi / r(r(Math.sqrt(G[i]!)) + eps))));
      }
    };
  },
  rmsprop: (config, n, r) => {
    const c = config as RmspropConfig;
    const d = r(c.decayRate);
    const oneMinus = r(1 - d);
    const eps = r(c.epsilon);
    const G = new Float64Array(n);
    return (x, g, lr) => {
      for (let i = 0; i < x.length; i++) {
        const gi = r(g[i]!);
        G[i] = r(r(d * G[i]!) + r(oneMinus * r(gi * gi)));
        x[i] = r(x[i]! - r(r(lr) * r(gi / r(r(Math.sqrt(G[i]!)) + eps))));
      }
    };
  },
  adam: (config, n, r) => {
    const c = config as AdamConfig;
    const b1 = r(c.beta1);
    const b2 = r(c.beta2);
    const omb1 = r(1 - b1);
    const omb2 = r(1 - b2);
    const eps = r(c.epsilon);
    const m = new Float64Array(n);
    const v = new Float64Array(n);
    let acc1 = 1;
    let acc2 = 1;
    return (x, g, lr) => {
      acc1 = r(acc1 * b1);
      acc2 = r(acc2 * b2);
      const bias1 = r(1 - acc1);
      const bias2 = r(1 - acc2);
      for (let i = 0; i < x.length; i++) {
        const gi = r(g[i]!);
        m[i] = r(r(b1 * m[i]!) + r(omb1 * gi));
        v[i] = r(r(b2 * v[i]!) + r(omb2 * r(gi * gi)));
        const mHat = r(m[i]! / bias1);
        const vHat = r(v[i]! / bias2);
        x[i] = r(x[i]! - r(r(lr) * r(mHat / r(r(Math.sqrt(vHat)) + eps))));
      }
    };
  },
};

/** The schedules evaluated in the dtype: factor^n by repeated multiplication, exp of a rounded argument. */
export function reorderedSchedules(
  r: (v: number) => number,
): Record<ScheduleName, (config: ScheduleConfig) => (t: number) => number> {
  return {
    step: (config) => (t) => {
      const c = config as Extract<ScheduleConfig, { schedule: 'step' }>;
      let v = r(c.initial);
      for (let k = 0; k < Math.floor(t / c.every); k++) v = r(v * r(c.factor));
      return v;
    },
    exponential: (config) => (t) => {
      const c = config as Extract<ScheduleConfig, { schedule: 'exponential' }>;
      return r(r(c.initial) * r(Math.exp(r(-r(c.k) * t))));
    },
    'inverse-time': (config) => (t) => {
      const c = config as Extract<ScheduleConfig, { schedule: 'inverse-time' }>;
      return r(r(c.initial) / r(1 + r(r(c.k) * t)));
    },
  };
}

/**
 * `a * b + c` with one rounding to double (an FMA), through double-double; where
 * double-double cannot split the product (beyond ~1e300) or a value is not finite,
 * the plain double evaluation, whose result there is the same or as legitimate.
 */
function fma(a: number, b: number, c: number): number {
  if (!(Math.abs(a) < 1e150 && Math.abs(b) < 1e150 && Math.abs(c) < 1e300)) return a * b + c;
  return toNumber(add(mul(dd(a), dd(b)), dd(c)));
}

/**
 * Correct Momentum and Nesterov kernels rounded as other languages do, for adapters that
 * offer only one of them (no SGD for `rho-zero-is-sgd` to compare with): Momentum as JS
 * `x[i] -= lr * vx[i]` on a Float32Array (lr and rho kept in double, product and
 * difference in double, then one rounding to the dtype); Nesterov as C with FMA
 * contraction, `v = fmaf(-lr, g, rho * v); x = fmaf(1 + rho, v, fmaf(-rho, old_v, x))`
 * with lr and rho in double (each FMA rounded to double, then to the dtype).
 */
export const lrInDoubleKernels: Pick<Record<OptimizerName, KernelFactory>, 'momentum' | 'nesterov'> = {
  momentum: (config, n, r) => {
    const rho = (config as MomentumConfig).rho;
    const v = new Float64Array(n);
    return (x, g, lr) => {
      for (let i = 0; i < x.length; i++) {
        v[i] = r(rho * v[i]! + g[i]!);
        x[i] = r(x[i]! - lr * v[i]!);
      }
    };
  },
  nesterov: (config, n, r) => {
    const rho = (config as NesterovConfig).rho;
    const v = new Float64Array(n);
    return (x, g, lr) => {
      for (let i = 0; i < x.length; i++) {
        const old = v[i]!;
        v[i] = r(fma(-lr, g[i]!, r(rho * old)));
        x[i] = r(fma(1 + rho, v[i]!, r(fma(-rho, old, x[i]!))));
      }
    };
  },
};

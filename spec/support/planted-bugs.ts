import type { Adapter } from '../../src/adapter/contract.js';
import type {
  AdamConfig,
  AdagradConfig,
  Dtype,
  MomentumConfig,
  NesterovConfig,
  OptimizerName,
  RmspropConfig,
  ScheduleConfig,
  ScheduleName,
} from '../../src/reference/types.js';
import { type KernelFactory, kernelAdapter } from './kernel-adapter.js';
import { reorderedKernels, reorderedSchedules } from './reordered-kernels.js';

/** A planted bug: an implementation with one thing wrong, and the laws that must catch it. */
export interface PlantedBug {
  bug: string;
  /** The law ids of which each must report `fail`. */
  caughtBy: string[];
  adapter(dtype: Dtype): Adapter;
}

function withKernel(bug: string, name: OptimizerName, factory: KernelFactory): (dtype: Dtype) => Adapter {
  return (dtype) => kernelAdapter({ name: bug, dtype, optimizers: { ...reorderedKernels, [name]: factory } });
}

/** An adapter offering only this one optimizer, so that no law can compare it with the adapter's own SGD. */
function alone(bug: string, name: OptimizerName, factory: KernelFactory): (dtype: Dtype) => Adapter {
  return (dtype) => kernelAdapter({ name: bug, dtype, optimizers: { [name]: factory } });
}

function withSchedule(
  bug: string,
  name: ScheduleName,
  make: (r: (v: number) => number) => (config: ScheduleConfig) => (t: number) => number,
): (dtype: Dtype) => Adapter {
  return (dtype) => {
    const r = dtype === 'float32' ? Math.fround : (v: number) => v;
    return kernelAdapter({
      name: bug,
      dtype,
      optimizers: reorderedKernels,
      schedules: { ...reorderedSchedules(r), [name]: make(r) },
    });
  };
}

/** Every planted bug, in the lecture's order. Real libraries shipped several of them (docs/conventions.md). */
export const plantedBugs: PlantedBug[] = [
  {
    bug: "SGD with the notes' `x += learning_rate * dx` slip",
    caughtBy: ['sgd/descent', 'sgd/closed-form'],
    adapter: withKernel('sgd-ascent', 'sgd', (_c, _n, r) => (x, g, lr) => {
      for (let i = 0; i < x.length; i++) x[i] = r(x[i]! + r(lr * g[i]!));
    }),
  },
  {
    bug: 'SGD that scales the step by the vector norm (not element-wise)',
    caughtBy: ['sgd/element-wise'],
    adapter: withKernel('sgd-norm', 'sgd', (_c, _n, r) => (x, g, lr) => {
      const norm = Math.hypot(...g) || 1;
      for (let i = 0; i < x.length; i++) x[i] = r(x[i]! - r((lr * g[i]!) / norm));
    }),
  },
  {
    bug: 'SGD with hidden weight decay (moves on a zero gradient)',
    caughtBy: ['sgd/zero-gradient'],
    adapter: withKernel('sgd-decay', 'sgd', (_c, _n, r) => (x, g, lr) => {
      for (let i = 0; i < x.length; i++) x[i] = r(x[i]! - r(lr * (g[i]! + 1e-3 * x[i]!)));
    }),
  },
  {
    bug: 'SGD that treats a learning rate of 0 as "use the default 0.01"',
    caughtBy: ['sgd/zero-learning-rate'],
    adapter: withKernel('sgd-default-lr', 'sgd', (_c, _n, r) => (x, g, lr) => {
      for (let i = 0; i < x.length; i++) x[i] = r(x[i]! - r((lr || 0.01) * g[i]!));
    }),
  },
  {
    bug: 'SGD that updates the gradient array in place',
    caughtBy: ['sgd/inputs-not-mutated'],
    adapter: withKernel('sgd-mutating', 'sgd', (_c, _n, r) => (x, g, lr) => {
      for (let i = 0; i < x.length; i++) {
        g[i] = r(lr * g[i]!);
        x[i] = r(x[i]! - g[i]!);
      }
    }),
  },
  {
    bug: 'Momentum whose velocity is shared by every instance (module-level state)',
    caughtBy: ['momentum/deterministic-independent'],
    adapter: (() => {
      let shared = new Float64Array(0);
      return withKernel('momentum-shared', 'momentum', (c, n, r) => {
        if (shared.length !== n) shared = new Float64Array(n);
        return (x, g, lr) => {
          for (let i = 0; i < x.length; i++) {
            shared[i] = r(r((c as MomentumConfig).rho * shared[i]!) + g[i]!);
            x[i] = r(x[i]! - r(lr * shared[i]!));
          }
        };
      });
    })(),
  },
  {
    bug: 'Momentum without rho (`vx = vx + dx`)',
    caughtBy: ['momentum/constant-gradient-velocity', 'momentum/decay-after-warm-up', 'momentum/rho-zero-is-sgd'],
    adapter: withKernel('momentum-no-rho', 'momentum', (_c, n, r) => {
      const v = new Float64Array(n);
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) {
          v[i] = r(v[i]! + g[i]!);
          x[i] = r(x[i]! - r(lr * v[i]!));
        }
      };
    }),
  },
  {
    bug: "Momentum with the notes' `x += learning_rate * vx` slip",
    caughtBy: ['momentum/descent'],
    adapter: withKernel('momentum-ascent', 'momentum', (c, n, r) => {
      const v = new Float64Array(n);
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) {
          v[i] = r(r((c as MomentumConfig).rho * v[i]!) + g[i]!);
          x[i] = r(x[i]! + r(lr * v[i]!));
        }
      };
    }),
  },
  {
    bug: 'Momentum in the `v = rho v - lr dx; x += v` form (convention lr-placement)',
    caughtBy: ['momentum/learning-rate-outside-velocity'],
    adapter: withKernel('momentum-lr-inside', 'momentum', (c, n, r) => {
      const v = new Float64Array(n);
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) {
          v[i] = r(r((c as MomentumConfig).rho * v[i]!) - r(lr * g[i]!));
          x[i] = r(x[i]! + v[i]!);
        }
      };
    }),
  },
  {
    bug: 'Nesterov implemented as plain momentum with the learning rate inside (`x += v`)',
    caughtBy: ['nesterov/look-ahead-closed-loop'],
    adapter: withKernel('nesterov-plain', 'nesterov', (c, n, r) => {
      const v = new Float64Array(n);
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) {
          v[i] = r(r((c as NesterovConfig).rho * v[i]!) - r(lr * g[i]!));
          x[i] = r(x[i]! + v[i]!);
        }
      };
    }),
  },
  {
    bug: 'Nesterov with the correction term dropped at rho = 0 handled wrongly (`x += 2 v`)',
    caughtBy: ['nesterov/rho-zero-is-sgd'],
    adapter: withKernel('nesterov-double', 'nesterov', (c, n, r) => {
      const v = new Float64Array(n);
      return (x, g, lr) => {
        const rho = (c as NesterovConfig).rho;
        for (let i = 0; i < x.length; i++) {
          const old = v[i]!;
          v[i] = r(r(rho * old) - r(lr * g[i]!));
          x[i] = r(x[i]! + r(r(-rho * old) + r(2 * v[i]!)));
        }
      };
    }),
  },
  {
    bug: 'Nesterov in the lr-outside form `b = rho b + dx; x -= lr (dx + rho b)` (convention lr-placement, as TF.js and PyTorch)',
    caughtBy: ['nesterov/learning-rate-inside-velocity'],
    adapter: withKernel('nesterov-lr-outside', 'nesterov', (c, n, r) => {
      const b = new Float64Array(n);
      const rho = r((c as NesterovConfig).rho);
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) {
          b[i] = r(r(rho * b[i]!) + g[i]!);
          x[i] = r(x[i]! - r(r(lr) * r(g[i]! + r(rho * b[i]!))));
        }
      };
    }),
  },
  {
    bug: 'Momentum-only adapter (no SGD to compare with), lr kept in double, without rho (`vx = vx + dx`)',
    caughtBy: ['momentum/rho-zero-is-sgd', 'momentum/constant-gradient-velocity'],
    adapter: alone('momentum-alone-no-rho', 'momentum', (_c, n, r) => {
      const v = new Float64Array(n);
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) {
          v[i] = r(v[i]! + g[i]!);
          x[i] = r(x[i]! - lr * v[i]!);
        }
      };
    }),
  },
  {
    bug: 'Nesterov-only adapter (no SGD to compare with), lr kept in double, with `x += -rho old_v + 2 v`',
    caughtBy: ['nesterov/rho-zero-is-sgd', 'nesterov/look-ahead-closed-loop'],
    adapter: alone('nesterov-alone-double', 'nesterov', (c, n, r) => {
      const v = new Float64Array(n);
      const rho = (c as NesterovConfig).rho;
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) {
          const old = v[i]!;
          v[i] = r(rho * old - lr * g[i]!);
          x[i] = r(x[i]! - rho * old + 2 * v[i]!);
        }
      };
    }),
  },
  {
    bug: 'AdaGrad accumulating |dx| instead of dx * dx',
    caughtBy: ['adagrad/constant-gradient-inverse-sqrt'],
    adapter: withKernel('adagrad-abs', 'adagrad', (c, n, r) => {
      const G = new Float64Array(n);
      const eps = (c as AdagradConfig).epsilon;
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) {
          G[i] = r(G[i]! + Math.abs(g[i]!));
          x[i] = r(x[i]! - r(r(lr * g[i]!) / r(r(Math.sqrt(G[i]!)) + eps)));
        }
      };
    }),
  },
  {
    bug: 'AdaGrad that forgets its history (`grad_squared = dx * dx`)',
    caughtBy: ['adagrad/step-size-never-increases', 'adagrad/constant-gradient-inverse-sqrt'],
    adapter: withKernel('adagrad-forgetful', 'adagrad', (c, _n, r) => {
      const eps = (c as AdagradConfig).epsilon;
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) x[i] = r(x[i]! - r(r(lr * g[i]!) / r(r(Math.abs(g[i]!)) + eps)));
      };
    }),
  },
  {
    bug: 'AdaGrad with a hidden epsilon of 1e-8 inside the root',
    caughtBy: ['adagrad/power-of-two-scaling-exact'],
    adapter: withKernel('adagrad-hidden-eps', 'adagrad', (c, n, r) => {
      const G = new Float64Array(n);
      const eps = (c as AdagradConfig).epsilon;
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) {
          G[i] = r(G[i]! + r(g[i]! * g[i]!));
          x[i] = r(x[i]! - r(r(lr * g[i]!) / r(r(Math.sqrt(r(G[i]! + 1e-8))) + eps)));
        }
      };
    }),
  },
  {
    bug: 'RMSProp without the (1 - decay_rate) factor',
    caughtBy: ['rmsprop/adagrad-limit', 'rmsprop/constant-gradient-no-decay'],
    adapter: withKernel('rmsprop-no-factor', 'rmsprop', (c, n, r) => {
      const { decayRate, epsilon } = c as RmspropConfig;
      const G = new Float64Array(n);
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) {
          G[i] = r(r(decayRate * G[i]!) + r(g[i]! * g[i]!));
          x[i] = r(x[i]! - r(r(lr * g[i]!) / r(r(Math.sqrt(G[i]!)) + epsilon)));
        }
      };
    }),
  },
  {
    bug: 'RMSProp that ignores decay_rate and accumulates like AdaGrad',
    caughtBy: ['rmsprop/constant-gradient-no-decay', 'rmsprop/decay-zero'],
    adapter: withKernel('rmsprop-adagrad', 'rmsprop', (c, n, r) => {
      const { epsilon } = c as RmspropConfig;
      const G = new Float64Array(n);
      return (x, g, lr) => {
        for (let i = 0; i < x.length; i++) {
          G[i] = r(G[i]! + r(g[i]! * g[i]!));
          x[i] = r(x[i]! - r(r(lr * g[i]!) / r(r(Math.sqrt(G[i]!)) + epsilon)));
        }
      };
    }),
  },
  ...adamBugs(),
  {
    bug: 'Step decay that decays one epoch early (`floor((t + 1) / every)`)',
    caughtBy: ['schedule:step/changes-at-multiples', 'schedule:step/exact-evaluation'],
    adapter: withSchedule('step-early', 'step', () => (config) => (t) => {
      const c = config as Extract<ScheduleConfig, { schedule: 'step' }>;
      return c.initial * c.factor ** Math.floor((t + 1) / c.every);
    }),
  },
  {
    bug: 'Exponential decay counted from t = 1 (`exp(-k (t + 1))`)',
    caughtBy: ['schedule:exponential/initial-at-zero'],
    adapter: withSchedule('exponential-from-one', 'exponential', () => (config) => (t) => {
      const c = config as Extract<ScheduleConfig, { schedule: 'exponential' }>;
      return c.initial * Math.exp(-c.k * (t + 1));
    }),
  },
  {
    bug: 'Exponential decay with exp(-k t^1.1)',
    caughtBy: ['schedule:exponential/semigroup', 'schedule:exponential/exact-evaluation'],
    adapter: withSchedule('exponential-power', 'exponential', () => (config) => (t) => {
      const c = config as Extract<ScheduleConfig, { schedule: 'exponential' }>;
      return c.initial * Math.exp(-c.k * t ** 1.1);
    }),
  },
  {
    bug: '1/t decay as initial / (1 + k t)^2',
    caughtBy: ['schedule:inverse-time/reciprocal-linear', 'schedule:inverse-time/exact-evaluation'],
    adapter: withSchedule('inverse-square', 'inverse-time', () => (config) => (t) => {
      const c = config as Extract<ScheduleConfig, { schedule: 'inverse-time' }>;
      return c.initial / (1 + c.k * t) ** 2;
    }),
  },
  {
    bug: '1/t decay that grows back after t = 100 (warm restarts)',
    caughtBy: ['schedule:inverse-time/non-increasing'],
    adapter: withSchedule('inverse-restart', 'inverse-time', () => (config) => (t) => {
      const c = config as Extract<ScheduleConfig, { schedule: 'inverse-time' }>;
      return c.initial / (1 + c.k * (t % 100));
    }),
  },
];

function adamKernel(
  bug: string,
  options: { stale?: boolean; multiply?: boolean; noCorrection?: boolean; sqrtOfFirst?: boolean; offByOne?: boolean },
): (dtype: Dtype) => Adapter {
  return withKernel(bug, 'adam', (c, n, r) => {
    const { beta1, beta2, epsilon } = c as AdamConfig;
    const m = new Float64Array(n);
    const v = new Float64Array(n);
    let t = options.offByOne ? 1 : 0;
    return (x, g, lr) => {
      if (!options.stale || t === 0) t++;
      const c1 = options.noCorrection ? 1 : options.multiply ? 1 / (1 - beta1 ** t) : 1 - beta1 ** t;
      const c2 = options.noCorrection ? 1 : options.multiply ? 1 / (1 - beta2 ** t) : 1 - beta2 ** t;
      for (let i = 0; i < x.length; i++) {
        m[i] = r(r(beta1 * m[i]!) + r((1 - beta1) * g[i]!));
        v[i] = r(r(beta2 * v[i]!) + r(r((1 - beta2) * g[i]!) * g[i]!));
        const mHat = r(m[i]! / c1);
        const vHat = options.sqrtOfFirst ? Math.abs(mHat) : r(v[i]! / c2);
        x[i] = r(x[i]! - r(r(lr * mHat) / r(r(Math.sqrt(vHat)) + epsilon)));
      }
    };
  });
}

function adamBugs(): PlantedBug[] {
  return [
    {
      bug: 'Adam with a stale step counter (t stays 1)',
      caughtBy: ['adam/constant-gradient-step'],
      adapter: adamKernel('adam-stale-t', { stale: true }),
    },
    {
      bug: 'Adam multiplying by 1 - beta^t instead of dividing',
      caughtBy: ['adam/first-step', 'adam/constant-gradient-step'],
      adapter: adamKernel('adam-multiply', { multiply: true }),
    },
    {
      bug: 'Adam without bias correction ("Adam (almost)")',
      caughtBy: ['adam/first-step', 'adam/step-bound'],
      adapter: adamKernel('adam-almost', { noCorrection: true }),
    },
    {
      bug: 'Adam dividing by the square root of the first moment',
      caughtBy: ['adam/first-step', 'adam/constant-gradient-step'],
      adapter: adamKernel('adam-sqrt-m', { sqrtOfFirst: true }),
    },
    {
      bug: 'Adam with the step counter starting at 1 (first update uses t = 2)',
      caughtBy: ['adam/first-step', 'adam/beta1-zero-is-rmsprop'],
      adapter: adamKernel('adam-off-by-one', { offByOne: true }),
    },
  ];
}

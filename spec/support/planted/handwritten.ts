import type { Adapter, Stepper } from '../../../src/adapter/contract.js';
import { bf16round } from '../../../src/numerics/index.js';
import type {
  Conventions,
  Dtype,
  OptimizerConfig,
  OptimizerName,
  ScheduleConfig,
  ScheduleName,
} from '../../../src/reference/types.js';

/**
 * Bugs that real libraries shipped (docs/conventions.md, "Bugs that real libraries
 * shipped") and the lecture's own transcription slip, planted one at a time.
 */
export type PlantedBug =
  | 'adam-multiplies-bias-correction'
  | 'adam-counter-off-by-one'
  | 'adam-counter-per-coordinate'
  | 'adam-counter-bfloat16'
  | 'shared-state'
  | 'mutates-gradient'
  | 'ascent'
  | 'momentum-rho-on-dx'
  | 'schedule-one-epoch-early'
  | 'sanitizes-x0'
  | 'zero-lr-default'
  | 'stale-moments'
  | 'amsgrad';

/** How a planted implementation is written. */
export interface PlantOptions {
  name: string;
  /** The dtype it claims. */
  declared: Dtype;
  /** The dtype it really computes in (default: the claimed one). */
  computes?: Dtype;
  conventions?: Conventions;
  bug?: PlantedBug;
  optimizers?: readonly OptimizerName[];
  schedules?: readonly ScheduleName[];
}

const ALL: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'];

/** State shared by every instance of a `shared-state` implementation (the bug). */
const sharedStates = new Map<string, Float64Array[]>();

/**
 * A hand-written implementation of the lecture's rules, independent of src/: its
 * own operation order (TF.js's: `x + (-lr) * v`, `g * g * (1 - d)`,
 * `(m_hat / (sqrt(v_hat) + eps)) * lr`), hyperparameters held in its dtype,
 * `beta ** t` by repeated multiplication, and optionally a convention or a bug.
 */
export function handwritten(options: PlantOptions): Adapter {
  const computes = options.computes ?? options.declared;
  const r = computes === 'float32' ? Math.fround : (v: number) => v;
  const conventions = options.conventions ?? {};
  const bug = options.bug;
  const adapter: Adapter = {
    name: options.name,
    dtype: options.declared,
    optimizers: options.optimizers ?? ALL,
    schedules: options.schedules ?? [],
    create(config: OptimizerConfig, x0: Float64Array): Stepper {
      const n = x0.length;
      // The sanitizing bug replaces a NaN in x0 by 0 (only the laws draw non-finite x0).
      const x = Float64Array.from(x0, (v) => (bug === 'sanitizes-x0' && Number.isNaN(v) ? 0 : r(v)));
      const fresh = (): Float64Array[] => [new Float64Array(n), new Float64Array(n)];
      let state = fresh();
      if (bug === 'shared-state') {
        const key = `${config.optimizer}/${n}`;
        if (!sharedStates.has(key)) sharedStates.set(key, fresh());
        state = sharedStates.get(key)!;
      }
      const [s1, s2] = state as [Float64Array, Float64Array];
      // stale-moments: m_hat and v_hat as the previous step left them (Adam), the previous velocity (Momentum).
      const staleM = new Float64Array(n);
      const staleV = new Float64Array(n);
      // amsgrad: the running maximum of the second moment.
      const vMax = new Float64Array(n);
      const initial = conventions['initial-accumulator'];
      if (initial !== undefined && (config.optimizer === 'adagrad' || config.optimizer === 'rmsprop'))
        s1.fill(r(initial));
      // The zero-lr-default bug: `lr || 0.01`, so a learning rate of 0 becomes 0.01.
      const rate = (value: number) => r(bug === 'zero-lr-default' ? value || 0.01 : value);
      let lr = rate(config.learningRate);
      let t = bug === 'adam-counter-off-by-one' ? 1 : 0;
      let acc1 = 1;
      let acc2 = 1;
      const step = (grad: Float64Array, learningRate?: number): Float64Array => {
        if (learningRate !== undefined) lr = rate(learningRate);
        const g = Float64Array.from(grad, r);
        update(config, g);
        // The bug: the caller's gradient is cleared after use ("zero_grad" inside step).
        if (bug === 'mutates-gradient') grad.fill(0);
        return Float64Array.from(x);
      };
      function update(c: OptimizerConfig, g: Float64Array): void {
        switch (c.optimizer) {
          case 'sgd': {
            const sign = bug === 'ascent' ? 1 : -1;
            for (let i = 0; i < n; i++) x[i] = r(x[i]! + r(r(sign * lr) * g[i]!));
            return;
          }
          case 'momentum': {
            const rho = r(c.rho);
            const damp = r(1 - rho);
            for (let i = 0; i < n; i++) {
              const push = conventions['dampened-momentum'] ? r(g[i]! * damp) : g[i]!;
              const old = s1[i]!;
              if (bug === 'momentum-rho-on-dx') s1[i] = r(s1[i]! + r(rho * push));
              else if (conventions['lr-placement']) s1[i] = r(r(s1[i]! * rho) - r(push * lr));
              else s1[i] = r(r(s1[i]! * rho) + push);
              const used = bug === 'stale-moments' ? old : s1[i]!;
              x[i] = conventions['lr-placement'] ? r(x[i]! + used) : r(x[i]! + r(r(-lr) * used));
            }
            return;
          }
          case 'nesterov': {
            const rho = r(c.rho);
            for (let i = 0; i < n; i++) {
              if (conventions['lr-placement']) {
                s1[i] = r(r(s1[i]! * rho) + g[i]!);
                x[i] = r(x[i]! + r(r(-lr) * r(g[i]! + r(s1[i]! * rho))));
              } else {
                const old = s1[i]!;
                s1[i] = r(r(old * rho) - r(g[i]! * lr));
                x[i] = r(r(x[i]! + r(s1[i]! * r(1 + rho))) - r(old * rho));
              }
            }
            return;
          }
          case 'adagrad':
          case 'rmsprop': {
            const eps = r(c.epsilon);
            const decay = c.optimizer === 'rmsprop' ? r(c.decayRate) : 1;
            const keep = c.optimizer === 'rmsprop' ? r(1 - decay) : 1;
            for (let i = 0; i < n; i++) {
              const sq = r(g[i]! * g[i]!);
              s1[i] = c.optimizer === 'rmsprop' ? r(r(s1[i]! * decay) + r(sq * keep)) : r(s1[i]! + sq);
              const denominator = conventions['epsilon-inside-sqrt']
                ? r(Math.sqrt(r(s1[i]! + eps)))
                : r(r(Math.sqrt(s1[i]!)) + eps);
              x[i] = r(x[i]! - r(r(g[i]! / denominator) * lr));
            }
            return;
          }
          case 'adam': {
            const b1 = r(c.beta1);
            const b2 = r(c.beta2);
            const eps = r(c.epsilon);
            const k1 = r(1 - b1);
            const k2 = r(1 - b2);
            if (bug === 'adam-counter-bfloat16') {
              // torchao's counter: held in bfloat16, 256 + 1 rounds back to 256.
              t = bf16round(t + 1);
              acc1 = r(b1 ** t);
              acc2 = r(b2 ** t);
            } else if (bug !== 'adam-counter-per-coordinate') {
              t++;
              acc1 = t === 1 || bug === 'adam-counter-off-by-one' ? r(b1 ** t) : r(acc1 * b1);
              acc2 = t === 1 || bug === 'adam-counter-off-by-one' ? r(b2 ** t) : r(acc2 * b2);
            }
            for (let i = 0; i < n; i++) {
              if (bug === 'adam-counter-per-coordinate') {
                t++;
                acc1 = r(b1 ** t);
                acc2 = r(b2 ** t);
              }
              s1[i] = r(r(s1[i]! * b1) + r(g[i]! * k1));
              s2[i] = r(r(s2[i]! * b2) + r(r(g[i]! * g[i]!) * k2));
              const c1 = r(1 - acc1);
              const c2 = r(1 - acc2);
              if (bug === 'amsgrad') vMax[i] = Math.max(vMax[i]!, s2[i]!);
              let m = s1[i]!;
              let v = bug === 'amsgrad' ? vMax[i]! : s2[i]!;
              let rate = lr;
              if (conventions['epsilon-hat']) rate = r(r(lr * r(Math.sqrt(c2))) / c1);
              else if (bug === 'adam-multiplies-bias-correction') {
                m = r(m * c1);
                v = r(v * c2);
              } else if (!conventions['no-bias-correction']) {
                m = r(m / c1);
                v = r(v / c2);
              }
              if (bug === 'stale-moments') [m, staleM[i], v, staleV[i]] = [staleM[i]!, m, staleV[i]!, v];
              const denominator = conventions['epsilon-inside-sqrt']
                ? r(Math.sqrt(r(v + eps)))
                : r(r(Math.sqrt(v)) + eps);
              x[i] = r(x[i]! - r(r(m / denominator) * rate));
            }
            return;
          }
        }
      }
      return {
        step,
        steps: (grads, learningRates) => grads.map((g, k) => step(g, learningRates?.[k])),
      };
    },
    schedule(config: ScheduleConfig): (t: number) => number {
      const shift = bug === 'schedule-one-epoch-early' ? 1 : 0;
      switch (config.schedule) {
        case 'step':
          return (t) => config.initial * config.factor ** Math.floor((t + shift) / config.every);
        case 'exponential':
          return (t) => config.initial * Math.exp(-config.k * (t + shift));
        case 'inverse-time':
          return (t) => config.initial / (1 + config.k * (t + shift));
      }
    },
  };
  return adapter;
}

/** Clears the state the `shared-state` bug keeps between instances, so tests stay independent. */
export function resetSharedState(): void {
  sharedStates.clear();
}

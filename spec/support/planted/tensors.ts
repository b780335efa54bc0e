import type { Adapter } from '../../../src/adapter/index.js';
import type { TensorAdapter, TensorStepper, TensorsSpec } from '../../../src/adapter/index.js';
import { f16round } from '../../../src/numerics/half-precision.js';
import type {
  Dtype,
  OptimizerConfig,
  OptimizerName,
  ScheduleConfig,
  ScheduleName,
} from '../../../src/reference/types.js';

/**
 * The bugs real libraries shipped in optimizers over several tensors (docs/conventions.md),
 * each reproduced from its public description, and the convention `global-step`:
 * - `step-counter-counts-tensors`: flashlight's AdamOptimizer before its fix (issue 143),
 *   `count_++` inside the loop over parameters, after the `isGradAvailable` check; DiffSharp
 *   and DyNet did the same;
 * - `global-step`: one counter for the optimizer, advanced once per step (flashlight after
 *   the fix, TF.js's `accBeta1`/`accBeta2`, Keras' `iterations`);
 * - `missing-gradient-advances-state`: a tensor without a gradient stepped with zeros;
 * - `state-lost-on-restore`: what `save` leaves out. `flag`: tt-metal's SGDComposite keeps
 *   `m_theta_initialized` (the "momentum initialised" set) outside its state dict, so after a
 *   restore the first update skips `theta *= momentum` (issue 54601); `counter`: Adam's step
 *   counter not saved, as hand-written `state_dict`s; `schedule`: the schedule's position not
 *   saved, so the resumed run restarts the schedule (as PyTorch issue 162591 resumes at the wrong
 *   learning rate);
 * - `state-downcast`: the state rounded on save to float16 (Ultralytics' half-precision
 *   checkpoints, pull request 24085) or, for a float64 implementation, to float32 (PyTorch's
 *   `load_state_dict` casting state to the parameters' dtype, issue 43706);
 * - `schedule-one-early`: the optimizer's own schedule counted from 1.
 */
export type TensorBug =
  | 'step-counter-counts-tensors'
  | 'global-step'
  | 'missing-gradient-advances-state'
  | 'state-lost-on-restore:flag'
  | 'state-lost-on-restore:counter'
  | 'state-lost-on-restore:schedule'
  | 'state-downcast'
  | 'schedule-one-early';

/** How a planted implementation over several tensors is written. */
export interface TensorPlantOptions {
  name: string;
  dtype: Dtype;
  bug?: TensorBug;
  optimizers?: readonly OptimizerName[];
  /** The schedules it has as functions and applies itself (default: all three). */
  schedules?: readonly ScheduleName[];
}

const ALL: readonly OptimizerName[] = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'];
const SCHEDULES: readonly ScheduleName[] = ['step', 'exponential', 'inverse-time'];

/** The state of one tensor: two vectors (velocity or accumulator, Adam's second moment), its own counter, tt-metal's flag. */
interface TensorState {
  first: Float64Array;
  second: Float64Array;
  t: number;
  initialized: boolean;
}

function scheduleFunction(config: ScheduleConfig): (t: number) => number {
  switch (config.schedule) {
    case 'step':
      return (t) => config.initial * config.factor ** Math.floor(t / config.every);
    case 'exponential':
      return (t) => config.initial * Math.exp(-config.k * t);
    case 'inverse-time':
      return (t) => config.initial / (1 + config.k * t);
  }
}

/**
 * A hand-written optimizer over several tensors, PyTorch-like (parameter groups, a state
 * per tensor, `grad is None` skipped, `state_dict`-style save, a scheduler stepped after
 * each step), independent of src/: TF.js's operation order, hyperparameters held in its
 * dtype, `beta ** t` as a rounded power. Optionally one of the {@link TensorBug}s.
 */
export function tensorImplementation(options: TensorPlantOptions): Adapter & TensorAdapter {
  const { dtype, bug } = options;
  const r = dtype === 'float32' ? Math.fround : (v: number) => v;
  const schedules = options.schedules ?? SCHEDULES;
  const shift = bug === 'schedule-one-early' ? 1 : 0;

  /** One update of one tensor, `t` the bias correction's counter (Adam), `fresh` whether its momentum buffer is new. */
  function update(c: OptimizerConfig, x: Float64Array, g: Float64Array, s: TensorState, lr: number, t: number): void {
    const n = x.length;
    switch (c.optimizer) {
      case 'sgd':
        for (let i = 0; i < n; i++) x[i] = r(x[i]! + r(r(-lr) * g[i]!));
        return;
      case 'momentum':
      case 'nesterov': {
        const rho = r(c.rho);
        // tt-metal: a buffer's first update skips `theta *= momentum` (it is zero then, unless restored).
        const first = !s.initialized;
        s.initialized = true;
        for (let i = 0; i < n; i++) {
          if (c.optimizer === 'momentum') {
            s.first[i] = first ? r(s.first[i]! + g[i]!) : r(r(s.first[i]! * rho) + g[i]!);
            x[i] = r(x[i]! + r(r(-lr) * s.first[i]!));
          } else {
            const old = s.first[i]!;
            s.first[i] = first ? r(old - r(g[i]! * lr)) : r(r(old * rho) - r(g[i]! * lr));
            x[i] = r(r(x[i]! + r(s.first[i]! * r(1 + rho))) - r(old * rho));
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
          s.first[i] = c.optimizer === 'rmsprop' ? r(r(s.first[i]! * decay) + r(sq * keep)) : r(s.first[i]! + sq);
          x[i] = r(x[i]! - r(r(g[i]! / r(r(Math.sqrt(s.first[i]!)) + eps)) * lr));
        }
        return;
      }
      case 'adam': {
        const [b1, b2, eps] = [r(c.beta1), r(c.beta2), r(c.epsilon)];
        const c1 = r(1 - r(b1 ** t));
        const c2 = r(1 - r(b2 ** t));
        for (let i = 0; i < n; i++) {
          s.first[i] = r(r(s.first[i]! * b1) + r(g[i]! * r(1 - b1)));
          s.second[i] = r(r(s.second[i]! * b2) + r(r(g[i]! * g[i]!) * r(1 - b2)));
          const m = r(s.first[i]! / c1);
          const v = r(s.second[i]! / c2);
          x[i] = r(x[i]! - r(r(m / r(r(Math.sqrt(v)) + eps)) * lr));
        }
        return;
      }
    }
  }

  function createTensors(spec: TensorsSpec): TensorStepper {
    const groups = spec.groups.map((group) => ({
      config: group.config,
      schedule: group.schedule === undefined ? undefined : scheduleFunction(group.schedule),
      lr: group.config.learningRate,
    }));
    const params = spec.groups.flatMap((group) => group.x0.map((x0) => Float64Array.from(x0, r)));
    const groupOf = spec.groups.flatMap((group, g) => group.x0.map(() => g));
    const fresh = (n: number): TensorState => ({
      first: new Float64Array(n),
      second: new Float64Array(n),
      t: 0,
      initialized: false,
    });
    let states = params.map((p) => fresh(p.length));
    /** The optimizer's own counters: its steps (the schedulers' position), and the shared counters of the bugs. */
    let steps = 0;
    let shared = 0;
    return {
      step(grads, learningRates) {
        const rates = groups.map((group, g) => {
          if (group.schedule !== undefined) return group.schedule(steps + shift);
          if (learningRates?.[g] !== undefined) group.lr = learningRates[g]!;
          return group.lr;
        });
        steps++;
        if (bug === 'global-step') shared++;
        params.forEach((x, i) => {
          let grad = grads[i];
          if (grad === undefined) {
            if (bug !== 'missing-gradient-advances-state') return;
            grad = new Float64Array(x.length);
          }
          const s = states[i]!;
          let t: number;
          if (bug === 'step-counter-counts-tensors') t = ++shared;
          else if (bug === 'global-step') t = shared;
          else t = ++s.t;
          update(groups[groupOf[i]!]!.config, x, Float64Array.from(grad, r), s, r(rates[groupOf[i]!]!), t);
        });
        return params.map((p) => p.slice());
      },
      save() {
        const round = bug === 'state-downcast' ? (dtype === 'float32' ? f16round : Math.fround) : (v: number) => v;
        return {
          state: states.map((s) => ({
            first: Array.from(s.first, round),
            second: Array.from(s.second, round),
            ...(bug === 'state-lost-on-restore:counter' ? {} : { t: s.t }),
            ...(bug === 'state-lost-on-restore:flag' ? {} : { initialized: s.initialized }),
          })),
          groups: groups.map((group) => ({ lr: group.lr })),
          ...(bug === 'state-lost-on-restore:schedule' ? {} : { steps }),
          ...(bug === 'global-step' || bug === 'step-counter-counts-tensors' ? { shared } : {}),
        };
      },
      restore(saved, values) {
        const state = saved as {
          state: { first: number[]; second: number[]; t?: number; initialized?: boolean }[];
          groups: { lr: number }[];
          steps?: number;
          shared?: number;
        };
        // tt-metal's `m_theta_initialized` lives outside the state dict: a restore leaves the instance's own flags.
        states = state.state.map((s, i) => ({
          first: Float64Array.from(s.first),
          second: Float64Array.from(s.second),
          t: s.t ?? 0,
          initialized: s.initialized ?? states[i]?.initialized ?? false,
        }));
        state.groups.forEach((group, g) => {
          groups[g]!.lr = group.lr;
        });
        steps = state.steps ?? 0;
        shared = state.shared ?? 0;
        values.forEach((v, i) => {
          params[i]!.set(v);
        });
      },
    };
  }

  return {
    name: options.name,
    dtype,
    optimizers: options.optimizers ?? ALL,
    schedules,
    tensors: { tensors: true, missingGradients: true, groups: true, saveRestore: true, schedules },
    create(config, x0) {
      const one = createTensors({ groups: [{ config, x0: [x0] }] });
      return {
        step(grad, learningRate) {
          return (one.step([grad], [learningRate]) as Float64Array[])[0]!;
        },
      };
    },
    createTensors,
    schedule(config) {
      return scheduleFunction(config);
    },
  };
}

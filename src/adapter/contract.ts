import {
  allocateTensors,
  createOptimizer,
  createTensorOptimizer,
  optimizerRules,
  type SavedTensorState,
  scheduleRule,
} from '../registry/index.js';
import { allocate, type Arithmetic, type Precision, rounderFor } from '../numerics/index.js';
import type {
  Conventions,
  Dtype,
  OptimizerConfig,
  OptimizerName,
  ScheduleConfig,
  ScheduleName,
} from '../reference/index.js';
import type { Unsupported, UnsupportedValue } from './unsupported.js';
import type { TensorAdapter, TensorStepper, TensorsSpec } from './tensor-contract.js';

/** One optimizer instance of an implementation under test. */
export interface Stepper {
  /**
   * Apply one update with this gradient and return the parameters after it.
   * `learningRate`, when given, replaces the learning rate from this step on.
   */
  step(grad: Float64Array, learningRate?: number): ArrayLike<number> | Promise<ArrayLike<number>>;
  /**
   * Optional batch of `step` calls, for adapters behind a slow channel (the stdio
   * protocol): the parameters after each step. `learningRates[i]`, when given,
   * is the `learningRate` of step `i`. Must equal calling `step` once per gradient.
   */
  steps?(
    grads: readonly Float64Array[],
    learningRates?: readonly (number | undefined)[],
  ): readonly ArrayLike<number>[] | Promise<readonly ArrayLike<number>[]>;
  dispose?(): void | Promise<void>;
}

/**
 * An implementation under test: the reference, a user's module, or a program
 * over the stdio protocol. The laws and the conformance checker see only this.
 */
export interface Adapter extends TensorAdapter {
  name: string;
  /**
   * The precision the implementation computes in; with `precision`, the narrowest it holds
   * anything in (its gradients and x0 are values of it).
   */
  dtype: Dtype;
  /**
   * Mixed precision: the dtype of its parameters, its optimizer state and its arithmetic where
   * they differ from `dtype` (omitted: `dtype`), e.g. `{ state: 'float32', arithmetic: 'float32' }`
   * beside bfloat16 parameters. Each must hold every `dtype` value.
   */
  precision?: Partial<Precision>;
  /**
   * The arithmetic it computes on (src/numerics/arithmetic.ts), what each operation promises, not
   * a dtype (that is `precision.arithmetic`): absent or `ieee754`, every operation correctly rounded;
   * `glsl-es-3.00-highp` or `wgsl` (dtype float32), a shader's, whose division, sqrt and pow promise
   * fewer ULPs: the tolerances take each operation's from its table.
   */
  arithmetic?: Arithmetic;
  /** What it implements; the rest is reported `unsupported`. */
  optimizers: readonly OptimizerName[];
  schedules?: readonly ScheduleName[];
  /** A new instance, or {@link Unsupported} (`unsupported(reason)`) for a configuration the implementation refuses. */
  create(config: OptimizerConfig, x0: Float64Array): Stepper | Unsupported | Promise<Stepper | Unsupported>;
  /** `t` counted from 0; or {@link Unsupported} for a configuration the implementation refuses. */
  schedule?(config: ScheduleConfig): ((t: number) => number) | Unsupported;
  /**
   * Optional batch of `schedule(config)(t)` for every `t`, for adapters behind a slow
   * channel (the stdio protocol answers a whole table in one round trip). Must equal
   * calling `schedule`; throws {@link UnsupportedValue} for a refused configuration.
   */
  scheduleValues?(config: ScheduleConfig, t: readonly number[]): Promise<ArrayLike<number>>;
}

/** Options of {@link referenceAdapter}. */
export interface ReferenceAdapterOptions {
  dtype: Dtype;
  /** Convention variants; each rule takes the ones it has and ignores the rest. */
  conventions?: Conventions;
  name?: string;
}

/** The reference as an adapter: it never refuses a configuration, so `create`, `createTensors` and `schedule` give instances. */
export interface ReferenceAdapter extends Adapter {
  create(config: OptimizerConfig, x0: Float64Array): Stepper;
  createTensors(spec: TensorsSpec): TensorStepper;
  schedule(config: ScheduleConfig): (t: number) => number;
}

/** The reference implementation as an {@link Adapter}, optionally built with convention variants. */
export function referenceAdapter(options: ReferenceAdapterOptions): ReferenceAdapter {
  const { dtype, conventions = {} } = options;
  return {
    name: options.name ?? `optimspec reference (${dtype})`,
    dtype,
    optimizers: optimizerRules.map((r) => r.name),
    schedules: ['step', 'exponential', 'inverse-time'],
    create(config: OptimizerConfig, x0: Float64Array): Stepper {
      const rule = optimizerRules.find((r) => r.name === config.optimizer);
      const own: Conventions = {};
      for (const id of rule?.conventions ?? [])
        if (conventions[id] !== undefined) Object.assign(own, { [id]: conventions[id] });
      const x = allocate(dtype, x0.length);
      const r = rounderFor(dtype);
      for (let i = 0; i < x0.length; i++) x[i] = r(x0[i]!);
      const optimizer = createOptimizer(config, { size: x0.length, dtype, conventions: own });
      return {
        step(grad: Float64Array, learningRate?: number) {
          optimizer.step(x, grad, learningRate);
          return x;
        },
        // Batched, as a library behind a slow channel would be: a long-horizon check runs only on batched steps.
        steps(grads: readonly Float64Array[], learningRates?: readonly (number | undefined)[]) {
          return grads.map((grad, k) => {
            optimizer.step(x, grad, learningRates?.[k]);
            return x.slice();
          });
        },
      };
    },
    tensors: {
      tensors: true,
      missingGradients: true,
      groups: true,
      saveRestore: true,
      schedules: ['step', 'exponential', 'inverse-time'],
    },
    createTensors(spec: TensorsSpec): TensorStepper {
      const optimizer = createTensorOptimizer(
        { groups: spec.groups.map((g) => ({ ...g, sizes: g.x0.map((x) => x.length) })) },
        { dtype, conventions },
      );
      const params = allocateTensors(
        dtype,
        spec.groups.flatMap((g) => g.x0),
      );
      return {
        step(grads, learningRates) {
          optimizer.step(params, grads, learningRates);
          return params;
        },
        save: () => optimizer.save(),
        restore(state, values) {
          optimizer.restore(state as SavedTensorState);
          values.forEach((v, i) => {
            params[i]!.set(v);
          });
        },
      };
    },
    schedule(config: ScheduleConfig) {
      return scheduleRule(config.schedule).create(config);
    },
  };
}

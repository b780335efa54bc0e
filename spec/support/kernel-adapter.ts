import { rounderFor } from '../../src/numerics/dtype.js';
import type { Adapter, Stepper } from '../../src/adapter/contract.js';
import type { Dtype, OptimizerConfig, OptimizerName, ScheduleConfig, ScheduleName } from '../../src/reference/types.js';

/** One instance's update: `x` in place, `g` the gradient, `lr` the learning rate in force. */
export type Kernel = (x: Float64Array, g: Float64Array, lr: number) => void;

/** Builds a kernel from a config and the vector length, with `r` the dtype's rounding. */
export type KernelFactory = (config: OptimizerConfig, size: number, r: (v: number) => number) => Kernel;

/** A tiny hand-written implementation under test: kernels per optimizer, functions per schedule. */
export interface KernelAdapterOptions {
  name: string;
  dtype: Dtype;
  optimizers: Partial<Record<OptimizerName, KernelFactory>>;
  schedules?: Partial<Record<ScheduleName, (config: ScheduleConfig) => (t: number) => number>>;
}

/** An {@link Adapter} over hand-written kernels, for planted bugs and a TF.js-like float32 implementation. */
export function kernelAdapter(options: KernelAdapterOptions): Adapter {
  const r = rounderFor(options.dtype);
  const schedules = options.schedules ?? {};
  return {
    name: options.name,
    dtype: options.dtype,
    optimizers: Object.keys(options.optimizers) as OptimizerName[],
    schedules: Object.keys(schedules) as ScheduleName[],
    create(config, x0): Stepper {
      const factory = options.optimizers[config.optimizer];
      if (factory === undefined) throw new Error(`${options.name} has no ${config.optimizer}`);
      const x = Float64Array.from(x0, r);
      const kernel = factory(config, x0.length, r);
      let lr = config.learningRate;
      return {
        step(grad, learningRate) {
          if (learningRate !== undefined) lr = learningRate;
          kernel(x, grad, lr);
          return x;
        },
      };
    },
    schedule(config) {
      const make = schedules[config.schedule];
      if (make === undefined) throw new Error(`${options.name} has no schedule ${config.schedule}`);
      return make(config);
    },
  };
}

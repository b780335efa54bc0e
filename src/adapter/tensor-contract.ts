import type { OptimizerConfig, ScheduleConfig, ScheduleName } from '../reference/index.js';
import type { Unsupported } from './unsupported.js';

/**
 * Which uses of docs/spec.md section 9 an implementation supports. Each is optional and
 * off when absent: the checks of what is off are reported `unsupported`, never `error`,
 * so an adapter written for the single-vector contract keeps exactly its verdicts.
 */
export interface TensorSupport {
  /** `createTensors` gives one instance over several tensors of any lengths (0 and 1 included). */
  tensors?: boolean;
  /** A step may give a tensor no gradient (`undefined`), as PyTorch's `grad is None`. */
  missingGradients?: boolean;
  /** Several parameter groups, each with its own hyperparameters; a step may give one group a learning rate. */
  groups?: boolean;
  /** The instance has `save()` and `restore(state, params)`. */
  saveRestore?: boolean;
  /**
   * The schedules the optimizer applies itself (a group's `schedule`, as PyTorch's
   * `scheduler.step()` after `optimizer.step()`). Each must also be in the adapter's
   * `schedules`: its `schedule(config)(t)` values are what the steps are compared with.
   */
  schedules?: readonly ScheduleName[];
}

/** One parameter group of a {@link TensorsSpec}: an independent optimizer over its tensors. */
export interface TensorGroupSpec {
  /** The group's rule and hyperparameters; every group of an instance has the same `optimizer`. */
  config: OptimizerConfig;
  /** A schedule the optimizer applies itself: the group's step `t` (counted from 0) uses `schedule(t)`. Only with {@link TensorSupport.schedules}. */
  schedule?: ScheduleConfig;
  /** The group's tensors' initial values, in order. */
  x0: readonly Float64Array[];
}

/** What `createTensors` is given: the groups, whose tensors are numbered across them in order. */
export interface TensorsSpec {
  groups: readonly TensorGroupSpec[];
}

/** An instance over several tensors of an implementation under test. */
export interface TensorStepper {
  /**
   * One step: `grads[i]` for tensor `i`, or `undefined` for a tensor given no gradient (it
   * must be left alone: values, state, step counter). `learningRates[g]`, when given,
   * replaces group `g`'s learning rate from this step on. Returns every tensor's values after the step.
   */
  step(
    grads: readonly (Float64Array | undefined)[],
    learningRates?: readonly (number | undefined)[],
  ): readonly ArrayLike<number>[] | Promise<readonly ArrayLike<number>[]>;
  /**
   * The whole optimizer state in the implementation's own format, as JSON data (objects,
   * arrays, numbers, strings, booleans, null; typed arrays are taken as arrays). The checker
   * keeps it as a checkpoint on disk would: through JSON, numbers in the protocol's encoding
   * (docs/protocol.md), so typed arrays come back as arrays of numbers.
   */
  save?(): unknown;
  /** Restores a state `save` returned (here or in another instance of the same spec) and sets the tensors' values to `params`. */
  restore?(state: unknown, params: readonly Float64Array[]): void | Promise<void>;
  dispose?(): void | Promise<void>;
}

/** The optional members an {@link Adapter} has for docs/spec.md section 9. */
export interface TensorAdapter {
  /** What of section 9 it supports; absent: nothing. */
  tensors?: TensorSupport;
  /** An instance over several tensors in groups, or {@link Unsupported} for a configuration it refuses. */
  createTensors?(spec: TensorsSpec): TensorStepper | Unsupported | Promise<TensorStepper | Unsupported>;
}

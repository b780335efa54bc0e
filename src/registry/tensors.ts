import { allocate } from '../numerics/index.js';
import {
  type Conventions,
  type Dtype,
  describeValue,
  type FloatVector,
  type Optimizer,
  type OptimizerConfig,
  requireDtype,
  requireGradient,
  requireNonNegative,
  requireObject,
  requireParameters,
  requireSize,
  type ScheduleConfig,
  type StateValue,
} from '../reference/index.js';
import { createOptimizer, createSchedule } from './create.js';
import { optimizerRule } from './registry.js';

/** One parameter group (docs/spec.md section 9): an independent optimizer over its tensors. */
export interface TensorGroupConfig {
  /** The group's rule and hyperparameters; `learningRate` is its learning rate until a step or its schedule sets another. */
  config: OptimizerConfig;
  /** A schedule the optimizer applies itself: the group's update `t` (counted from 0) uses `schedule(t)`. */
  schedule?: ScheduleConfig;
  /** The lengths of the group's tensors, in order (0 and 1 included). */
  sizes: readonly number[];
}

/** The groups of a {@link TensorOptimizer}; its tensors are numbered across the groups, in order. */
export interface TensorOptimizerConfig {
  groups: readonly TensorGroupConfig[];
}

/** Options that are not hyperparameters: the dtype and the convention variants (each rule takes its own). */
export interface TensorOptimizerOptions {
  dtype: Dtype;
  conventions?: Conventions;
}

/** A group's part of a saved state: the learning rate in force and the steps taken (the schedule's position). */
export interface SavedGroup {
  learningRate: number;
  steps: number;
}

/**
 * What {@link TensorOptimizer.save} returns and `restore` takes: per group its
 * {@link SavedGroup}, per tensor the rule's state in the lecture's names (Adam's `t` among them).
 * Plain data; vectors are copies.
 */
export interface SavedTensorState {
  groups: SavedGroup[];
  tensors: Record<string, StateValue>[];
}

/** An optimizer instance over several tensors in parameter groups (docs/spec.md section 9). */
export interface TensorOptimizer {
  readonly dtype: Dtype;
  /** Every tensor's length, groups in order. */
  readonly sizes: readonly number[];
  /** For each tensor, the index of its group. */
  readonly groupOf: readonly number[];
  /**
   * One step: tensor `i` of `params` is updated in place with `grads[i]`, or left alone
   * (values, state, `t`) when `grads[i]` is undefined (a missing gradient). A group with a
   * schedule uses `schedule(t)` at its step `t`; `learningRates[g]`, when given, replaces
   * group `g`'s learning rate from this step on (not allowed for a scheduled group).
   * Everything is checked before anything is written.
   */
  step(
    params: readonly FloatVector[],
    grads: readonly (ArrayLike<number> | undefined)[],
    learningRates?: readonly (number | undefined)[],
  ): void;
  /** A copy of the whole state: restoring it into a fresh instance of the same configuration continues bit for bit. */
  save(): SavedTensorState;
  /** Replaces the whole state with a copy of `state` (as {@link save} returns it); throws, naming the field, before writing anything if it does not fit. */
  restore(state: SavedTensorState): void;
}

interface Group {
  config: OptimizerConfig;
  /** The conventions of `config`'s rule among those asked for. */
  conventions: Conventions;
  schedule?: (t: number) => number;
  learningRate: number;
  steps: number;
}

/** The groups of `config`, checked, with one single-tensor reference instance per tensor. */
function tensorGroups(
  config: TensorOptimizerConfig,
  options: TensorOptimizerOptions,
): { groups: Group[]; tensors: Optimizer[]; sizes: number[]; groupOf: number[] } {
  const { dtype } = options;
  if (!Array.isArray(config.groups) || config.groups.length === 0)
    throw new TypeError(`config.groups must be a non-empty array of groups, got ${describeValue(config.groups)}`);
  const groups: Group[] = [];
  const tensors: Optimizer[] = [];
  const sizes: number[] = [];
  const groupOf: number[] = [];
  config.groups.forEach((group, g) => {
    const field = `config.groups[${g}]`;
    requireObject(field, group as unknown);
    requireObject(`${field}.config`, group.config as unknown);
    const rule = optimizerRule(group.config.optimizer);
    const own: Conventions = {};
    for (const id of rule.conventions) {
      const value = options.conventions?.[id];
      if (value !== undefined) Object.assign(own, { [id]: value });
    }
    rule.validate(group.config, own);
    const schedule = group.schedule === undefined ? undefined : createSchedule(group.schedule);
    if (!Array.isArray(group.sizes))
      throw new TypeError(`${field}.sizes must be an array of tensor lengths, got ${describeValue(group.sizes)}`);
    (group.sizes as readonly number[]).forEach((size, k) => {
      requireSize(`${field}.sizes[${k}]`, size);
      tensors.push(createOptimizer(group.config, { size, dtype, conventions: own }));
      sizes.push(size);
      groupOf.push(g);
    });
    groups.push({
      config: structuredClone(group.config),
      conventions: own,
      ...(schedule === undefined ? {} : { schedule }),
      learningRate: group.config.learningRate,
      steps: 0,
    });
  });
  return { groups, tensors, sizes, groupOf };
}

/**
 * The reference over several tensors: one single-tensor reference instance
 * ({@link createOptimizer}) per tensor, each with its own state and its own `t`, stepped
 * with its group's learning rate. Stepping tensors together therefore equals stepping
 * each alone, bit for bit, by construction.
 */
export function createTensorOptimizer(config: TensorOptimizerConfig, options: TensorOptimizerOptions): TensorOptimizer {
  requireObject('config', config as unknown);
  requireObject('options', options as unknown);
  requireDtype('options.dtype', options.dtype);
  const { dtype } = options;
  const { groups, tensors, sizes, groupOf } = tensorGroups(config, options);
  return {
    dtype,
    sizes,
    groupOf,
    step(params, grads, learningRates) {
      requireList('params', params, sizes.length);
      requireList('grads', grads, sizes.length);
      sizes.forEach((size, i) => {
        withField(`params[${i}]`, () => requireParameters(params[i], dtype, size));
        if (grads[i] !== undefined) withField(`grads[${i}]`, () => requireGradient(grads[i], size));
      });
      if (learningRates !== undefined) {
        requireList('learningRates', learningRates, groups.length);
        learningRates.forEach((lr, g) => {
          if (lr === undefined) return;
          requireNonNegative(`learningRates[${g}]`, lr);
          if (groups[g]!.schedule !== undefined)
            throw new RangeError(
              `learningRates[${g}] is ${describeValue(lr)}, but group ${g} applies its own schedule: give no learning rate for it`,
            );
        });
      }
      const rates = groups.map((group, g) => {
        if (group.schedule !== undefined) return group.schedule(group.steps);
        return learningRates?.[g] ?? group.learningRate;
      });
      tensors.forEach((tensor, i) => {
        const grad = grads[i];
        if (grad !== undefined) tensor.step(params[i]!, grad, rates[groupOf[i]!]);
      });
      groups.forEach((group, g) => {
        group.learningRate = rates[g]!;
        group.steps++;
      });
    },
    save() {
      return {
        groups: groups.map((group) => ({ learningRate: group.learningRate, steps: group.steps })),
        tensors: tensors.map((tensor) => tensor.state()),
      };
    },
    restore(state) {
      requireObject('state', state as unknown);
      requireList('state.groups', state.groups, groups.length);
      requireList('state.tensors', state.tensors, tensors.length);
      state.groups.forEach((saved, g) => {
        requireObject(`state.groups[${g}]`, saved as unknown);
        requireNonNegative(`state.groups[${g}].learningRate`, saved.learningRate);
        if (!Number.isSafeInteger(saved.steps) || saved.steps < 0)
          throw new RangeError(
            `state.groups[${g}].steps must be a non-negative integer, got ${describeValue(saved.steps)}`,
          );
      });
      // Every tensor's state is checked on a scratch instance first, so that a bad one writes nothing.
      tensors.forEach((tensor, i) => {
        const group = groups[groupOf[i]!]!;
        const scratch = createOptimizer(group.config, { size: tensor.size, dtype, conventions: group.conventions });
        withField(`state.tensors[${i}]`, () => scratch.restore(state.tensors[i]!));
      });
      tensors.forEach((tensor, i) => {
        tensor.restore(state.tensors[i]!);
      });
      state.groups.forEach((saved, g) => {
        groups[g]!.learningRate = saved.learningRate;
        groups[g]!.steps = saved.steps;
      });
    },
  };
}

function requireList(field: string, value: unknown, length: number): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${field} must be an array of ${length}, got ${describeValue(value)}`);
  if (value.length !== length) throw new RangeError(`${field} must have length ${length}, got length ${value.length}`);
}

/** Runs a check whose message names a bare field (`x`, `dx`, `state.vx`) with the list entry it came from. */
function withField(field: string, check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof Error) error.message = `${field}: ${error.message}`;
    throw error;
  }
}

/** Parameter arrays of the dtype holding `values` (rounded to the dtype), one per tensor: what {@link TensorOptimizer.step} updates. */
export function allocateTensors(dtype: Dtype, values: readonly ArrayLike<number>[]): FloatVector[] {
  return values.map((v) => {
    const x = allocate(dtype, v.length);
    x.set(v);
    return x;
  });
}

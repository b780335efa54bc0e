import type { Dtype, FloatVector } from '../numerics/index.js';

export type { Dtype, FloatVector };

/** The six update rules of docs/spec.md sections 1 to 6. */
export type OptimizerName = 'sgd' | 'momentum' | 'nesterov' | 'adagrad' | 'rmsprop' | 'adam';

/** The three learning-rate schedules of docs/spec.md section 7. */
export type ScheduleName = 'step' | 'exponential' | 'inverse-time';

/** Convention ids the reference rules can be built with (docs/conventions.md): each is a formula. */
export type VariantId =
  | 'epsilon-inside-sqrt'
  | 'epsilon-hat'
  | 'no-bias-correction'
  | 'initial-accumulator'
  | 'dampened-momentum'
  | 'lr-placement';

/**
 * Stable ids of the known library conventions (docs/conventions.md): the formula
 * variants, `non-finite`, a difference confined to steps where a gradient, parameter or
 * state value is an infinity or NaN, and `global-step`, one step counter for every tensor
 * of an optimizer instead of each tensor's own (docs/spec.md section 9).
 */
export type ConventionId = VariantId | 'non-finite' | 'global-step';

/** Stable ids of bugs real libraries shipped (docs/conventions.md, "Known bugs"). */
export type KnownBugId =
  | 'ascent'
  | 'bias-correction-multiplied'
  | 'step-counter-off-by-one'
  | 'stale-moments'
  | 'shared-state'
  | 'gradient-mutated'
  | 'zero-replaced-by-default'
  | 'amsgrad-unrequested'
  | 'schedule-one-early'
  | 'step-counter-counts-tensors'
  | 'step-counter-saturates'
  | 'state-lost-on-restore'
  | 'state-downcast'
  | 'missing-gradient-advances-state';

/** Hyperparameters of SGD (docs/spec.md section 1). */
export interface SgdConfig {
  optimizer: 'sgd';
  learningRate: number;
}

/** Hyperparameters of SGD + Momentum (docs/spec.md section 2). */
export interface MomentumConfig {
  optimizer: 'momentum';
  learningRate: number;
  rho: number;
}

/** Hyperparameters of Nesterov momentum (docs/spec.md section 3). */
export interface NesterovConfig {
  optimizer: 'nesterov';
  learningRate: number;
  rho: number;
}

/** Hyperparameters of AdaGrad (docs/spec.md section 4). */
export interface AdagradConfig {
  optimizer: 'adagrad';
  learningRate: number;
  epsilon: number;
}

/** Hyperparameters of RMSProp (docs/spec.md section 5). */
export interface RmspropConfig {
  optimizer: 'rmsprop';
  learningRate: number;
  decayRate: number;
  epsilon: number;
}

/** Hyperparameters of Adam (docs/spec.md section 6). */
export interface AdamConfig {
  optimizer: 'adam';
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Every hyperparameter explicit: the rules have no hidden defaults. */
export type OptimizerConfig = SgdConfig | MomentumConfig | NesterovConfig | AdagradConfig | RmspropConfig | AdamConfig;

/** Step decay: `initial * factor ** floor(t / every)` (docs/spec.md section 7). */
export interface StepScheduleConfig {
  schedule: 'step';
  initial: number;
  every: number;
  factor: number;
}

/** Exponential decay: `initial * exp(-k * t)` (docs/spec.md section 7). */
export interface ExponentialScheduleConfig {
  schedule: 'exponential';
  initial: number;
  k: number;
}

/** 1/t decay: `initial / (1 + k * t)` (docs/spec.md section 7). */
export interface InverseTimeScheduleConfig {
  schedule: 'inverse-time';
  initial: number;
  k: number;
}

/** A learning-rate schedule, `t` counted from 0. */
export type ScheduleConfig = StepScheduleConfig | ExponentialScheduleConfig | InverseTimeScheduleConfig;

/**
 * Convention variants (docs/conventions.md), all off by default. A rule accepts only
 * the ids it lists in {@link OptimizerRule.conventions}.
 */
export interface Conventions {
  /** AdaGrad, RMSProp, Adam: `dx / sqrt(acc + eps)` instead of `dx / (sqrt(acc) + eps)`. */
  'epsilon-inside-sqrt'?: boolean;
  /** Adam: bias correction folded into the step size, eps added before it. */
  'epsilon-hat'?: boolean;
  /** Adam: "Adam (almost)", no `1 - beta ** t` division. */
  'no-bias-correction'?: boolean;
  /** AdaGrad, RMSProp: the accumulator starts at this value instead of 0. */
  'initial-accumulator'?: number;
  /** Momentum: `vx = rho * vx + (1 - rho) * dx`. */
  'dampened-momentum'?: boolean;
  /** Momentum and Nesterov: the learning rate on the other side of the velocity. */
  'lr-placement'?: boolean;
}

/** Options that are not hyperparameters: the vector length, the dtype and the conventions. */
export interface CreateOptions {
  size: number;
  dtype: Dtype;
  conventions?: Conventions;
}

/** A state entry: a per-coordinate vector or a scalar counter (Adam's `t`). */
export type StateValue = FloatVector | number;

/** One optimizer instance: holds its state, updates a parameter vector in place. */
export interface Optimizer {
  readonly name: OptimizerName;
  readonly dtype: Dtype;
  readonly size: number;
  /** The learning rate the next step uses unless `step` is given another. */
  readonly learningRate: number;
  /**
   * One update of `x` in place with gradient `dx` (read as this dtype, never written).
   * `learningRate`, when given, replaces the learning rate from this step on.
   */
  step(x: FloatVector, dx: ArrayLike<number>, learningRate?: number): void;
  /** A copy of the state, keyed by the lecture's variable names (`vx`, `grad_squared`, ...). */
  state(): Record<string, StateValue>;
  /**
   * Replaces the state with a copy of `state`, as {@link state} returns it (the same keys,
   * vectors of this length holding values of this dtype, counters as non-negative
   * integers): a saved run continues bit for bit (docs/spec.md section 9). Throws, naming the
   * entry and value, before writing anything if `state` does not fit.
   */
  restore(state: Readonly<Record<string, StateValue>>): void;
}

/** An update rule: validates its hyperparameters and creates instances. */
export interface OptimizerRule<C extends OptimizerConfig = OptimizerConfig> {
  readonly kind: 'optimizer';
  readonly name: C['optimizer'];
  /** The lecture's section title. */
  readonly title: string;
  /** Hyperparameter names besides `optimizer`, in the lecture's order. */
  readonly hyperparameters: readonly string[];
  /** The state entries `state()` returns, in the lecture's names. */
  readonly stateKeys: readonly string[];
  /** The convention ids this rule can be built with. */
  readonly conventions: readonly VariantId[];
  /** Throws a RangeError or TypeError naming the field and value if `config` is invalid. */
  validate(config: C, conventions?: Conventions): void;
  create(config: C, options: CreateOptions): Optimizer;
}

/** A learning-rate schedule rule. */
export interface ScheduleRule<C extends ScheduleConfig = ScheduleConfig> {
  readonly kind: 'schedule';
  readonly name: C['schedule'];
  readonly title: string;
  readonly hyperparameters: readonly string[];
  validate(config: C): void;
  /** Returns `t => learning rate`, t a non-negative integer counted from 0. */
  create(config: C): (t: number) => number;
}

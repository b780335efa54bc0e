import { adagrad, adam, momentum, nesterov, rmsprop, sgd } from '../optimizers/index.js';
import { exponentialDecay, inverseTimeDecay, stepDecay } from '../schedules/index.js';
import type {
  AdagradConfig,
  AdamConfig,
  ConventionId,
  MomentumConfig,
  NesterovConfig,
  OptimizerName,
  OptimizerRule,
  RmspropConfig,
  ScheduleConfig,
  ScheduleName,
  ScheduleRule,
  SgdConfig,
} from '../reference/index.js';

/** Any rule of the registry. */
export type RegistryEntry =
  | OptimizerRule<SgdConfig>
  | OptimizerRule<MomentumConfig>
  | OptimizerRule<NesterovConfig>
  | OptimizerRule<AdagradConfig>
  | OptimizerRule<RmspropConfig>
  | OptimizerRule<AdamConfig>
  | ScheduleRule<ScheduleConfig>;

/**
 * Every optimizer and schedule, in the lecture's order. Every check loops over
 * this array, so a rule added here cannot skip the suite.
 */
export const registry: readonly RegistryEntry[] = [
  sgd,
  momentum,
  nesterov,
  adagrad,
  rmsprop,
  adam,
  stepDecay as ScheduleRule<ScheduleConfig>,
  exponentialDecay as ScheduleRule<ScheduleConfig>,
  inverseTimeDecay as ScheduleRule<ScheduleConfig>,
];

/** The optimizer rules of {@link registry}. */
export const optimizerRules: readonly OptimizerRule[] = registry.filter(
  (e): e is OptimizerRule => e.kind === 'optimizer',
) as OptimizerRule[];

/** The schedule rules of {@link registry}. */
export const scheduleRules: readonly ScheduleRule[] = registry.filter((e): e is ScheduleRule => e.kind === 'schedule');

/** Looks an optimizer rule up by name; throws a RangeError naming the value if there is none. */
export function optimizerRule(name: OptimizerName): OptimizerRule {
  const rule = optimizerRules.find((r) => r.name === name);
  if (!rule)
    throw new RangeError(
      `optimizer must be one of ${optimizerRules.map((r) => r.name).join(', ')}, got ${JSON.stringify(name)}`,
    );
  return rule;
}

/** Looks a schedule rule up by name; throws a RangeError naming the value if there is none. */
export function scheduleRule(name: ScheduleName): ScheduleRule {
  const rule = scheduleRules.find((r) => r.name === name);
  if (!rule)
    throw new RangeError(
      `schedule must be one of ${scheduleRules.map((r) => r.name).join(', ')}, got ${JSON.stringify(name)}`,
    );
  return rule;
}

/**
 * Every convention id a report can name (docs/conventions.md): those some rule can be built
 * with, then `non-finite`, which is not a formula but a difference confined to
 * non-finite values, and `global-step`, a way of counting over several tensors.
 */
export const CONVENTION_IDS: readonly ConventionId[] = [
  ...new Set(optimizerRules.flatMap((r) => r.conventions)),
  'non-finite',
  'global-step',
];

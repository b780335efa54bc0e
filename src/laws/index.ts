// What src/laws/ offers the rest of src/: every law, by subject, and how to check one against an adapter.
import { type Adapter, TENSOR_SUBJECTS } from '../adapter/index.js';
import { optimizerRules, scheduleRules } from '../registry/index.js';
import { adagradLaws } from './adagrad.js';
import { adamLaws } from './adam.js';
import { adamStepBoundLaw } from './adam-step-bound.js';
import { everyOptimizerLaws } from './every-optimizer.js';
import type { Law, Subject } from './law.js';
import { momentumLaws } from './momentum.js';
import { nesterovLaws } from './nesterov.js';
import { rmspropLaws } from './rmsprop.js';
import { everyScheduleLaws, scheduleLaws } from './schedules.js';
import { sgdLaws } from './sgd.js';

/**
 * Every law: those every optimizer and every schedule obeys, built by looping
 * over the registry so that a new rule cannot skip them, then the per-rule laws.
 */
export const laws: readonly Law[] = [
  ...optimizerRules.flatMap(everyOptimizerLaws),
  ...scheduleRules.flatMap(everyScheduleLaws),
  ...sgdLaws,
  ...momentumLaws,
  ...nesterovLaws,
  ...adagradLaws,
  ...rmspropLaws,
  ...adamLaws,
  adamStepBoundLaw as Law,
  ...scheduleLaws,
];

/** The laws about one subject (`adam`, `schedule:step`, ...), in {@link laws}' order. */
export function lawsFor(subject: Subject): Law[] {
  return laws.filter((law) => law.subject === subject);
}

/** Every subject, in the registry's (the lecture's) order: the optimizers, the schedules as `schedule:<name>`, then the checks over several tensors (docs/spec.md section 9). */
export function allSubjects(): Subject[] {
  return [
    ...optimizerRules.map((r) => r.name),
    ...scheduleRules.map((r) => `schedule:${r.name}` as const),
    ...TENSOR_SUBJECTS,
  ];
}

/** The subjects an adapter declares: its optimizers, and its schedules as `schedule:<name>`. */
export function subjectsOf(adapter: Adapter): Subject[] {
  return [...adapter.optimizers, ...(adapter.schedules ?? []).map((s) => `schedule:${s}` as const)];
}

export {
  checkLaw,
  finiteOnly,
  hasNonFinite,
  type Law,
  type LawResult,
  LawViolation,
  type Subject,
  thrownKey,
  type ViolationDetail,
} from './law.js';
export { simplerValues } from './readable.js';
export { configArbitrary, positiveEpsilon, range } from './arbitraries.js';

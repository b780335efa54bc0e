import type { Subject } from '../laws/index.js';
import { optimizerRules } from '../registry/index.js';
import type { KnownBugId, OptimizerName } from '../reference/index.js';
import type { BugVariant } from './tolerance.js';
import type { Finding } from './types.js';

/**
 * A bug real libraries shipped (docs/conventions.md, "Known bugs"), as the diagnosis
 * tests for it: either a formula (`variants`, evaluated by tolerance.ts's model like
 * a convention, so runs are matched and laws replayed against it), or a pattern of
 * failing checks (`pattern`) for bugs that are not a formula. A `fails` verdict names
 * the bug only when it explains every failing check.
 */
export interface KnownBug {
  id: KnownBugId;
  subjects: readonly Subject[];
  variants?: readonly BugVariant[];
  /** Whether these failing findings (none explained otherwise) are exactly what the bug does. */
  pattern?(failing: readonly Finding[]): boolean;
}

const allOptimizers: readonly OptimizerName[] = optimizerRules.map((r) => r.name);

/** Hyperparameters a `lr || 0.3`-style default replaces when they are 0. */
const ZEROABLE = ['learningRate', 'rho', 'decayRate', 'beta1', 'beta2', 'epsilon', 'k'] as const;

/** Whether a finding's inputs set some hyperparameter to exactly 0 (its counterexample's config, or a law about a zero hyperparameter). */
function hasZeroHyperparameter(finding: Finding): boolean {
  if (/\/(zero-learning-rate|rho-zero-is-sgd|beta1-zero-is-rmsprop|decay-zero)$/.test(finding.check)) return true;
  const config = finding.counterexample?.config as Record<string, unknown> | undefined;
  return config !== undefined && ZEROABLE.some((key) => config[key] === 0);
}

/**
 * Laws that hold whatever a zero hyperparameter is replaced by, so their failure is not
 * `zero-replaced-by-default`'s even where shrinking set one to 0: zero gradients leave x alone at
 * any lr, rho or beta (eps drawn positive), and Adam's first step `lr g / (|g| + eps)` does not
 * depend on beta1 or beta2 (lr drawn positive). A float16 epsilon flushed to 0 fails both.
 */
const HOLDS_WHATEVER_DEFAULT = /^law:[a-z]+\/zero-gradient$|^law:adam\/first-step$/;

/** The catalogue, in docs/conventions.md's order. */
export const knownBugs: readonly KnownBug[] = [
  { id: 'ascent', subjects: allOptimizers, variants: ['ascent'] },
  { id: 'bias-correction-multiplied', subjects: ['adam'], variants: ['bias-correction-multiplied'] },
  {
    id: 'step-counter-off-by-one',
    subjects: ['adam'],
    variants: ['step-counter-behind', 'step-counter-ahead', 'step-counter-per-coordinate'],
  },
  {
    id: 'stale-moments',
    subjects: ['momentum', 'adagrad', 'rmsprop', 'adam'],
    variants: ['stale-moments', 'stale-raw-moments'],
  },
  {
    id: 'shared-state',
    subjects: allOptimizers,
    // Instances that disagree with a solo run of the same implementation on the same inputs share state (or keep it
    // globally). The law compares the implementation with itself, so any other bug passes it; probe:independence
    // compares with the reference and fails for every bug, so it says nothing here.
    pattern: (failing) => failing.some((f) => f.check.endsWith('/deterministic-independent')),
  },
  {
    id: 'gradient-mutated',
    subjects: allOptimizers,
    pattern: (failing) =>
      failing.length > 0 &&
      failing.every(
        (f) =>
          (f.check === 'immutability' && /modified the gradient/.test(f.message)) ||
          f.check.endsWith('/inputs-not-mutated'),
      ) &&
      failing.some((f) => f.check === 'immutability' || /gradient of step/.test(f.message)),
  },
  {
    id: 'zero-replaced-by-default',
    subjects: [...allOptimizers, 'schedule:step', 'schedule:exponential', 'schedule:inverse-time'],
    pattern: (failing) =>
      failing.length > 0 && failing.every((f) => hasZeroHyperparameter(f) && !HOLDS_WHATEVER_DEFAULT.test(f.check)),
  },
  { id: 'amsgrad-unrequested', subjects: ['adam'], variants: ['amsgrad-unrequested'] },
  {
    id: 'schedule-one-early',
    subjects: ['schedule:step', 'schedule:exponential', 'schedule:inverse-time', 'tensors:own-schedule'],
  },
  // The bugs of docs/spec.md section 9: src/conformance/tensor-diagnosis.ts names them by its own models and self-comparisons.
  { id: 'step-counter-counts-tensors', subjects: ['tensors:several'] },
  { id: 'step-counter-saturates', subjects: ['adam'], variants: ['step-counter-saturates'] },
  { id: 'state-lost-on-restore', subjects: ['tensors:save-restore'] },
  { id: 'state-downcast', subjects: ['tensors:save-restore'] },
  { id: 'missing-gradient-advances-state', subjects: ['tensors:missing-gradient'] },
];

/**
 * The bugs only a mixed-precision adapter can have, tried only for one (it declares a state
 * precision to hold it to): its state kept in its parameters' precision, named by the formula
 * (tolerance.ts, src/conformance/mixed-precision.ts); spec/mixed-precision.spec.ts plants it.
 */
export const mixedPrecisionBugs: readonly KnownBug[] = [
  { id: 'state-downcast', subjects: allOptimizers, variants: ['state-downcast'] },
];

/** The known bugs that can afflict a subject; with `mixed`, those of a mixed-precision adapter too. */
export function knownBugsFor(subject: Subject, mixed = false): KnownBug[] {
  return [...knownBugs, ...(mixed ? mixedPrecisionBugs : [])].filter((b) => b.subjects.includes(subject));
}

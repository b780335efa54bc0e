import { optimizerRule } from '../registry/index.js';
import type { Conventions, OptimizerName, VariantId } from '../reference/index.js';
import { everyLawExplained, type LawOutcome } from './laws.js';
import { compareScenario, type ScenarioRun } from './run.js';
import type { BugVariant } from './tolerance.js';
import { type Judged, judgedDtype } from './mixed-precision.js';

/** Initial accumulator values libraries use (docs/conventions.md: 0.1 in TF.js, Keras, optax) and small ones seen in hand-written code. */
const ACCUMULATOR_CANDIDATES: readonly number[] = [0.1, 0.01, 1e-8, 1];

/** The convention ids a convention set switches on, sorted. */
export function conventionIds(conventions: Conventions): VariantId[] {
  return (Object.keys(conventions) as VariantId[])
    .filter((id) => conventions[id] !== undefined && conventions[id] !== false)
    .sort();
}

/**
 * Solves AdaGrad's / RMSProp's initial accumulator from a first step, for an
 * implementation whose accumulator starts at a value of its own. With
 * `s1 = a + g^2` (AdaGrad) or `s1 = d a + (1 - d) g^2` (RMSProp) and `x1 = x0 - lr g / D`, where
 * `D = sqrt(s1) + eps` (or `sqrt(s1 + eps)` inside), `D = lr g / (x0 - x1)`.
 * Returns the median over coordinates with a usable first step, or undefined.
 */
function solveInitialAccumulator(run: ScenarioRun, inside: boolean): number | undefined {
  const instance = run.instances[0];
  const config = run.scenario.config;
  if (
    instance === undefined ||
    instance.xs.length === 0 ||
    (config.optimizer !== 'adagrad' && config.optimizer !== 'rmsprop')
  )
    return undefined;
  const lr = instance.learningRates?.[0] ?? config.learningRate;
  const solved: number[] = [];
  for (let i = 0; i < instance.x0.length; i++) {
    const g = instance.gradients[0]![i]!;
    const step = instance.x0[i]! - instance.xs[0]![i]!;
    if (g === 0 || step === 0 || !Number.isFinite(step)) continue;
    const D = (lr * g) / step;
    const s1 = inside ? D * D - config.epsilon : (D - config.epsilon) ** 2;
    const a = config.optimizer === 'adagrad' ? s1 - g * g : (s1 - (1 - config.decayRate) * g * g) / config.decayRate;
    if (Number.isFinite(a) && a > 0) solved.push(a);
  }
  if (solved.length === 0) return undefined;
  solved.sort((p, q) => p - q);
  const median = solved[Math.floor(solved.length / 2)]!;
  // Snap to two significant digits: library defaults are round numbers, and the solved value carries float32 noise.
  return Number(median.toPrecision(2));
}

/**
 * The convention sets to try for a rule, smallest first: each convention alone,
 * then pairs. `initial-accumulator` is tried with the
 * {@link ACCUMULATOR_CANDIDATES} and with `solved`, when given.
 */
function candidateConventionSets(rule: OptimizerName, solved: readonly number[] = []): Conventions[] {
  const ids = optimizerRule(rule).conventions;
  const accumulators = [...new Set([...solved, ...ACCUMULATOR_CANDIDATES])];
  const singles: Conventions[][] = ids.map((id) =>
    id === 'initial-accumulator' ? accumulators.map((a) => ({ [id]: a })) : [{ [id]: true }],
  );
  const out: Conventions[] = singles.flat();
  for (let p = 0; p < singles.length; p++) {
    for (let q = p + 1; q < singles.length; q++) {
      for (const a of singles[p]!) {
        for (const b of singles[q]!) {
          const both = { ...a, ...b };
          // docs/conventions.md: epsilon-hat already folds the bias correction, so it cannot go with no-bias-correction.
          if (both['epsilon-hat'] === true && both['no-bias-correction'] === true) continue;
          out.push(both);
        }
      }
    }
  }
  return out;
}

/**
 * Which scenario runs pass against the reference built with `conventions` (or a known
 * bug's formula), a difference confined to non-finite steps aside (`non-finite`).
 */
export function matching(
  runs: readonly ScenarioRun[],
  dtype: Judged,
  conventions: Conventions,
  bug?: BugVariant,
): boolean[] {
  return runs.map((run) => matches(run, dtype, conventions, bug));
}

/**
 * Whether every run passes against that reference ({@link matching}), stopping at the first that does not:
 * a wrong candidate usually fails its first run, and a run costs a whole bounded trajectory.
 */
export function matchingAll(
  runs: readonly ScenarioRun[],
  dtype: Judged,
  conventions: Conventions,
  bug?: BugVariant,
): boolean {
  return runs.every((run) => matches(run, dtype, conventions, bug));
}

function matches(run: ScenarioRun, dtype: Judged, conventions: Conventions, bug?: BugVariant): boolean {
  return compareScenario(run, dtype, conventions, bug).mismatch === undefined;
}

/** What {@link diagnose} found: a convention set that explains everything, or one that explains most. */
export interface Diagnosis {
  all?: Conventions;
  partial?: Conventions;
}

/**
 * The smallest convention set (docs/conventions.md) under which every recorded run
 * matches the reference built with it and every failing law (but those that need an
 * infinity or NaN) fails the same way on that reference (see lawExplained): `all`.
 * Failing that, `partial`: the set that explains the most runs, provided it keeps
 * every run the lecture's rule explains and explains at least half of those it does
 * not; less than that is as likely a bug that happens to coincide with a convention
 * on a few inputs (`vx += rho * dx` is dampened momentum at rho = 0.5) as a
 * convention. The initial accumulator is also solved from the first step of the
 * tiny-gradient probe.
 */
export async function diagnose(
  dtype: Judged,
  rule: OptimizerName,
  runs: readonly ScenarioRun[],
  laws: readonly LawOutcome[],
): Promise<Diagnosis> {
  const tiny = runs.find((r) => r.scenario.id === 'probe:tiny-gradients');
  const solved =
    tiny === undefined
      ? []
      : [solveInitialAccumulator(tiny, false), solveInitialAccumulator(tiny, true)].filter(
          (v): v is number => v !== undefined,
        );
  const spec = matching(runs, dtype, {});
  // The runs the rule fails are compared first: a candidate that explains too few of them can be neither answer, and
  // the runs the rule explains (compared only then, up to the first it loses) cannot change that.
  const failingRuns = runs.filter((_, j) => !spec[j]);
  const passingRuns = runs.filter((_, j) => spec[j]);
  const failing = failingRuns.length;
  let partial: { conventions: Conventions; matched: number } | undefined;
  for (const conventions of candidateConventionSets(rule, solved)) {
    const gained = failingRuns.filter((run) => matches(run, dtype, conventions)).length;
    const count = passingRuns.length + gained;
    const explainsAll = gained === failing;
    const explainsMost = gained > 0 && 2 * gained >= failing && (partial === undefined || count > partial.matched);
    if (!(explainsAll || explainsMost) || !matchingAll(passingRuns, dtype, conventions)) continue;
    if (explainsAll && (await everyLawExplained(laws, judgedDtype(dtype), rule, { conventions })))
      return { all: conventions };
    if (explainsMost) partial = { conventions, matched: count };
  }
  return partial === undefined ? {} : { partial: partial.conventions };
}

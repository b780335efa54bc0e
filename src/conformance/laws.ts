import {
  type Adapter,
  AdapterError,
  adapterView,
  type BatchOptions,
  isUnsupported,
  referenceAdapter,
  runScripts,
  runScriptsKey,
  type Script,
  type ScriptOutcome,
  type ScriptRunner,
  type Stepper,
  type Unsupported,
} from '../adapter/index.js';
import {
  checkLaw,
  finiteOnly,
  hasNonFinite,
  type Law,
  type LawResult,
  LawViolation,
  type Subject,
  thrownKey,
} from '../laws/index.js';
import { scheduleRule } from '../registry/index.js';
import type { Conventions, Dtype, OptimizerConfig, OptimizerName, ScheduleConfig } from '../reference/index.js';
import { type LawInputs, recordLawInputs } from './law-inputs.js';
import { type BugVariant, boundedStepper } from './tolerance.js';
import { withHeldEpsilon } from './held-epsilon.js';
import type { Counterexample, Finding } from './types.js';

/** A law run against the implementation, with the finding it became. */
export interface LawOutcome {
  law: Law;
  result: LawResult;
  finding: Finding;
  /** The implementation's other optimizers the law was allowed to drive (those that conform). */
  companions: readonly OptimizerName[];
}

/** Reads the inputs of a law's counterexample where they have the usual names (`config`, `x0`, `grads`/`gradients`, `learningRates`). */
function lawInputs(counterexample: unknown): Pick<Counterexample, 'config' | 'x0' | 'gradients' | 'learningRates'> {
  if (typeof counterexample !== 'object' || counterexample === null) return {};
  const c = counterexample as Record<string, unknown>;
  const out: Pick<Counterexample, 'config' | 'x0' | 'gradients' | 'learningRates'> = {};
  if (typeof c.config === 'object' && c.config !== null) out.config = c.config as OptimizerConfig;
  if (Array.isArray(c.x0)) out.x0 = c.x0 as number[];
  const grads = c.grads ?? c.gradients;
  if (Array.isArray(grads)) out.gradients = grads as number[][];
  if (Array.isArray(c.learningRates))
    out.learningRates = (c.learningRates as (number | undefined)[]).map((v) => v ?? null);
  return out;
}

/**
 * The finding of one law result: `law:<id>`, with fast-check's shrunk counterexample, seed and path when it failed,
 * and the inputs its run handed the implementation (`recorded`), else those read from the law's own input.
 */
function lawFinding(result: LawResult, note = '', recorded?: LawInputs): Finding {
  const check = `law:${result.id}`;
  if (result.status === 'pass')
    return {
      check,
      status: 'pass',
      message: `${result.title} (${result.numRuns} run${result.numRuns === 1 ? '' : 's'}${result.message === undefined ? '' : `; ${result.message}`})${note}`,
    };
  if (result.status === 'skipped')
    return { check, status: 'skipped', message: `${result.title}: skipped: ${result.message}${note}` };
  const message = `${result.title}: ${result.message ?? result.status}${note}`;
  if (result.status === 'error') return { check, status: 'error', message };
  const counterexample: Counterexample = {
    ...(result.violation ?? {}),
    ...(recorded ?? lawInputs(result.counterexample)),
    seed: result.seed,
  };
  if (result.path !== undefined) counterexample.path = result.path;
  return { check, status: 'fail', message, counterexample };
}

/**
 * The implementation as one law about `subject` sees it: its own optimizer and the
 * `companions` (other optimizers of the implementation that conform), nothing else.
 * A law that compares with a companion (Momentum's rho = 0 with SGD, Adam's beta1 = 0
 * with RMSProp, RMSProp's limit with AdaGrad) falls back to the lecture's exact rule
 * for any optimizer not listed, so a bug in one optimizer never judges another.
 * `companionFailed()` tells whether a companion threw or rejected.
 */
function lawView(
  adapter: Adapter,
  subject: Subject,
  companions: readonly OptimizerName[],
): { view: Adapter; companionFailed(): boolean } {
  let failed = false;
  const own = subject.startsWith('schedule:') ? [] : [subject as OptimizerName];
  const allowed = [...own, ...companions];
  const note = <T>(work: () => Promise<T>): Promise<T> =>
    work().catch((error: unknown) => {
      failed = true;
      throw error;
    });
  const create = async (config: OptimizerConfig, x0: Float64Array): Promise<Stepper | Unsupported> => {
    if (!allowed.includes(config.optimizer))
      throw new RangeError(`a law about ${subject} asked for ${config.optimizer}, which it may not drive`);
    if (own.includes(config.optimizer)) return adapter.create(config, x0);
    const inner = await note(async () => adapter.create(config, x0));
    if (isUnsupported(inner)) return inner;
    return {
      step: (grad, learningRate) => note(async () => inner.step(grad, learningRate)),
      ...(inner.steps === undefined ? {} : { steps: (grads, rates) => note(async () => inner.steps!(grads, rates)) }),
      dispose: () => note(async () => inner.dispose?.()),
    };
  };
  // Scripts (src/adapter/script.ts) go down whole, in one round trip. A failed call of a companion's instance counts as
  // the companion's failure once it reaches the law (checkLaw tells: a run fetched ahead may never be looked at).
  const fromCompanions = new WeakSet<object>();
  const runner: ScriptRunner & { [thrownKey](error: unknown): void } = {
    [thrownKey](error: unknown) {
      if (typeof error === 'object' && error !== null && fromCompanions.has(error)) failed = true;
    },
    async [runScriptsKey](scripts: readonly Script[], batch?: BatchOptions): Promise<ScriptOutcome[]> {
      const owners = scripts.map((script) =>
        script.calls.filter((c) => c.op === 'create').map((c) => c.config.optimizer),
      );
      for (const optimizer of owners.flat())
        if (!allowed.includes(optimizer))
          throw new RangeError(`a law about ${subject} asked for ${optimizer}, which it may not drive`);
      const outcomes = await runScripts(adapter, scripts, batch);
      outcomes.forEach((outcome, k) => {
        if (outcome.ok) return;
        const calls = scripts[k]!.calls;
        const call = calls[outcome.call];
        const instance =
          call === undefined || call.op === 'values'
            ? -1
            : call.op === 'create'
              ? calls.slice(0, outcome.call).filter((c) => c.op === 'create').length
              : call.instance;
        const optimizer = owners[k]![instance];
        if (
          optimizer !== undefined &&
          !own.includes(optimizer) &&
          typeof outcome.error === 'object' &&
          outcome.error !== null
        )
          fromCompanions.add(outcome.error);
      });
      return outcomes;
    },
  };
  return { view: adapterView(adapter, { optimizers: allowed, create, ...runner }), companionFailed: () => failed };
}

/**
 * Runs the laws of `subject` against the (guarded) implementation, through the very
 * law functions of src/laws (`checkLaw`), seeded by the run's seed; `effort` multiplies
 * each law's own run count. A law that errs because a companion threw is run again
 * against the exact rule instead of that companion.
 */
export async function runLaws(
  laws: readonly Law[],
  adapter: Adapter,
  subject: Subject,
  companions: readonly OptimizerName[],
  seed: number,
  effort: number,
  onFinding: (finding: Finding) => void,
  path?: string,
): Promise<LawOutcome[]> {
  const out: LawOutcome[] = [];
  // A replay (`path`) re-runs the shrunk counterexample fast-check found at that seed.
  const how = path === undefined ? { seed, effort } : { seed, path };
  for (const law of laws) {
    let used = companions;
    let { view, companionFailed } = lawView(adapter, subject, used);
    let result = await checkLaw(law, view, how);
    let note = '';
    if (result.status === 'error' && companionFailed()) {
      note = ` (the implementation's ${companions.join(', ')} failed during this law; checked against the lecture's exact rule instead)`;
      used = [];
      ({ view, companionFailed } = lawView(adapter, subject, used));
      result = await checkLaw(law, view, how);
    }
    const recorded =
      result.status === 'fail' && result.counterexample !== undefined
        ? await recordLawInputs(law, view, result.counterexample, result.violation ?? {})
        : undefined;
    const finding = lawFinding(result, note, recorded);
    onFinding(finding);
    out.push({ law, result, finding, companions: used });
  }
  return out;
}

/** What a law failure is replayed on to see whether it explains it: conventions of the subject, or a known bug's formula. */
export interface Explanation {
  conventions?: Conventions;
  bug?: BugVariant;
  /** A schedule that answers for t the value of t + shift (`schedule-one-early`: 1). */
  scheduleShift?: number;
  /** The subject's epsilon held in float16 (a lost epsilon, src/conformance/held-epsilon.ts). */
  epsilonHeld?: true;
}

/**
 * The reference as the explanation says: the subject built with the conventions (the
 * reference rules in the dtype) or evaluated by the bug's formula (tolerance.ts's model,
 * in float64), the companions as the lecture's rules, and the same optimizers listed as
 * in the law's run, so the law takes the same path.
 */
function explanationModel(
  dtype: Dtype,
  subject: Subject,
  companions: readonly OptimizerName[],
  explanation: Explanation,
): Adapter {
  const base = referenceAdapter({ dtype });
  const own = subject.startsWith('schedule:') ? [] : [subject as OptimizerName];
  return adapterView(base, {
    name: `optimspec reference (${dtype}) explained`,
    optimizers: [...own, ...companions],
    create(given, x0) {
      if (given.optimizer !== subject) return base.create(given, x0);
      const config = explanation.epsilonHeld === true ? withHeldEpsilon(given) : given;
      if (explanation.bug === undefined)
        return referenceAdapter({ dtype, conventions: explanation.conventions ?? {} }).create(config, x0);
      const stepper = boundedStepper(config, explanation.conventions ?? {}, dtype, x0, explanation.bug);
      return { step: (grad, learningRate) => stepper.step(grad, learningRate).x };
    },
    schedule(config: ScheduleConfig) {
      const exact = scheduleRule(config.schedule).create(config);
      const shift = explanation.scheduleShift ?? 0;
      return (t: number) => exact(t + shift);
    },
  });
}

/**
 * Whether a law that failed on the implementation also fails on the explanation's
 * model ("fails the same way on the reference built with those conventions"): first
 * replayed at the same seed and path; when that input passes there (a law whose
 * tolerance sits within a few roundings of the convention's effect can fall either way
 * for two correct float32 implementations), the law is run on the model with the same
 * seed and run count, and a failure there shows that the explanation breaks the law.
 */
async function lawExplained(outcome: LawOutcome, model: Adapter): Promise<boolean> {
  const { result } = outcome;
  const replay = await checkLaw(outcome.law, model, {
    seed: result.seed,
    numRuns: result.numRuns,
    ...(result.path === undefined ? {} : { path: result.path }),
  });
  if (replay.status === 'fail') return true;
  const search = await checkLaw(outcome.law, model, { seed: result.seed, numRuns: result.numRuns });
  return search.status === 'fail';
}

/**
 * Whether every one of `laws` (failures of the implementation) fails the same way on
 * the explanation's model of `subject` ({@link lawExplained}); they are replayed in
 * order, and the first that does not stops the replays.
 */
export async function everyLawExplained(
  laws: readonly LawOutcome[],
  dtype: Dtype,
  subject: Subject,
  explanation: Explanation,
): Promise<boolean> {
  for (const outcome of laws)
    if (!(await lawExplained(outcome, explanationModel(dtype, subject, outcome.companions, explanation)))) return false;
  return true;
}

/**
 * Whether a law failure needs an infinity or NaN (docs/conventions.md's `non-finite`): the
 * law compares the implementation with something other than itself, its counterexample holds one, the same input with those replaced (finiteOnly) passes,
 * and so does the law over the same seed and run count with finite inputs only.
 */
export async function lawNeedsNonFinite(outcome: LawOutcome, adapter: Adapter, subject: Subject): Promise<boolean> {
  const { result } = outcome;
  if (
    outcome.law.selfComparison === true ||
    result.counterexample === undefined ||
    !hasNonFinite(result.counterexample)
  )
    return false;
  const { view } = lawView(adapter, subject, outcome.companions);
  try {
    await outcome.law.check(view, finiteOnly(result.counterexample));
  } catch (error) {
    if (error instanceof LawViolation || error instanceof AdapterError) return false;
    throw error;
  }
  const finite = await checkLaw(outcome.law, view, { seed: result.seed, numRuns: result.numRuns, finite: true });
  return finite.status === 'pass';
}

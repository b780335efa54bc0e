import { type Arithmetic, rounderFor } from '../numerics/index.js';
import fc from 'fast-check';
import { AdapterError, UnsupportedValue } from '../adapter/index.js';
import { simplerValues } from '../laws/index.js';
import type { Conventions, OptimizerConfig } from '../reference/index.js';
import type { GuardedStepper } from './guard.js';
import { compareRun, compareScenario, type InstanceRun, type Mismatch, type ScenarioRun, traceOf } from './run.js';
import { placeInRun } from './scenario-finding.js';
import type { Counterexample, Finding } from './types.js';
import { type Judged, judgedDtype } from './mixed-precision.js';

/** What fast-check shrinks: one instance's inputs (the config stays the failing one). */
interface Input {
  x0: number[];
  gradients: number[][];
  learningRates: (number | null)[];
}

/** Options of {@link shrinkCounterexample}. */
export interface ShrinkOptions {
  create: (config: OptimizerConfig, x0: number[]) => Promise<GuardedStepper>;
  /** The adapter's dtype, or its mixed precision (src/conformance/mixed-precision.ts). */
  dtype: Judged;
  /** The implementation's declared arithmetic (absent: IEEE-754), which sets the bounds. */
  arithmetic?: Arithmetic;
  /** The conventions that explain the rest of the subject: the counterexample shows what they do not. */
  conventions?: Conventions;
  seed: number;
  /** Wall-clock budget for shrinking; the best counterexample so far is kept when it runs out. */
  timeLimitMs: number;
  /**
   * Budget of steps times coordinates over the candidates run while shrinking: once spent, no
   * further candidate is run (each counts as not failing) and the best so far is kept. Unlike the
   * time limit it ends shrinking at the same counterexample on a busy machine as on an idle one.
   */
  stepBudget?: number;
}

/**
 * A number that shrinks towards "nicer" numbers (0, then ±1, then one or two
 * significant digits, positive before negative), never through subnormals as
 * `fc.double` would (readable.ts simplerValues). Each candidate has a strictly smaller complexity,
 * so shrinking terminates.
 */
class NiceNumber extends fc.Arbitrary<number> {
  constructor(private readonly round: (v: number) => number) {
    super();
  }
  generate(mrng: fc.Random): fc.Value<number> {
    return new fc.Value(mrng.nextInt(-4, 4), undefined);
  }
  canShrinkWithoutContext(value: unknown): value is number {
    return typeof value === 'number';
  }
  shrink(value: number): fc.Stream<fc.Value<number>> {
    return fc.Stream.of(...simplerValues(value, this.round).map((c) => new fc.Value(c, undefined)));
  }
}

function toRun(config: OptimizerConfig, input: Input, arithmetic: Arithmetic | undefined): InstanceRun {
  const run: InstanceRun = {
    config,
    x0: input.x0,
    gradients: input.gradients.map((g) => Float64Array.from(g)),
    xs: [],
  };
  if (arithmetic !== undefined && arithmetic !== 'ieee754') run.arithmetic = arithmetic;
  if (input.learningRates.some((v) => v !== null))
    run.learningRates = input.gradients.map((_, k) => input.learningRates[k] ?? undefined);
  return run;
}

/** Runs the candidate on an input and compares it with the lecture's rule (with the options' conventions); undefined when it conforms or the adapter errs. */
async function mismatchOn(
  config: OptimizerConfig,
  input: Input,
  options: ShrinkOptions,
  budget?: { left: number },
): Promise<Mismatch | undefined> {
  if (budget !== undefined) {
    const cost = input.gradients.length * Math.max(1, input.x0.length);
    if (cost > budget.left) {
      budget.left = 0;
      return undefined;
    }
    budget.left -= cost;
  }
  return (await runOn(config, input, options))?.mismatch;
}

async function runOn(
  config: OptimizerConfig,
  input: Input,
  options: ShrinkOptions,
): Promise<{ run: InstanceRun; mismatch?: Mismatch } | undefined> {
  const run = toRun(config, input, options.arithmetic);
  let stepper: GuardedStepper | undefined;
  try {
    stepper = await options.create(config, input.x0);
    run.xs = await stepper.steps(run.gradients, run.learningRates);
  } catch (error) {
    if (error instanceof AdapterError || error instanceof UnsupportedValue) return undefined;
    throw error;
  } finally {
    await stepper?.dispose().catch(() => undefined);
  }
  const { mismatch } = compareRun(run, options.dtype, options.conventions ?? {});
  return mismatch === undefined ? { run } : { run, mismatch };
}

/**
 * Shrinks a failing run to a minimal counterexample with fast-check.
 * The run is first cut after the failing step (later steps cannot matter: each
 * step depends only on earlier ones) and to the fewest coordinates that still
 * show it (the rules are element-wise; a per-coordinate counter needs two); fast-check
 * then shrinks the gradient sequence, `x0` and the learning rates, starting from
 * that input as its first example. Replay: the same `seed` gives the same probes
 * and the same example, and `path` is fast-check's path of the shrunk input.
 */
async function shrinkCounterexample(
  failing: InstanceRun,
  mismatch: Mismatch,
  options: ShrinkOptions,
): Promise<Counterexample> {
  const config = failing.config;
  const budget = { left: options.stepBudget ?? Number.POSITIVE_INFINITY };
  const cut = mismatch.step;
  const rates = (failing.learningRates ?? []).slice(0, cut).map((v) => v ?? null);
  let start: Input = {
    x0: [...failing.x0],
    gradients: failing.gradients.slice(0, cut).map((g) => [...g]),
    learningRates: rates,
  };
  // Drop coordinates one at a time while the failure remains (the failing one is tried last).
  const order = [...start.x0.keys()].filter((j) => j !== mismatch.coordinate);
  order.push(mismatch.coordinate);
  let keep = [...start.x0.keys()];
  for (const j of order) {
    if (keep.length === 1) break;
    const fewer = keep.filter((k) => k !== j);
    const candidate: Input = {
      x0: fewer.map((k) => failing.x0[k]!),
      gradients: start.gradients.map((g) => fewer.map((k) => g[k]!)),
      learningRates: rates,
    };
    if ((await mismatchOn(config, candidate, options, budget)) !== undefined) keep = fewer;
  }
  start = {
    x0: keep.map((k) => failing.x0[k]!),
    gradients: start.gradients.map((g) => keep.map((k) => g[k]!)),
    learningRates: rates,
  };
  const size = start.x0.length;
  const round = rounderFor(judgedDtype(options.dtype));
  const value = new NiceNumber(round);
  const vector = fc.array(value, { minLength: size, maxLength: size });
  const arbitrary: fc.Arbitrary<Input> = fc.record({
    x0: vector,
    gradients: fc.array(vector, { minLength: 1, maxLength: Math.max(1, start.gradients.length) }),
    learningRates: fc.array(
      fc.option(fc.constantFrom(...new Set([config.learningRate, ...rates.filter((v): v is number => v !== null)])), {
        nil: null,
      }),
      {
        maxLength: start.learningRates.length,
      },
    ),
  });
  const property = fc.asyncProperty(arbitrary, async (input) => {
    if ((await mismatchOn(config, input, options, budget)) !== undefined) throw new Error('parts from the spec');
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: 1,
    examples: [[start]],
    interruptAfterTimeLimit: options.timeLimitMs,
  });
  const best: Input = details.counterexample?.[0] ?? start;
  const replayed = await runOn(config, best, options);
  const final = replayed?.mismatch ?? mismatch;
  const counterexample: Counterexample = {
    ...final,
    config,
    x0: best.x0,
    gradients: best.gradients,
    seed: options.seed,
  };
  if (replayed?.mismatch !== undefined) counterexample.trace = traceOf(replayed.run, options.dtype, {}, final.step);
  const lrs = best.gradients.map((_, k) => best.learningRates[k] ?? null);
  if (lrs.some((v) => v !== null)) counterexample.learningRates = lrs;
  if (details.counterexamplePath !== null) counterexample.path = details.counterexamplePath;
  return counterexample;
}

/**
 * A failing scenario's finding with its counterexample shrunk (the message says to
 * what), or saying why it is not: a bug that needs a long vector to show is not
 * shrunk, the size is what shows it. When the adapter errs while shrinking, the
 * finding stays as it was. `options.conventions` explain the rest of the subject.
 */
export async function shrunkFinding(finding: Finding, run: ScenarioRun, options: ShrinkOptions): Promise<Finding> {
  if (run.scenario.tile !== undefined)
    return {
      ...finding,
      message: `${finding.message}; not shrunk: it is the ${run.scenario.x0.length}-coordinate vector that shows it`,
    };
  const compared = compareScenario(run, options.dtype, options.conventions ?? {});
  const instance = run.instances[Math.max(0, compared.instance)]!;
  try {
    const c = await shrinkCounterexample(instance, compared.mismatch ?? (finding.counterexample as Mismatch), options);
    const [steps, coordinates] = [c.gradients?.length ?? 0, c.x0?.length ?? 0];
    // One expected/actual pair per problem: the shrunk one; of the full run only where it first differed (the
    // finding's own counterexample, compared with the spec alone).
    const full = finding.counterexample;
    const first =
      full?.step === undefined || full.coordinate === undefined
        ? undefined
        : placeInRun(
            run,
            { step: full.step, coordinate: full.coordinate },
            Math.max(0, compareScenario(run, options.dtype, {}).instance),
          );
    return {
      ...finding,
      message: `${run.scenario.purpose}: ${first === undefined ? '' : `the run first differs at ${first}; `}shrunk to ${steps} step${steps === 1 ? '' : 's'} of ${coordinates} coordinate${coordinates === 1 ? '' : 's'}: step ${c.step}, coordinate ${c.coordinate}: expected ${c.expected}, got ${c.actual} (relative error ${c.relativeError?.toPrecision(3)}, ${c.ulp} ulp)`,
      counterexample: c,
    };
  } catch (error) {
    if (!(error instanceof AdapterError)) throw error;
    return finding;
  }
}

import fc from 'fast-check';
import { AdapterError } from '../adapter-error.js';
import type { Dtype, OptimizerConfig } from '../types.js';
import type { GuardedStepper } from './guard.js';
import { compareRun, type InstanceRun, type Mismatch } from './run.js';
import type { Counterexample } from './types.js';

/** What fast-check shrinks: one instance's inputs (the config stays the failing one). */
interface Input {
  x0: number[];
  gradients: number[][];
  learningRates: (number | null)[];
}

/** Options of {@link shrinkCounterexample}. */
export interface ShrinkOptions {
  create: (config: OptimizerConfig, x0: number[]) => Promise<GuardedStepper>;
  dtype: Dtype;
  seed: number;
  /** Wall-clock budget for shrinking; the best counterexample so far is kept when it runs out. */
  timeLimitMs: number;
}

function toRun(config: OptimizerConfig, input: Input): InstanceRun {
  const run: InstanceRun = { config, x0: input.x0, gradients: input.gradients.map((g) => Float64Array.from(g)), xs: [] };
  if (input.learningRates.some((v) => v !== null)) run.learningRates = input.gradients.map((_, k) => input.learningRates[k] ?? undefined);
  return run;
}

/** Runs the candidate on an input and compares it with the lecture's rule; undefined when it conforms or the adapter errs. */
async function mismatchOn(config: OptimizerConfig, input: Input, options: ShrinkOptions): Promise<Mismatch | undefined> {
  const run = toRun(config, input);
  let stepper: GuardedStepper | undefined;
  try {
    stepper = await options.create(config, input.x0);
    run.xs = await stepper.steps(run.gradients, run.learningRates);
  } catch (error) {
    if (error instanceof AdapterError) return undefined;
    throw error;
  } finally {
    await stepper?.dispose().catch(() => undefined);
  }
  return compareRun(run, options.dtype, {}).mismatch;
}

/**
 * Shrinks a failing run to a minimal counterexample with fast-check (issue 4).
 * The run is first cut after the failing step (later steps cannot matter: each
 * step depends only on earlier ones) and, when the failure shows on the failing
 * coordinate alone, to that coordinate (the rules are element-wise); fast-check
 * then shrinks the gradient sequence, `x0` and the learning rates, starting from
 * that input as its first example. Replay: the same `seed` gives the same probes
 * and the same example, and `path` is fast-check's path of the shrunk input.
 */
export async function shrinkCounterexample(failing: InstanceRun, mismatch: Mismatch, options: ShrinkOptions): Promise<Counterexample> {
  const config = failing.config;
  const cut = mismatch.step;
  const rates = (failing.learningRates ?? []).slice(0, cut).map((v) => v ?? null);
  let start: Input = { x0: [...failing.x0], gradients: failing.gradients.slice(0, cut).map((g) => [...g]), learningRates: rates };
  const alone: Input = { x0: [failing.x0[mismatch.coordinate]!], gradients: start.gradients.map((g) => [g[mismatch.coordinate]!]), learningRates: rates };
  if ((await mismatchOn(config, alone, options)) !== undefined) start = alone;
  const size = start.x0.length;
  const round = options.dtype === 'float32' ? Math.fround : (v: number) => v;
  const value = fc.double({ noNaN: true, noDefaultInfinity: true }).map(round, (v) => {
    if (typeof v !== 'number') throw new TypeError('not a number');
    return v;
  });
  const vector = fc.array(value, { minLength: size, maxLength: size });
  const arbitrary: fc.Arbitrary<Input> = fc.record({
    x0: vector,
    gradients: fc.array(vector, { minLength: 1, maxLength: Math.max(1, start.gradients.length) }),
    learningRates: fc.array(fc.option(fc.constantFrom(...new Set([config.learningRate, ...rates.filter((v): v is number => v !== null)])), { nil: null }), {
      maxLength: start.learningRates.length,
    }),
  });
  const property = fc.asyncProperty(arbitrary, async (input) => {
    if ((await mismatchOn(config, input, options)) !== undefined) throw new Error('parts from the spec');
  });
  const details = await fc.check(property, { seed: options.seed, numRuns: 1, examples: [[start]], interruptAfterTimeLimit: options.timeLimitMs });
  const best: Input = details.counterexample?.[0] ?? start;
  const final = (await mismatchOn(config, best, options)) ?? mismatch;
  const counterexample: Counterexample = {
    ...final,
    config,
    x0: best.x0,
    gradients: best.gradients,
    seed: options.seed,
  };
  const lrs = best.gradients.map((_, k) => best.learningRates[k] ?? null);
  if (lrs.some((v) => v !== null)) counterexample.learningRates = lrs;
  if (details.counterexamplePath !== null) counterexample.path = details.counterexamplePath;
  return counterexample;
}

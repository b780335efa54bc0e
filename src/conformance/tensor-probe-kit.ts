import fc from 'fast-check';
import { configArbitrary, positiveEpsilon, range } from '../laws/index.js';
import { rounderFor } from '../numerics/index.js';
import { optimizerRule } from '../registry/index.js';
import type { Dtype, OptimizerConfig, OptimizerName, ScheduleConfig } from '../reference/index.js';
import { typicalConfig } from './scenarios.js';
import {
  aloneRun,
  firstParting,
  type Parting,
  type TensorRun,
  type TensorRunStep,
  type Trajectory,
} from './tensor-runs.js';

/** What a probe may do with the implementation; every call is guarded (src/conformance/tensor-guard.ts). */
export interface ProbeIo {
  dtype: Dtype;
  /** Creates an instance for `run`, makes its steps, disposes it: `[step][tensor]`. */
  drive(run: TensorRun): Promise<Trajectory>;
  /** `create` (the single-vector contract) stepped with `grads`, `learningRates[t]` replacing the rate from step t. */
  single(
    config: OptimizerConfig,
    x0: readonly number[],
    grads: readonly number[][],
    learningRates: readonly (number | undefined)[],
  ): Promise<Float64Array[]>;
  /** Runs `run` with a save after `k` steps, then restores that state into another instance (`into`) and goes on. */
  restored(
    run: TensorRun,
    k: number,
    into: 'fresh' | 'stepped',
    modify?: (state: unknown) => { state: unknown; changed: boolean },
  ): Promise<RestoredRun>;
  /** The implementation's own schedule values (its `schedule(config)(t)`). */
  scheduleValues(config: ScheduleConfig, t: readonly number[]): Promise<Float64Array>;
}

/** What {@link ProbeIo.restored} gives: the uninterrupted run (saved after k steps), the one without the save, the restored continuation. */
export interface RestoredRun {
  /** The instance saved after `k` steps, run to the end. */
  saved: Trajectory;
  /** The same steps with no save. */
  plain: Trajectory;
  /** The restored instance's steps `k + 1 ...` (row 0 is step k + 1). */
  resumed: Trajectory;
  /** Whether the state a modification was asked for changed (the downcast self-model). */
  modified?: boolean;
  /** The state saved after k steps, as the checkpoint kept it (before any modification). */
  state: unknown;
}

/** Why a probe's run failed: where, and what the diagnosis needs. */
export interface ProbeFailure {
  message: string;
  parting: Parting;
  run: TensorRun;
  /** The trajectory that parted (`[step][tensor]`; for a restore, the resumed steps). */
  xs: Trajectory;
  /** A missing-gradient probe: the tensor's values changed in a step that gave it no gradient. */
  movedWithoutGradient?: boolean;
  /** A save-restore probe: the save point and the instance restored into. */
  restore?: { k: number; into: 'fresh' | 'stepped' };
  /** An own-schedule probe: the schedule's values the run was compared with. */
  schedule?: { config: ScheduleConfig; values: Float64Array };
}

/** A drawn input of every probe: the rule's config, a few shape numbers, and values cycled into x0 and gradients. */
export interface ProbeInput {
  config: OptimizerConfig;
  /** Tensor lengths (0 to 3). */
  sizes: number[];
  steps: number;
  /** Probe-specific: the late steps, the save point, the group learning-rate step, ... */
  k: number;
  values: number[];
}

/** One check of a subject, run for each optimizer: a fast-check property whose first runs are fixed examples. */
export interface Probe {
  /** `<optimizer>/<name>` is the finding's check id. */
  name: string;
  purpose: string;
  /** Drawn runs at `runs = 1` (the examples come first). */
  drawn: number;
  examples(rule: OptimizerName): ProbeInput[];
  arbitrary(rule: OptimizerName): fc.Arbitrary<ProbeInput>;
  test(input: ProbeInput, io: ProbeIo): Promise<ProbeFailure | undefined>;
}

const VALUES = 12;
/** Gradient and parameter values: moderate, both signs, -0 and 0 among them. */
// Built from arbitraries that can shrink a value they did not draw, so that a failing fixed example shrinks too.
const valuesArbitrary = fc.array(fc.oneof(fc.constantFrom(0, -0), fc.double({ min: -3, max: 3, noNaN: true })), {
  minLength: VALUES,
  maxLength: VALUES,
});
/** The values of every probe's fixed examples. */
export const FIXED_VALUES = [0.5, -1.25, 2, -0.75, 0.1, 1.5, -2.5, 0.3, -0.05, 1, -0.6, 2.2];

/** The value at position `k`: the drawn ones cycled with a small offset, rounded to the dtype (so x0 is returned unchanged). */
function valueAt(values: readonly number[], k: number, dtype: Dtype): number {
  return rounderFor(dtype)(values[k % values.length]! + ((k * 7) % 5) * 0.125);
}

/**
 * The run with every x0 and gradient value replaced by a generic one of the dtype (no short
 * binary fraction: steps of 1/pi), for a diagnosis that must not be misled by the simple
 * values a shrunk counterexample holds.
 */
export function genericValues(run: TensorRun, dtype: Dtype): TensorRun {
  let next = 0;
  const value = () => {
    next++;
    return rounderFor(dtype)((next % 2 === 0 ? -1 : 1) * (0.5 + ((next * 0.3183098861837907) % 1.5)));
  };
  return {
    ...run,
    x0: run.x0.map((x) => x.map(value)),
    steps: run.steps.map((s) => ({ ...s, grads: s.grads.map((g) => (g === null ? null : g.map(value))) })),
  };
}

const typical = new Map<OptimizerName, OptimizerConfig>();

/**
 * A typical config with a learning rate large enough that every step moves; one object per
 * rule, the very one the examples use and `fc.constant` draws (so an example shrinks).
 */
export function probeConfig(rule: OptimizerName): OptimizerConfig {
  let config = typical.get(rule);
  if (config === undefined) {
    config = typicalConfig(rule, rule === 'adam' || rule === 'rmsprop' ? 0.01 : 0.05);
    typical.set(rule, config);
  }
  return config;
}

/** The rule's typical config, or one drawn over its hyperparameters. */
function configs(rule: OptimizerName): fc.Arbitrary<OptimizerConfig> {
  return fc.oneof(
    fc.constant(probeConfig(rule)),
    configArbitrary(optimizerRule(rule), { learningRate: range(1e-4, 0.5), epsilon: positiveEpsilon }),
  );
}

/** A probe's drawn input over `sizes`, `steps` and `k`, with a config of `rule`. */
export function input(
  rule: OptimizerName,
  sizes: fc.Arbitrary<number[]>,
  steps: fc.Arbitrary<number>,
  k: fc.Arbitrary<number>,
): fc.Arbitrary<ProbeInput> {
  return fc.record({ config: configs(rule), sizes, steps, k, values: valuesArbitrary });
}

/** A tensor's drawn length: 0 to 3. */
export const length = fc.integer({ min: 0, max: 3 });

/** A run of one group over `sizes`, `steps` steps, gradients from the values; `missing(step, tensor)` drops a gradient. */
export function buildRun(
  p: ProbeInput,
  dtype: Dtype,
  missing: (step: number, tensor: number) => boolean = () => false,
  groups?: TensorRun['groups'],
): TensorRun {
  let next = 0;
  const x0 = p.sizes.map((n) => Array.from({ length: n }, () => valueAt(p.values, next++, dtype)));
  const steps: TensorRunStep[] = Array.from({ length: p.steps }, (_, s) => ({
    grads: p.sizes.map((n, i) =>
      missing(s, i) ? null : Array.from({ length: n }, () => valueAt(p.values, next++, dtype)),
    ),
  }));
  return { groups: groups ?? [{ config: p.config, sizes: [...p.sizes] }], x0, steps };
}

/** The rows of a one-tensor trajectory as a plain trajectory over tensor 0. */
export function rowsOf(xs: readonly Float64Array[]): Trajectory {
  return xs.map((x) => [x]);
}

/** The values a tensor had before step `s` (0-based): x0 at s = 0. */
function before(run: TensorRun, xs: Trajectory, s: number, i: number): Float64Array {
  return s === 0 ? Float64Array.from(run.x0[i]!) : xs[s - 1]![i]!;
}

/** A tensor whose values changed in a step where it had no gradient: the first such step. */
export function movedWhileMissing(run: TensorRun, xs: Trajectory, i: number): Parting | undefined {
  for (let s = 0; s < run.steps.length; s++) {
    if (run.steps[s]!.grads[i] !== null) continue;
    const prev = [[before(run, xs, s, i)]];
    const parting = firstParting(xs, i, prev, 0, [{ actual: s, expected: 0 }]);
    if (parting !== undefined) return { tensor: i, ...parting };
  }
  return undefined;
}

/**
 * Tensor `i` of `xs` against a fresh one-tensor instance given only the gradients tensor `i`
 * got (the steps without a gradient dropped, its group's learning rates kept): equal from
 * its first gradient on, bit for bit.
 */
export async function againstFresh(
  run: TensorRun,
  xs: Trajectory,
  i: number,
  io: ProbeIo,
): Promise<Parting | undefined> {
  const alone = aloneRun(run, i);
  const kept = alone.steps.map((s, k) => ({ s, k })).filter(({ s }) => s.grads[0] !== null);
  const compact: TensorRun = { ...alone, steps: kept.map(({ s }) => s) };
  const fresh = await io.drive(compact);
  const parting = firstParting(
    xs,
    i,
    fresh,
    0,
    kept.map(({ k }, j) => ({ actual: k, expected: j })),
  );
  return parting === undefined ? undefined : { tensor: i, ...parting };
}

/** A run's shape in words, for a failure's message. */
export const describeRun = (run: TensorRun): string =>
  `${run.x0.length} tensor(s) of length ${run.x0.map((x) => x.length).join(', ')}, ${run.steps.length} step(s)`;

/** The first parting over every tensor, `actual` row j against `expected` row j + offset (steps numbered as in `expected`). */
export function firstPartingAll(
  actual: Trajectory,
  expected: Trajectory,
  run: TensorRun,
  offset: number,
): Parting | undefined {
  for (let j = 0; j < actual.length; j++) {
    for (let i = 0; i < run.x0.length; i++) {
      const parting = firstParting(actual, i, expected, i, [{ actual: j, expected: j + offset }]);
      if (parting !== undefined) return { tensor: i, ...parting, step: j + offset + 1 };
    }
  }
  return undefined;
}

import fc from 'fast-check';
import { configArbitrary, positiveEpsilon, range } from '../laws/index.js';
import { rounderFor } from '../numerics/index.js';
import { optimizerRule } from '../registry/index.js';
import type { Dtype, OptimizerConfig, OptimizerName, ScheduleConfig, ScheduleName } from '../reference/index.js';
import { typicalConfig } from './scenarios.js';
import {
  aloneRun,
  firstParting,
  type Parting,
  sameSteps,
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
const FIXED_VALUES = [0.5, -1.25, 2, -0.75, 0.1, 1.5, -2.5, 0.3, -0.05, 1, -0.6, 2.2];

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

function configs(rule: OptimizerName): fc.Arbitrary<OptimizerConfig> {
  return fc.oneof(
    fc.constant(probeConfig(rule)),
    configArbitrary(optimizerRule(rule), { learningRate: range(1e-4, 0.5), epsilon: positiveEpsilon }),
  );
}

function input(
  rule: OptimizerName,
  sizes: fc.Arbitrary<number[]>,
  steps: fc.Arbitrary<number>,
  k: fc.Arbitrary<number>,
): fc.Arbitrary<ProbeInput> {
  return fc.record({ config: configs(rule), sizes, steps, k, values: valuesArbitrary });
}

const length = fc.integer({ min: 0, max: 3 });

/** A run of one group over `sizes`, `steps` steps, gradients from the values; `missing(step, tensor)` drops a gradient. */
function buildRun(
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
function rowsOf(xs: readonly Float64Array[]): Trajectory {
  return xs.map((x) => [x]);
}

/** The values a tensor had before step `s` (0-based): x0 at s = 0. */
function before(run: TensorRun, xs: Trajectory, s: number, i: number): Float64Array {
  return s === 0 ? Float64Array.from(run.x0[i]!) : xs[s - 1]![i]!;
}

/** A tensor whose values changed in a step where it had no gradient: the first such step. */
function movedWhileMissing(run: TensorRun, xs: Trajectory, i: number): Parting | undefined {
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
async function againstFresh(run: TensorRun, xs: Trajectory, i: number, io: ProbeIo): Promise<Parting | undefined> {
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

const describeRun = (run: TensorRun): string =>
  `${run.x0.length} tensor(s) of length ${run.x0.map((x) => x.length).join(', ')}, ${run.steps.length} step(s)`;

/** tensors:several: stepped together equals each alone; one tensor in createTensors steps as create() does. */
export const severalProbes: readonly Probe[] = [
  {
    name: 'together-alone',
    purpose: 'tensors stepped together in one instance equal each stepped alone, bit for bit',
    drawn: 3,
    examples: (rule) => [{ config: probeConfig(rule), sizes: [3, 0, 1, 2], steps: 4, k: 0, values: FIXED_VALUES }],
    arbitrary: (rule) =>
      input(rule, fc.array(length, { minLength: 2, maxLength: 4 }), fc.integer({ min: 1, max: 5 }), fc.constant(0)),
    async test(p, io) {
      const run = buildRun(p, io.dtype);
      const together = await io.drive(run);
      for (let i = 0; i < run.x0.length; i++) {
        const alone = await io.drive(aloneRun(run, i));
        const parting = firstParting(together, i, alone, 0, sameSteps(0, run.steps.length));
        if (parting !== undefined)
          return {
            message: `tensor ${i} (length ${run.x0[i]!.length}) of ${describeRun(run)}, at step ${parting.step}, coordinate ${parting.coordinate}: stepped together ${parting.actual}, alone ${parting.expected}`,
            parting: { tensor: i, ...parting },
            run,
            xs: together,
          };
      }
      return undefined;
    },
  },
  {
    name: 'one-tensor-as-create',
    purpose:
      'one tensor in createTensors steps as create() steps it (the instance the optimizer subject judged), learning-rate changes included',
    drawn: 1,
    examples: (rule) => [{ config: probeConfig(rule), sizes: [3], steps: 4, k: 2, values: FIXED_VALUES }],
    arbitrary: (rule) =>
      input(
        rule,
        fc.array(length, { minLength: 1, maxLength: 1 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
      ),
    async test(p, io) {
      const rate = p.config.learningRate / 2;
      const run = buildRun(p, io.dtype);
      run.steps.forEach((s, t) => {
        if (t === p.k) s.learningRates = [rate];
      });
      const tensors = await io.drive(run);
      const single = await io.single(
        p.config,
        run.x0[0]!,
        run.steps.map((s) => s.grads[0]!),
        run.steps.map((_, t) => (t === p.k ? rate : undefined)),
      );
      const parting = firstParting(tensors, 0, rowsOf(single), 0, sameSteps(0, run.steps.length));
      if (parting === undefined) return undefined;
      return {
        message: `the one tensor of a createTensors instance (length ${run.x0[0]!.length}) at step ${parting.step}, coordinate ${parting.coordinate}: ${parting.actual}, where create()'s instance gives ${parting.expected}`,
        parting: { tensor: 0, ...parting },
        run,
        xs: tensors,
      };
    },
  },
];

/** The missing-gradient probes over one tensor (no other capability involved) and, when several tensors conform, beside another. */
export function missingProbes(withOthers: boolean): Probe[] {
  const probes: Probe[] = [
    {
      name: 'late-first-gradient',
      purpose:
        'a tensor whose first gradient arrives late is left alone until then and then steps as a fresh one (its own t)',
      drawn: 3,
      examples: (rule) => [{ config: probeConfig(rule), sizes: [3], steps: 3, k: 3, values: FIXED_VALUES }],
      arbitrary: (rule) =>
        input(
          rule,
          fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 1 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
        ),
      async test(p, io) {
        const run = buildRun({ ...p, steps: p.k + p.steps }, io.dtype, (s) => s < p.k);
        return judgeMissing(run, [0], io);
      },
    },
    {
      name: 'gap',
      purpose: 'steps without a gradient in the middle of a run change nothing: the run equals the one without them',
      drawn: 3,
      examples: (rule) => [{ config: probeConfig(rule), sizes: [3], steps: 4, k: 2, values: FIXED_VALUES }],
      arbitrary: (rule) =>
        input(
          rule,
          fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 1 }),
          fc.integer({ min: 2, max: 5 }),
          fc.integer({ min: 1, max: 3 }),
        ),
      async test(p, io) {
        // Two steps with a gradient, `k` without, then the rest.
        const run = buildRun({ ...p, steps: p.steps + p.k }, io.dtype, (s) => s >= 2 && s < 2 + p.k);
        return judgeMissing(run, [0], io);
      },
    },
  ];
  if (withOthers)
    probes.push({
      name: 'late-beside-others',
      purpose: 'a tensor whose first gradient arrives late while another steps: each as if alone',
      drawn: 2,
      examples: (rule) => [{ config: probeConfig(rule), sizes: [2, 3], steps: 3, k: 3, values: FIXED_VALUES }],
      arbitrary: (rule) =>
        input(
          rule,
          fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 2 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
        ),
      async test(p, io) {
        const run = buildRun({ ...p, steps: p.k + p.steps }, io.dtype, (s, i) => i === 1 && s < p.k);
        return judgeMissing(run, [0, 1], io);
      },
    });
  return probes;
}

async function judgeMissing(
  run: TensorRun,
  tensors: readonly number[],
  io: ProbeIo,
): Promise<ProbeFailure | undefined> {
  const xs = await io.drive(run);
  for (const i of tensors) {
    const moved = movedWhileMissing(run, xs, i);
    if (moved !== undefined)
      return {
        message: `tensor ${i} of ${describeRun(run)} changed at step ${moved.step}, where it had no gradient (coordinate ${moved.coordinate}: ${moved.expected} became ${moved.actual})`,
        parting: moved,
        run,
        xs,
        movedWithoutGradient: true,
      };
    const parting = await againstFresh(run, xs, i, io);
    if (parting !== undefined) {
      const missed = run.steps.slice(0, parting.step).filter((s) => s.grads[i] === null).length;
      return {
        message: `tensor ${i} of ${describeRun(run)}, at step ${parting.step} (after ${missed} step(s) without a gradient), coordinate ${parting.coordinate}: ${parting.actual}, where a fresh instance given only its gradients gives ${parting.expected}`,
        parting,
        run,
        xs,
      };
    }
  }
  return undefined;
}

/** A config of the same rule with every hyperparameter other than the first group's. */
function otherConfig(config: OptimizerConfig): OptimizerConfig {
  const other: Record<string, unknown> = { ...config, learningRate: config.learningRate * 3 };
  for (const key of ['rho', 'decayRate', 'beta1'] as const) if (key in other) other[key] = 0.5;
  if ('beta2' in other) other.beta2 = 0.99;
  if ('epsilon' in other) other.epsilon = 1e-5;
  return other as unknown as OptimizerConfig;
}

/** tensors:groups: two groups with their own hyperparameters; a learning rate given to one group at step k. */
export const groupProbes: readonly Probe[] = [
  {
    name: 'independent',
    purpose:
      'each group steps as an optimizer of its own hyperparameters, and a learning rate given to one group touches no other',
    drawn: 3,
    examples: (rule) => [{ config: probeConfig(rule), sizes: [2, 1, 3], steps: 4, k: 2, values: FIXED_VALUES }],
    arbitrary: (rule) =>
      input(
        rule,
        fc.array(length, { minLength: 2, maxLength: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 3 }),
      ),
    async test(p, io) {
      // Group 0: the first half of the tensors with the config; group 1: the rest with another.
      const split = Math.ceil(p.sizes.length / 2);
      const configs = [p.config, otherConfig(p.config)];
      const groups = [
        { config: configs[0]!, sizes: p.sizes.slice(0, split) },
        { config: configs[1]!, sizes: p.sizes.slice(split) },
      ];
      const run = buildRun(p, io.dtype, () => false, groups);
      const rate = configs[1]!.learningRate / 4;
      run.steps.forEach((s, t) => {
        if (t === p.k) s.learningRates = [null, rate];
      });
      const xs = await io.drive(run);
      // Each group against one group of its hyperparameters over the same tensors (the same layout: a counter
      // shared by the tensors of an instance is the same in both), given that group's learning rates.
      for (const g of [0, 1]) {
        const single: TensorRun = {
          groups: [{ config: configs[g]!, sizes: [...p.sizes] }],
          x0: run.x0,
          steps: run.steps.map((s) => ({
            grads: s.grads,
            ...(s.learningRates === undefined ? {} : { learningRates: [s.learningRates[g] ?? null] }),
          })),
        };
        const ys = await io.drive(single);
        const first = g === 0 ? 0 : split;
        const last = g === 0 ? split : p.sizes.length;
        for (let i = first; i < last; i++) {
          const parting = firstParting(xs, i, ys, i, sameSteps(0, run.steps.length));
          if (parting !== undefined)
            return {
              message: `tensor ${i} (group ${g}) of ${describeRun(run)} in 2 groups, at step ${parting.step}, coordinate ${parting.coordinate}: ${parting.actual}, where one group of group ${g}'s hyperparameters${run.steps[p.k] !== undefined ? ` (a learning rate given to group 1 at step ${p.k + 1})` : ''} gives ${parting.expected}`,
              parting: { tensor: i, ...parting },
              run,
              xs,
            };
        }
      }
      return undefined;
    },
  },
];

/** A typical schedule config of each kind, its initial value the probe's learning rate. */
function scheduleConfig(name: ScheduleName, initial: number): ScheduleConfig {
  switch (name) {
    case 'step':
      return { schedule: 'step', initial, every: 2, factor: 0.5 };
    case 'exponential':
      return { schedule: 'exponential', initial, k: 0.3 };
    case 'inverse-time':
      return { schedule: 'inverse-time', initial, k: 0.5 };
  }
}

/** tensors:own-schedule: the optimizer applying `name` itself equals the same steps given schedule(t) at step t. */
export function scheduleProbe(name: ScheduleName): Probe {
  return {
    name: `schedule-${name}`,
    purpose: `with its own ${name} schedule, the optimizer's update t (from 0) uses schedule(t), as the same steps given those learning rates`,
    drawn: 2,
    examples: (rule) => [{ config: probeConfig(rule), sizes: [3], steps: 6, k: 0, values: FIXED_VALUES }],
    arbitrary: (rule) =>
      input(
        rule,
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 1 }),
        fc.integer({ min: 1, max: 7 }),
        fc.constant(0),
      ),
    async test(p, io) {
      const schedule = scheduleConfig(name, p.config.learningRate);
      const values = await io.scheduleValues(
        schedule,
        Array.from({ length: p.steps }, (_, t) => t),
      );
      const run = buildRun(p, io.dtype, () => false, [{ config: p.config, schedule, sizes: [...p.sizes] }]);
      const own = await io.drive(run);
      const given: TensorRun = {
        groups: [{ config: p.config, sizes: [...p.sizes] }],
        x0: run.x0,
        steps: run.steps.map((s, t) => ({ grads: s.grads, learningRates: [values[t]!] })),
      };
      const explicit = await io.drive(given);
      const parting = firstParting(own, 0, explicit, 0, sameSteps(0, run.steps.length));
      if (parting === undefined) return undefined;
      return {
        message: `tensor 0 of ${describeRun(run)} with its own schedule ${JSON.stringify(schedule)}, at step ${parting.step} (t = ${parting.step - 1}), coordinate ${parting.coordinate}: ${parting.actual}, where the same steps given schedule(${parting.step - 1}) = ${values[parting.step - 1]} give ${parting.expected}`,
        parting: { tensor: 0, ...parting },
        run,
        xs: own,
        schedule: { config: schedule, values },
      };
    },
  };
}

/**
 * tensors:save-restore: the state saved after k steps and restored into a fresh instance
 * (or one that already stepped) continues as the uninterrupted run, bit for bit: one
 * tensor; several tensors (run where they conform); with the optimizer's own schedule
 * `schedule` (run where it conforms). Each probe draws from its own fixed arbitrary, so a
 * replay draws the same runs.
 */
export function restoreProbes(schedule: ScheduleName | undefined): Probe[] {
  const one = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 1 });
  const make = (
    name: string,
    into: 'fresh' | 'stepped',
    sizes: fc.Arbitrary<number[]>,
    exampleSizes: number[],
    ks: number[],
    scheduled: boolean,
  ): Probe => ({
    name,
    purpose: `the state saved after k steps, restored into ${into === 'fresh' ? 'a fresh instance' : 'an instance that already stepped'}${scheduled ? ' with the optimizer applying its own schedule' : ''}, continues as the uninterrupted run`,
    drawn: 2,
    examples: (rule) =>
      ks.map((k) => ({ config: probeConfig(rule), sizes: exampleSizes, steps: 5, k, values: FIXED_VALUES })),
    arbitrary: (rule) => input(rule, sizes, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 6 })),
    async test(p, io) {
      const k = Math.min(p.k, p.steps);
      const groups =
        scheduled && schedule !== undefined
          ? [{ config: p.config, schedule: scheduleConfig(schedule, p.config.learningRate), sizes: [...p.sizes] }]
          : undefined;
      const run = buildRun(p, io.dtype, () => false, groups);
      const result = await io.restored(run, k, into);
      const plain = firstPartingAll(result.saved, result.plain, run, 0);
      if (plain !== undefined)
        return {
          message: `saving changed the run: tensor ${plain.tensor} of ${describeRun(run)}, saved after ${k} step(s), at step ${plain.step}, coordinate ${plain.coordinate}: ${plain.actual}, without the save ${plain.expected}`,
          parting: plain,
          run,
          xs: result.saved,
          restore: { k, into },
        };
      const resumed = firstPartingAll(result.resumed, result.saved, run, k);
      if (resumed === undefined) return undefined;
      return {
        message: `tensor ${resumed.tensor} of ${describeRun(run)}, saved after ${k} step(s) and restored into ${into === 'fresh' ? 'a fresh instance' : 'an instance that had stepped'}, at step ${resumed.step}, coordinate ${resumed.coordinate}: ${resumed.actual}, where the uninterrupted run gives ${resumed.expected}`,
        parting: resumed,
        run,
        xs: result.resumed,
        restore: { k, into },
      };
    },
  });
  return [
    make('restore-fresh', 'fresh', one, [3], [0, 1], false),
    make('restore-stepped', 'stepped', one, [3], [2], false),
    make('restore-several', 'fresh', fc.array(length, { minLength: 2, maxLength: 3 }), [2, 0, 1], [2], false),
    make('restore-scheduled', 'fresh', one, [3], [3], true),
  ];
}

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

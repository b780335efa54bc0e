import fc from 'fast-check';
import type { OptimizerConfig } from '../reference/index.js';
import { aloneRun, firstParting, sameSteps, type TensorRun } from './tensor-runs.js';
import {
  FIXED_VALUES,
  type Probe,
  type ProbeFailure,
  type ProbeIo,
  againstFresh,
  buildRun,
  describeRun,
  input,
  length,
  movedWhileMissing,
  probeConfig,
  rowsOf,
} from './tensor-probe-kit.js';

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

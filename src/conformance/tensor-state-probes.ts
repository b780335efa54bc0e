import fc from 'fast-check';
import type { ScheduleConfig, ScheduleName } from '../reference/index.js';
import { firstParting, sameSteps, type TensorRun } from './tensor-runs.js';
import {
  FIXED_VALUES,
  type Probe,
  buildRun,
  describeRun,
  firstPartingAll,
  input,
  length,
  probeConfig,
} from './tensor-probe-kit.js';

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

import type { Adapter, TensorAdapter } from '../adapter/index.js';
import type { OptimizerConfig, ScheduleConfig } from '../reference/index.js';
import { type GuardedStepper, type GuardOptions, scheduleValues } from './guard.js';
import { createTensorsGuarded, type GuardedTensorStepper } from './tensor-guard.js';
import type { ProbeIo, RestoredRun } from './tensor-probe-kit.js';
import { specOf, stepArguments, type TensorRun, type Trajectory } from './tensor-runs.js';

/** What the probes' view of the implementation is made of: the adapter, its guard, the single-vector instances. */
export interface ProbeIoSource {
  adapter: Adapter & TensorAdapter;
  guardOptions: GuardOptions;
  /** A guarded instance of the single-vector contract (the conformance run's guard). */
  single(config: OptimizerConfig, x0: ArrayLike<number>): Promise<GuardedStepper>;
}

/** The probes' view of the implementation: every instance created, stepped and disposed under the guard. */
export function probeIo(ctx: ProbeIoSource): ProbeIo {
  const { adapter, guardOptions } = ctx;
  const create = (run: TensorRun) => createTensorsGuarded(adapter, specOf(run), guardOptions);
  const finish = async <T>(stepper: GuardedTensorStepper | GuardedStepper, work: () => Promise<T>): Promise<T> => {
    let result: T;
    try {
      result = await work();
    } catch (error) {
      await stepper.dispose().catch(() => undefined);
      throw error;
    }
    await stepper.dispose();
    return result;
  };
  const steps = async (
    stepper: GuardedTensorStepper,
    run: TensorRun,
    from: number,
    to: number,
  ): Promise<Trajectory> => {
    const xs: Trajectory = [];
    for (let s = from; s < to; s++) {
      const { grads, learningRates } = stepArguments(run.steps[s]!);
      xs.push(await stepper.step(grads, learningRates));
    }
    return xs;
  };
  const io: ProbeIo = {
    dtype: adapter.dtype,
    async drive(run) {
      const stepper = await create(run);
      return finish(stepper, () => steps(stepper, run, 0, run.steps.length));
    },
    async single(config, x0, grads, learningRates) {
      const stepper = await ctx.single(config, x0);
      return finish(stepper, async () => {
        const xs: Float64Array[] = [];
        for (let t = 0; t < grads.length; t++) xs.push(await stepper.step(grads[t]!, learningRates[t]));
        return xs;
      });
    },
    async restored(run, k, into, modify) {
      const first = await create(run);
      let state: unknown;
      const saved = await finish(first, async () => {
        const head = await steps(first, run, 0, k);
        state = await first.save();
        return [...head, ...(await steps(first, run, k, run.steps.length))];
      });
      const plain = await io.drive(run);
      const params = k === 0 ? run.x0.map((x) => Float64Array.from(x)) : saved[k - 1]!;
      const out: RestoredRun = { saved, plain, resumed: [], state };
      if (modify !== undefined) {
        const changed = modify(state);
        state = changed.state;
        out.modified = changed.changed;
      }
      const second = await create(run);
      out.resumed = await finish(second, async () => {
        if (into === 'stepped') {
          // Two steps with other gradients first: the restore must replace all of that state.
          const other = run.x0.map((x) => Float64Array.from(x, (v, c) => 0.25 - 0.5 * v + 0.125 * c));
          for (let t = 0; t < 2; t++) await second.step(other);
        }
        await second.restore(state, params);
        return steps(second, run, k, run.steps.length);
      });
      return out;
    },
    scheduleValues: (config: ScheduleConfig, t) => scheduleValues(adapter, config, t, guardOptions),
  };
  return io;
}

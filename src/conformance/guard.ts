import {
  type Adapter,
  AdapterError,
  adapterView,
  type BatchOptions,
  checkedSyncCall,
  checkSchedule,
  copyParameters,
  noScheduleMethod,
  runScriptsKey,
  runScriptsLocally,
  scheduleValueAt,
  type Script,
  type ScriptOutcome,
  type ScriptRunner,
  scriptRunnerOf,
  timesOwnCalls,
} from '../adapter/index.js';
import type { OptimizerConfig, ScheduleConfig } from '../reference/index.js';
import { type GuardOptions, guarded, untilInterrupted } from './guarded-call.js';
import { createGuardedStepper, type GuardedStepper } from './guarded-stepper.js';

export { type GuardOptions, guarded } from './guarded-call.js';
export type { GuardedStepper, MutationRecord } from './guarded-stepper.js';

/** What {@link guardAdapter} returns: the adapter under the guard, and the guarded ways the scenarios drive it. */
export interface GuardedAdapter extends Adapter {
  createGuarded(config: OptimizerConfig, x0: ArrayLike<number>): Promise<GuardedStepper>;
  /** Runs scenario scripts with `watch` honoured: their changes are the immutability check's records. */
  runWatched(scripts: readonly Script[], options?: BatchOptions): Promise<ScriptOutcome[]>;
}

/**
 * Wraps an adapter so that the checker never trusts it: every call gets
 * fresh copies of `x0` and the gradient, every answer is validated and copied at
 * once (an adapter may return its own buffer and change it later), every call has
 * a timeout, and every misbehaviour becomes an {@link AdapterError}. Mutations of
 * the handed copies are recorded, not thrown: they are a finding of their own.
 */
export function guardAdapter(adapter: Adapter, guard: GuardOptions): GuardedAdapter {
  const inner = scriptRunnerOf(adapter);
  const options: GuardOptions = timesOwnCalls(adapter) ? { ...guard, stepTimeoutMs: Number.POSITIVE_INFINITY } : guard;
  const createGuarded = (config: OptimizerConfig, x0: ArrayLike<number>, handOver = false): Promise<GuardedStepper> =>
    createGuardedStepper(adapter, options, config, x0, handOver);
  /** `create` as the contract's: a guarded instance; with `handOver`, the adapter gets `x0` and each gradient themselves. */
  const guardedCreate =
    (handOver: boolean): Adapter['create'] =>
    async (config, x0) => {
      const stepper = await createGuarded(config, x0, handOver);
      return {
        step: (grad, learningRate) => stepper.step(grad, learningRate),
        steps: (grads, learningRates) => stepper.steps(grads, learningRates),
        dispose: () => stepper.dispose(),
      };
    };
  /** Scenarios: their scripts watch the copies they hand (the immutability check), through the worker in one round trip where there is one. */
  function runWatched(scripts: readonly Script[], batch: BatchOptions = {}): Promise<ScriptOutcome[]> {
    if (inner === undefined) return runScriptsLocally(handing, scripts);
    if (options.deadline - Date.now() <= 0)
      return Promise.reject(
        new AdapterError(
          'total timeout: the time limit of the whole check (--total-timeout) expired before step',
          'step',
        ),
      );
    return untilInterrupted(inner(scripts, batch), options, 'step');
  }
  // Scripts (src/adapter/script.ts): in one round trip where the adapter runs them itself (isolated in a worker), with
  // copies of the law's arrays as `create` and `step` hand them here; else call by call through the guarded calls above.
  const overrides: Pick<GuardedAdapter, 'create' | 'createGuarded' | 'runWatched' | 'schedule' | 'scheduleValues'> &
    ScriptRunner = {
    create: guardedCreate(false),
    createGuarded,
    runWatched,
    async [runScriptsKey](scripts: readonly Script[], batch: BatchOptions = {}): Promise<ScriptOutcome[]> {
      if (inner === undefined) return runScriptsLocally(wrapped, scripts);
      if (options.deadline - Date.now() <= 0)
        throw new AdapterError(
          'total timeout: the time limit of the whole check (--total-timeout) expired before step',
          'step',
        );
      return untilInterrupted(
        inner(
          scripts.map(({ calls }) => ({ calls })),
          batch,
        ),
        options,
        'step',
      );
    },
  };
  const schedule = adapter.schedule;
  if (typeof schedule === 'function')
    overrides.schedule = (config: ScheduleConfig) => guardedSchedule(adapter, schedule, config);
  // A table in one batch where the adapter has one (the stdio protocol), under the timeouts.
  let table: unknown;
  try {
    table = adapter.scheduleValues;
  } catch {
    table = undefined;
  }
  if (typeof table === 'function')
    overrides.scheduleValues = (config, ts) => scheduleValues(adapter, config, ts, options);
  const wrapped: GuardedAdapter = adapterView(adapter, overrides);
  const handing = adapterView(wrapped, { create: guardedCreate(true) });
  return wrapped;
}

/**
 * A schedule function is synchronous in the adapter contract, so each value is
 * validated but cannot be timed out on its own; {@link scheduleValues} puts the
 * whole evaluation under the timeouts.
 */
function guardedSchedule(
  adapter: Adapter,
  schedule: NonNullable<Adapter['schedule']>,
  config: ScheduleConfig,
): (t: number) => number {
  const fn = checkedSyncCall(
    'schedule',
    () => schedule.call(adapter, structuredClone(config)),
    (answer) => checkSchedule(answer, config),
  );
  return (t: number) => scheduleValueAt(fn, t);
}

/** Evaluates an adapter's schedule at every `t`, under the timeouts: in one batch where the adapter has `scheduleValues`. */
export async function scheduleValues(
  adapter: Adapter,
  config: ScheduleConfig,
  ts: readonly number[],
  options: GuardOptions,
): Promise<Float64Array> {
  const batch = adapter.scheduleValues;
  if (typeof batch === 'function') {
    const values = await guarded('schedule', options, () => batch.call(adapter, structuredClone(config), [...ts]));
    return copyParameters(values, ts.length, 'schedule');
  }
  const schedule = adapter.schedule;
  if (typeof schedule !== 'function') throw noScheduleMethod();
  return guarded('schedule', options, () => {
    const fn = guardedSchedule(adapter, schedule, config);
    return Float64Array.from(ts, (t) => fn(t));
  });
}

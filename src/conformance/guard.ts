import {
  type Adapter,
  AdapterError,
  adapterFault,
  adapterView,
  type BatchOptions,
  checkedSyncCall,
  checkSchedule,
  checkStepper,
  copyBatch,
  copyParameters,
  interruptionName,
  interruptionText,
  noScheduleMethod,
  runScriptsKey,
  runScriptsLocally,
  scheduleValueAt,
  type Script,
  type ScriptOutcome,
  type ScriptRunner,
  scriptRunnerOf,
  type Stepper,
  timesOwnCalls,
} from '../adapter/index.js';
import type { OptimizerConfig, ScheduleConfig } from '../reference/index.js';
import { firstDifferentBits } from '../numerics/index.js';

/** Limits for every call into an implementation under test. */
export interface GuardOptions {
  /** Per adapter call, in milliseconds. */
  stepTimeoutMs: number;
  /** Epoch milliseconds after which every call fails at once (the overall timeout). */
  deadline: number;
  /** Once aborted, no call is made and a call in progress is given up: the run was interrupted, not the adapter. */
  signal?: AbortSignal;
}

/** The error of a call the interruption stopped, or undefined while the run goes on. */
function interruption(options: GuardOptions, operation: string): AdapterError | undefined {
  const signal = options.signal;
  if (signal?.aborted !== true) return undefined;
  return new AdapterError(`${operation}: ${interruptionText(interruptionName(signal))}`, operation);
}

/** `pending`, or the interruption's error as soon as `options.signal` aborts (a call in progress is given up). */
function untilInterrupted<T>(pending: Promise<T>, options: GuardOptions, operation: string): Promise<T> {
  const signal = options.signal;
  if (signal === undefined) return pending;
  const stopped = interruption(options, operation);
  if (stopped !== undefined) return Promise.reject(stopped);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(interruption(options, operation));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([pending, aborted]).finally(() => signal.removeEventListener('abort', onAbort!));
}

/** A mutation of the checker's own arrays that an adapter made (inputs must never be mutated). */
export interface MutationRecord {
  operation: 'create' | 'step';
  /** Step index (0-based) within this instance, for `step`. */
  step: number;
  coordinate: number;
  before: number;
  after: number;
}

/** A stepper whose answers are validated copies; see {@link guardAdapter}. */
export interface GuardedStepper {
  step(grad: ArrayLike<number>, learningRate?: number): Promise<Float64Array>;
  /** Uses the adapter's batched `steps` when it has one (one call instead of one per gradient). */
  steps(grads: readonly ArrayLike<number>[], learningRates?: readonly (number | undefined)[]): Promise<Float64Array[]>;
  dispose(): Promise<void>;
  /** Mutations of the inputs handed to this instance, in order. */
  readonly mutations: readonly MutationRecord[];
}

/** The longest delay setTimeout takes (2^31 - 1 ms, some 24 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `work` under the per-call timeout and the overall deadline, turning a
 * throw, a rejection or a timeout into an {@link AdapterError} with the adapter's
 * own message. In the caller's thread a synchronous infinite loop cannot be
 * interrupted by JavaScript; only asynchronous hangs time out there (the CLI runs
 * modules in a worker, src/isolation, which ends such a loop).
 */
export async function guarded<T>(operation: string, options: GuardOptions, work: () => T | Promise<T>): Promise<T> {
  const stopped = interruption(options, operation);
  if (stopped !== undefined) throw stopped;
  const remaining = options.deadline - Date.now();
  if (remaining <= 0)
    throw new AdapterError(
      `total timeout: the time limit of the whole check (--total-timeout) expired before ${operation}`,
      operation,
    );
  const adapterError = (error: unknown): unknown => adapterFault(operation, error);
  let value: T | Promise<T>;
  let pending: boolean;
  try {
    value = work();
    pending =
      (typeof value === 'object' || typeof value === 'function') &&
      value !== null &&
      typeof (value as { then?: unknown }).then === 'function';
  } catch (error) {
    throw adapterError(error);
  }
  // An answer given at once has nothing left to time out (no timer: thousands of calls per check).
  if (!pending) return value as T;
  const limit = Math.min(options.stepTimeoutMs, remaining);
  const overall = limit < options.stepTimeoutMs;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let hop: ReturnType<typeof setImmediate> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // No limit at all (an adapter that times its own calls, no deadline), or one beyond setTimeout's range (which
    // would fire at once): no timer.
    if (!(limit <= MAX_TIMER_MS)) return;
    timer = setTimeout(() => {
      const what = overall
        ? `total timeout: the time limit of the whole check (--total-timeout) expired during ${operation}`
        : `${operation}: no answer within ${options.stepTimeoutMs} ms (--timeout)`;
      // The adapter shares this thread: when the checker kept it busy past the limit, the timer and the adapter's
      // own I/O or immediate callbacks come due together. They run first (one more turn of the event loop), so an
      // answer that waited only on the checker is taken, not cut.
      hop = setImmediate(() => reject(new AdapterError(what, operation)));
    }, limit);
  });
  try {
    return await untilInterrupted(Promise.race([Promise.resolve(value), timeout]), options, operation);
  } catch (error) {
    throw adapterError(error);
  } finally {
    clearTimeout(timer);
    clearImmediate(hop);
  }
}

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
  /** `handOver`: the adapter gets `x0` and each gradient themselves (a script that watches its own copies), and nothing is recorded here. */
  async function createGuarded(
    config: OptimizerConfig,
    x0: ArrayLike<number>,
    handOver = false,
  ): Promise<GuardedStepper> {
    const size = x0.length;
    const handedX0 = handOver && x0 instanceof Float64Array ? x0 : Float64Array.from(x0);
    const configCopy = structuredClone(config);
    const answer = await guarded('create', options, () => adapter.create(configCopy, handedX0));
    let inner: Stepper | undefined;
    await guarded('create', options, () => {
      inner = checkStepper(answer, config);
    });
    const stepper = inner!;
    const mutations: MutationRecord[] = [];
    // Checked again after every call: an adapter behind a worker reports a change of x0 with a later answer (src/isolation).
    let x0Noted = false;
    const noteX0 = (): void => {
      if (x0Noted) return;
      const i = firstDifferentBits(x0, handedX0);
      if (i < 0) return;
      x0Noted = true;
      mutations.unshift({ operation: 'create', step: 0, coordinate: i, before: x0[i]!, after: handedX0[i]! });
    };
    noteX0();
    let count = 0;
    const noteMutation = (pristine: ArrayLike<number>, handed: Float64Array, step: number): void => {
      noteX0();
      const i = firstDifferentBits(pristine, handed);
      if (i >= 0) mutations.push({ operation: 'step', step, coordinate: i, before: pristine[i]!, after: handed[i]! });
    };
    const guardedStepper: GuardedStepper = {
      mutations,
      async step(grad, learningRate) {
        const handed = handOver && grad instanceof Float64Array ? grad : Float64Array.from(grad);
        const index = count++;
        const out = await guarded('step', options, () =>
          learningRate === undefined ? stepper.step(handed) : stepper.step(handed, learningRate),
        );
        const copy = copyParameters(out, size, 'step');
        noteMutation(grad, handed, index);
        return copy;
      },
      async steps(grads, learningRates) {
        // Every read of the adapter's objects is guarded: a getter may throw.
        const batch = await guarded('steps', options, () => {
          const own = stepper.steps;
          return typeof own === 'function' ? own.bind(stepper) : undefined;
        });
        if (batch === undefined) {
          const xs: Float64Array[] = [];
          for (let k = 0; k < grads.length; k++) xs.push(await guardedStepper.step(grads[k]!, learningRates?.[k]));
          return xs;
        }
        const handed = grads.map((g) => (handOver && g instanceof Float64Array ? g : Float64Array.from(g)));
        const first = count;
        count += grads.length;
        const rates = learningRates === undefined ? undefined : [...learningRates];
        const out = await guarded('steps', options, () => (rates === undefined ? batch(handed) : batch(handed, rates)));
        let xs: Float64Array[] = [];
        await guarded('steps', options, () => {
          xs = copyBatch(out, grads.length, size);
        });
        for (let k = 0; k < grads.length; k++) noteMutation(grads[k]!, handed[k]!, first + k);
        return xs;
      },
      async dispose() {
        await guarded('dispose', options, () => {
          const own = stepper.dispose;
          return typeof own === 'function' ? own.call(stepper) : undefined;
        });
        noteX0();
      },
    };
    return guardedStepper;
  }

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

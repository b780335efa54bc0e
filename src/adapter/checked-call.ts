import { describeValue, type OptimizerConfig, type ScheduleConfig } from '../reference/index.js';
import { AdapterError } from './adapter-error.js';
import type { Stepper } from './contract.js';
import type { TensorStepper } from './tensor-contract.js';
import { errorText } from './error-text.js';
import { isUnsupported, UnsupportedValue } from './unsupported.js';

/**
 * The one place that calls into an implementation under test and judges its
 * answers, whatever the path (in-process, in the worker, over the stdio
 * protocol): each fault has one wording, so a report reads the same whichever
 * way the adapter ran. Every read of an answer is guarded: a getter that throws
 * or a Proxy is the adapter's fault (`<operation> threw: ...`), never the checker's.
 */

/** An adapter's answer in a message; never throws (a Proxy, a throwing getter). */
function describeAnswer(value: unknown): string {
  try {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value))
      return 'an object';
    return describeValue(value);
  } catch {
    return 'a value that cannot be described';
  }
}

/**
 * What to report when `operation` threw or rejected with `error`:
 * `<call> threw: <its text>` (`call` is `operation` unless it says more:
 * `schedule(3)`). An {@link AdapterError} or a refusal
 * ({@link UnsupportedValue}) made by a layer below (a timeout, a malformed
 * answer, `unsupported(...)`) passes as it is.
 */
export function adapterFault(operation: string, error: unknown, call = operation): AdapterError | UnsupportedValue {
  if (error instanceof AdapterError || error instanceof UnsupportedValue) return error;
  return new AdapterError(`${call} threw: ${errorText(error)}`, operation, { cause: error });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Calls into the adapter (`work`) and passes its answer, awaited if it is a
 * promise, to `check`, which validates and copies it. An answer given at once is
 * checked at once (no promise: thousands of calls per check); whatever `work` or
 * `check` throws, and any rejection, becomes {@link adapterFault}.
 */
export function checkedCall<T>(operation: string, work: () => unknown, check: (answer: unknown) => T): T | Promise<T> {
  let answer: unknown;
  let pending: boolean;
  try {
    answer = work();
    pending = isThenable(answer);
  } catch (error) {
    throw adapterFault(operation, error);
  }
  const finish = (value: unknown): T => {
    try {
      return check(value);
    } catch (error) {
      throw adapterFault(operation, error);
    }
  };
  if (!pending) return finish(answer);
  return Promise.resolve(answer as PromiseLike<unknown>).then(finish, (error: unknown) => {
    throw adapterFault(operation, error);
  });
}

/**
 * Calls into the adapter where the contract's call is synchronous (`schedule`):
 * the answer is checked as it is, a promise is not awaited; whatever `work` or
 * `check` throws becomes {@link adapterFault}.
 */
export function checkedSyncCall<T>(operation: string, work: () => unknown, check: (answer: unknown) => T): T {
  let answer: unknown;
  try {
    answer = work();
  } catch (error) {
    throw adapterFault(operation, error);
  }
  try {
    return check(answer);
  } catch (error) {
    throw adapterFault(operation, error);
  }
}

/** `create`'s answer as a Stepper; a refusal throws {@link UnsupportedValue} for `config`. */
export function checkStepper(answer: unknown, config?: OptimizerConfig): Stepper {
  if (isUnsupported(answer)) throw new UnsupportedValue(answer.unsupported, config);
  if (typeof answer !== 'object' || answer === null || typeof (answer as Stepper).step !== 'function')
    throw new AdapterError(
      `create returned ${describeAnswer(answer)}, expected an object with a step method`,
      'create',
    );
  return answer as Stepper;
}

/**
 * A copy of the parameters `operation` (`step`, `steps`, `schedule` for a table)
 * returned, after checking it is an array-like of `size` numbers (NaN and the
 * infinities are numbers): the adapter may return its own buffer and change it
 * later. `expected` names what an element must be (the stdio protocol says how
 * its wire writes the numbers JSON cannot).
 */
export function copyParameters(value: unknown, size: number, operation: string, expected = 'a number'): Float64Array {
  try {
    if (typeof value !== 'object' || value === null || typeof (value as { length?: unknown }).length !== 'number')
      throw new AdapterError(
        `${operation} returned ${describeAnswer(value)}, expected an array-like of ${size} numbers`,
        operation,
      );
    const array = value as ArrayLike<unknown>;
    if (array.length !== size)
      throw new AdapterError(`${operation} returned length ${array.length}, expected ${size}`, operation);
    const copy = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      const v = array[i];
      if (typeof v !== 'number')
        throw new AdapterError(
          `${operation} returned ${describeAnswer(v)} at index ${i}, expected ${expected}`,
          operation,
        );
      copy[i] = v;
    }
    return copy;
  } catch (error) {
    throw adapterFault(operation, error);
  }
}

/** The answer of a batched `steps` of `count` gradients: copies of its `count` parameter vectors of `size` numbers. */
export function copyBatch(value: unknown, count: number, size: number, expected?: string): Float64Array[] {
  let items: unknown[];
  try {
    if (!Array.isArray(value) || value.length !== count)
      throw new AdapterError(
        `steps returned ${describeAnswer(value)}, expected an array of ${count} parameter vectors`,
        'steps',
      );
    items = [...value];
  } catch (error) {
    throw adapterFault('steps', error);
  }
  return items.map((x) => copyParameters(x, size, 'steps', expected));
}

/** `createTensors`' answer as a {@link TensorStepper}; a refusal throws {@link UnsupportedValue} for `config`. */
export function checkTensorStepper(answer: unknown, config?: OptimizerConfig): TensorStepper {
  if (isUnsupported(answer)) throw new UnsupportedValue(answer.unsupported, config);
  if (typeof answer !== 'object' || answer === null || typeof (answer as TensorStepper).step !== 'function')
    throw new AdapterError(
      `createTensors returned ${describeAnswer(answer)}, expected an object with a step method`,
      'createTensors',
    );
  return answer as TensorStepper;
}

/** The answer of a step over several tensors: copies of every tensor's values, one array-like of its length each. */
export function copyTensors(value: unknown, sizes: readonly number[], expected?: string): Float64Array[] {
  let items: unknown[];
  try {
    if (!Array.isArray(value) || value.length !== sizes.length)
      throw new AdapterError(
        `step returned ${describeAnswer(value)}, expected an array of ${sizes.length} tensors' values`,
        'step',
      );
    items = [...value];
  } catch (error) {
    throw adapterFault('step', error);
  }
  return items.map((x, i) => copyParameters(x, sizes[i]!, `step (tensor ${i})`, expected));
}

/** `schedule(config)`'s answer as a function of t; a refusal throws {@link UnsupportedValue} for `config`. */
export function checkSchedule(answer: unknown, config?: ScheduleConfig): (t: number) => unknown {
  if (isUnsupported(answer)) throw new UnsupportedValue(answer.unsupported, config);
  if (typeof answer !== 'function')
    throw new AdapterError(`schedule returned ${describeAnswer(answer)}, expected a function of t`, 'schedule');
  return answer as (t: number) => unknown;
}

/** A schedule's value at `t`, checked: `schedule(t) threw` or `schedule(t) returned ..., expected a number` otherwise. */
export function scheduleValueAt(fn: (t: number) => unknown, t: number): number {
  let value: unknown;
  try {
    value = fn(t);
  } catch (error) {
    throw adapterFault('schedule', error, `schedule(${t})`);
  }
  if (typeof value !== 'number')
    throw new AdapterError(`schedule(${t}) returned ${describeAnswer(value)}, expected a number`, 'schedule');
  return value;
}

/** The error of an adapter that lists schedules but has no `schedule` method to compute them. */
export function noScheduleMethod(): AdapterError {
  return new AdapterError('the adapter lists schedules but has no schedule method', 'schedule');
}

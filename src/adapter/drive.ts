import { AdapterError } from './adapter-error.js';
import { errorText } from './error-text.js';
import type { Adapter, Stepper } from './contract.js';
import type { OptimizerConfig, ScheduleConfig } from '../reference/types.js';
import { isUnsupported, UnsupportedValue } from './unsupported.js';
import { describeValue } from '../reference/validate.js';

/** One optimizer instance of the adapter, seen only through copies. */
export interface Run {
  readonly size: number;
  /**
   * One step; the adapter gets `grad` itself when `own` is true (the immutability
   * law), else a fresh copy. Returns a copy of the parameters after the step.
   */
  step(grad: Float64Array, learningRate?: number, own?: boolean): Promise<Float64Array>;
  /** The adapter's batched `steps`, when it has one: one call for a whole open-loop sequence; `own` as for `step`. */
  steps?(
    grads: readonly Float64Array[],
    learningRates: readonly (number | undefined)[],
    own?: boolean,
  ): Promise<Float64Array[]>;
  dispose(): Promise<void>;
}

function message(error: unknown): string {
  return errorText(error);
}

/** An adapter's throw as an AdapterError; one from a layer below (the guard: a timeout, a malformed answer) keeps its own message. */
function passOn(error: unknown, operation: string): AdapterError {
  return error instanceof AdapterError
    ? error
    : new AdapterError(`${operation} threw: ${message(error)}`, operation, { cause: error });
}

/** Copies what the adapter returned, checking length and element types (it may return its own buffer). */
export function copyResult(result: unknown, size: number, operation: string): Float64Array {
  if (typeof result !== 'object' || result === null || typeof (result as { length?: unknown }).length !== 'number') {
    throw new AdapterError(
      `${operation} must return an array-like of numbers, got ${describeValue(result)}`,
      operation,
    );
  }
  const values = result as ArrayLike<unknown>;
  if (values.length !== size)
    throw new AdapterError(`${operation} returned length ${values.length}, expected ${size}`, operation);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const v = values[i];
    if (typeof v !== 'number')
      throw new AdapterError(`${operation} returned ${describeValue(v)} at index ${i}, expected a number`, operation);
    out[i] = v;
  }
  return out;
}

/**
 * Creates an instance. Any throw or rejection of the adapter becomes an
 * {@link AdapterError}, which `checkLaw` reports as `error`, not as a law failure.
 * `own` hands `x0` itself to the adapter (the immutability law), else a copy.
 */
export async function start(adapter: Adapter, config: OptimizerConfig, x0: Float64Array, own = false): Promise<Run> {
  let stepper: Stepper;
  try {
    const answer = await adapter.create(config, own ? x0 : x0.slice());
    if (isUnsupported(answer)) throw new UnsupportedValue(answer.unsupported, config);
    stepper = answer;
  } catch (error) {
    if (error instanceof UnsupportedValue || error instanceof AdapterError) throw error;
    throw new AdapterError(`create(${config.optimizer}) threw: ${message(error)}`, 'create', { cause: error });
  }
  if (typeof stepper !== 'object' || stepper === null || typeof stepper.step !== 'function') {
    throw new AdapterError(
      `create(${config.optimizer}) must return a Stepper, got ${describeValue(stepper)}`,
      'create',
    );
  }
  const size = x0.length;
  const batch = typeof stepper.steps === 'function' ? stepper.steps.bind(stepper) : undefined;
  return {
    size,
    ...(batch === undefined
      ? {}
      : {
          async steps(
            grads: readonly Float64Array[],
            learningRates: readonly (number | undefined)[],
            ownGrads = false,
          ) {
            let result: unknown;
            try {
              result = await batch(
                ownGrads ? [...grads] : grads.map((g) => g.slice()),
                learningRates.some((lr) => lr !== undefined) ? [...learningRates] : undefined,
              );
            } catch (error) {
              throw passOn(error, 'steps');
            }
            if (!Array.isArray(result) || result.length !== grads.length) {
              throw new AdapterError(
                `steps must return an array of ${grads.length} parameter vectors, got ${describeValue(result)}`,
                'steps',
              );
            }
            return result.map((x) => copyResult(x, size, 'steps'));
          },
        }),
    async step(grad, learningRate, ownGrad = false) {
      let result: ArrayLike<number>;
      try {
        result = await stepper.step(ownGrad ? grad : grad.slice(), learningRate);
      } catch (error) {
        throw passOn(error, 'step');
      }
      return copyResult(result, size, 'step');
    },
    async dispose() {
      try {
        await stepper.dispose?.();
      } catch (error) {
        throw passOn(error, 'dispose');
      }
    },
  };
}

/** The adapter's schedule as a checked function; throws {@link AdapterError} on misbehaviour. */
export function scheduleOf(adapter: Adapter, config: ScheduleConfig): (t: number) => number {
  if (typeof adapter.schedule !== 'function') throw new AdapterError(`the adapter has no schedule()`, 'schedule');
  let answer: ReturnType<NonNullable<Adapter['schedule']>>;
  try {
    answer = adapter.schedule(config);
  } catch (error) {
    if (error instanceof UnsupportedValue || error instanceof AdapterError) throw error;
    throw new AdapterError(`schedule(${config.schedule}) threw: ${message(error)}`, 'schedule', { cause: error });
  }
  if (isUnsupported(answer)) throw new UnsupportedValue(answer.unsupported, config);
  const fn = answer;
  if (typeof fn !== 'function')
    throw new AdapterError(`schedule(${config.schedule}) must return a function, got ${describeValue(fn)}`, 'schedule');
  return (t: number): number => {
    let value: unknown;
    try {
      value = fn(t);
    } catch (error) {
      throw new AdapterError(`schedule(${config.schedule})(${t}) threw: ${message(error)}`, 'schedule', {
        cause: error,
      });
    }
    if (typeof value !== 'number')
      throw new AdapterError(
        `schedule(${config.schedule})(${t}) returned ${describeValue(value)}, expected a number`,
        'schedule',
      );
    return value;
  };
}

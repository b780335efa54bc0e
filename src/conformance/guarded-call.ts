import { AdapterError, adapterFault, interruptionName, interruptionText } from '../adapter/index.js';

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
export function untilInterrupted<T>(pending: Promise<T>, options: GuardOptions, operation: string): Promise<T> {
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

import type { Adapter } from './contract.js';

/**
 * Set (to true) on an adapter that times each of its calls itself: an isolated module's worker
 * (src/isolation) times every call into the adapter, an `--exec` child's connection every request. The
 * guard then adds no per-call timer of its own: around a request that carries a batch of calls, it would
 * count the whole batch, and the time the checker itself was busy, as one call, and cut a correct but slow
 * batch. The run's deadline still applies.
 */
export const timesOwnCallsKey: unique symbol = Symbol('optimspec.timesOwnCalls');

/** True for an adapter marked with {@link timesOwnCallsKey} (a getter that throws means no): the guard then adds no per-call timer. */
export function timesOwnCalls(adapter: Adapter): boolean {
  try {
    return (adapter as { [timesOwnCallsKey]?: unknown })[timesOwnCallsKey] === true;
  } catch {
    return false;
  }
}

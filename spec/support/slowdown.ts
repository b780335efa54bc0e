import { availableParallelism, loadavg } from 'node:os';

/**
 * How many times slower than idle this machine runs CPU-bound work as the run starts:
 * the 1-minute load average per core, at least 1 (a core shared by n runnable processes
 * gives each 1/n of it). A limit that only guards against a hang (vitest's test and hook
 * timeouts, the kill timer of a child process, the per-call timeout of calls that must
 * answer) is scaled by it, so that a busy machine (issue 16: load 5 to 12 on two cores)
 * does not turn slow work into a failure. A limit that is the behaviour under test (the
 * timeout whose message a test expects) is never scaled; no test asserts an elapsed time.
 */
export const SLOWDOWN = Math.max(1, loadavg()[0]! / availableParallelism());

/** `ms` scaled by {@link SLOWDOWN}: the bound of a wait that only guards against a hang. */
export function hangGuard(ms: number): number {
  return Math.ceil(ms * SLOWDOWN);
}

/** How many schedule values a sequential scan fetches per round trip (the worker's and the stdio protocol's alike). */
const SCHEDULE_PREFETCH = 256;

/** What one round trip for the values at `times` gave: those of a prefix of `times`, and why it stopped early, if it did. */
export interface FetchedValues {
  /** The values at `times[0]`, `times[1]`, ...: at least the first. */
  values: ArrayLike<number>;
  /** The error at `times[at]`, the first time whose value did not come (values asked ahead that failed). */
  failure?: { at: number; error: unknown };
}

/**
 * The contract's synchronous `schedule(config)(t)` for an adapter behind a slow
 * channel (a worker, a child process): each lookup is a blocking round trip
 * (`fetch`), values are cached per t, and a sequential scan (t - 1 already known)
 * fetches the next {@link SCHEDULE_PREFETCH} values in one. A schedule is a pure
 * function of t, so asking ahead never changes an answer: a value asked ahead
 * that failed is thrown only when its t is asked, and where `askAlone(error)`
 * says so for the error of a whole prefetch (the child refused the batch), t is
 * asked alone.
 */
export function prefetchingSchedule(
  fetch: (times: number[]) => FetchedValues,
  askAlone: (error: unknown) => boolean = () => false,
): (t: number) => number {
  const cache = new Map<number, number>();
  const failures = new Map<number, unknown>();
  const take = (times: number[]): number => {
    const { values, failure } = fetch(times);
    for (let i = 0; i < values.length; i++) cache.set(times[i]!, values[i]!);
    if (failure !== undefined) failures.set(times[failure.at]!, failure.error);
    return values[0]!;
  };
  return (t: number): number => {
    const known = cache.get(t);
    if (known !== undefined) return known;
    if (failures.has(t)) throw failures.get(t);
    if (cache.has(t - 1) && Number.isSafeInteger(t)) {
      const ahead = Array.from({ length: SCHEDULE_PREFETCH }, (_, i) => t + i).filter((v) => Number.isSafeInteger(v));
      try {
        return take(ahead);
      } catch (error) {
        if (!askAlone(error)) throw error;
      }
    }
    return take([t]);
  };
}

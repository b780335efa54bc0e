import {
  loadOptimizerFixtures,
  loadScheduleFixtures,
  type OptimizerFixtureFile,
  type ScheduleFixtureFile,
} from '../fixtures/index.js';

/** The golden fixtures a check reads. */
export interface ConformanceFixtures {
  optimizers: OptimizerFixtureFile[];
  schedules: ScheduleFixtureFile[];
}

let cache: ConformanceFixtures | undefined;

/** The golden fixtures, parsed once per process (they are files of the package, never changed at run time). */
export function conformanceFixtures(): ConformanceFixtures {
  cache ??= { optimizers: loadOptimizerFixtures(), schedules: loadScheduleFixtures() };
  return cache;
}

/**
 * Reads now what every check reads first (the golden fixtures, about 70 ms of
 * parsing): the CLI calls it while an isolated adapter's worker starts, so that the
 * two overlap instead of following each other. Calling it is never needed.
 */
export function prepareConformance(): void {
  conformanceFixtures();
}

import { allSubjects, lawsFor } from '../laws/index.js';
import type { Subject } from '../laws/index.js';
import type { OptimizerName, ScheduleName } from '../reference/index.js';
import { type Adapter, isTensorSubject } from '../adapter/index.js';
import { conformanceFixtures } from './conformance-fixtures.js';
import { hasLongHorizon, LONG_HORIZON_CHECK } from './long-horizon-check.js';
import { scenarioIds } from './scenario-plan.js';
import type { ConformanceOptions } from './types.js';
import { plannedTensorChecks } from './tensor-check.js';

/**
 * The check ids `checkConformance` will report for each supported subject, known
 * before running (they depend only on the adapter's dtype, the seed and `runs`):
 * the vitest binding registers one test per id.
 */
export function plannedChecks(
  adapter: Adapter,
  options: Pick<ConformanceOptions, 'only' | 'seed' | 'runs' | 'largeVector'> & { seed: number },
): Map<Subject, string[]> {
  const planned = new Map<Subject, string[]>();
  const ctx = {
    adapter,
    seed: options.seed,
    runs: options.runs ?? 1,
    ...(options.largeVector === undefined ? {} : { largeVector: options.largeVector }),
  };
  for (const subject of allSubjects()) {
    if (options.only !== undefined && !options.only.includes(subject)) continue;
    if (isTensorSubject(subject)) {
      const checks = plannedTensorChecks(adapter, subject);
      if (checks.length > 0) planned.set(subject, checks);
    } else if (subject.startsWith('schedule:')) {
      const name = subject.slice('schedule:'.length) as ScheduleName;
      if (!(adapter.schedules ?? []).includes(name)) continue;
      planned.set(subject, [
        ...(conformanceFixtures().schedules.find((f) => f.schedule === name)?.cases ?? []).map(
          (c) => `fixture:${c.id}`,
        ),
        ...lawsFor(subject).map((l) => `law:${l.id}`),
      ]);
    } else if (adapter.optimizers.includes(subject as OptimizerName)) {
      planned.set(subject, [
        ...scenarioIds(subject as OptimizerName, ctx),
        'immutability',
        ...lawsFor(subject).map((l) => `law:${l.id}`),
        ...(hasLongHorizon(subject as OptimizerName) ? [LONG_HORIZON_CHECK] : []),
      ]);
    }
  }
  return planned;
}

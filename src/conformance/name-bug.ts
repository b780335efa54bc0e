import type { Subject } from '../laws/index.js';
import { scheduleRule } from '../registry/index.js';
import type { Conventions, Dtype, KnownBugId, ScheduleConfig } from '../reference/index.js';
import { matchingAll } from './diagnose.js';
import { knownBugsFor } from './known-bugs.js';
import { everyLawExplained, type LawOutcome } from './laws.js';
import type { ScenarioRun } from './run.js';
import { scheduleBound } from './tolerance.js';
import type { Finding } from './types.js';
import { type Judged, judgedDtype } from './mixed-precision.js';

/** What names an optimizer's bug: its evidence once the diagnosed conventions explained what they could. */
export interface OptimizerBugEvidence {
  dtype: Judged;
  subject: Subject;
  /** The retained scenario runs. */
  runs: readonly ScenarioRun[];
  /** The laws still failing. */
  laws: readonly LawOutcome[];
  /** Every finding still failing. */
  failing: readonly Finding[];
  /** The conventions that explain the rest. */
  conventions: Conventions;
  /** Whether the implementation left what it was handed as it was (a bug's formula is matched only then). */
  unmodified: boolean;
  /**
   * A replay: the bug the whole run named, or none. A replay has no scenario runs to rule the others out, so any bug
   * whose formula also breaks the replayed law would match; only the one the whole run named is looked for.
   */
  replayed?: { named?: string };
}

/**
 * The known bug (docs/conventions.md) that explains every check still failing, if one
 * does: for a bug that is a formula, every run matches it (with the conventions that
 * explain the rest) and every failing law fails the same way on it; for the others,
 * the failing checks are its pattern. A replay names at most the bug its whole run named.
 */
export async function nameBug(evidence: OptimizerBugEvidence): Promise<KnownBugId | undefined> {
  const { dtype, subject, runs, laws, failing, conventions } = evidence;
  const replayed = evidence.replayed;
  for (const bug of knownBugsFor(subject, typeof dtype !== 'string')) {
    if (replayed !== undefined && bug.id !== replayed.named) continue;
    if (bug.pattern?.(failing) === true) return bug.id;
    if (!evidence.unmodified) continue;
    for (const variant of bug.variants ?? []) {
      if (!matchingAll(runs, dtype, conventions, variant)) continue;
      if (await everyLawExplained(laws, judgedDtype(dtype), subject, { conventions, bug: variant })) return bug.id;
    }
  }
  return undefined;
}

/** A schedule's values for one fixture case, as the implementation answered. */
export interface AnsweredTable {
  config: ScheduleConfig;
  t: readonly number[];
  values: Float64Array;
}

/**
 * A schedule's known bug: `schedule-one-early` when every fixture value at t is the
 * lecture's value at t + 1 (within the same bound) and every failing law fails the
 * same way on the reference shifted by one; else a bug whose pattern the failures are.
 */
export async function nameScheduleBug(
  dtype: Dtype,
  subject: Subject,
  answered: readonly AnsweredTable[],
  laws: readonly LawOutcome[],
  failing: readonly Finding[],
): Promise<KnownBugId | undefined> {
  const early = answered.every(({ config, t, values }) => {
    const exact = scheduleRule(config.schedule).create(config);
    return t.every((time, i) => {
      const expected = exact(time + 1);
      return Math.abs(values[i]! - expected) <= scheduleBound(config, dtype, time + 1, expected);
    });
  });
  if (early && (await everyLawExplained(laws, dtype, subject, { scheduleShift: 1 }))) return 'schedule-one-early';
  return knownBugsFor(subject).find((b) => b.pattern?.(failing) === true)?.id;
}

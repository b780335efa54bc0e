import { type Adapter, nameListProblem, precisionProblem } from '../adapter/index.js';
import { didYouMeanSuffix } from './did-you-mean.js';
import { CHECKED_DTYPES } from '../numerics/index.js';
import { requireDtype } from '../reference/index.js';
import { allSubjects } from '../laws/index.js';
import { CONVENTION_IDS, optimizerRules, scheduleRules } from '../registry/index.js';
import { knownBugs } from './known-bugs.js';
import { LARGE_VECTOR_TILE } from './scenarios.js';
import type { ConformanceOptions } from './types.js';

const OPTIMIZER_NAMES: readonly string[] = optimizerRules.map((r) => r.name);
const SCHEDULE_NAMES: readonly string[] = scheduleRules.map((r) => r.name);

/** Every subject name `only` accepts, in the lecture's order. */
const SUBJECT_NAMES: readonly string[] = allSubjects();

/** Every convention id `accept` accepts (docs/conventions.md), `non-finite` included. */
const ACCEPTABLE: readonly string[] = CONVENTION_IDS;

/** Why a known-bug id given to `accept` is refused: a bug is named, never accepted (docs/conventions.md). */
export function knownBugRefusal(id: string): string | undefined {
  return knownBugs.some((b) => b.id === id)
    ? `${JSON.stringify(id)} is a known bug, not a convention: it can be named but never accepted (docs/conventions.md, "Known bugs")`
    : undefined;
}

/**
 * Validates the adapter's declaration and the options the way `checkConformance`
 * does, synchronously, so that `describeConformance` throws the very same
 * messages at collection time (a bad `only` must not become "No test found").
 * Unknown names get a did-you-mean, case-insensitive matches included.
 */
export function validateConformanceOptions(
  adapter: Adapter,
  options: Pick<ConformanceOptions, 'only' | 'accept' | 'runs' | 'largeVector'>,
): void {
  requireDtype('adapter.dtype', adapter?.dtype, CHECKED_DTYPES);
  const precision = precisionProblem('adapter.precision', adapter.precision, adapter.dtype);
  if (precision !== undefined) throw new RangeError(precision);
  // Bounded by the number of names, whatever the arrays' length (a holey array of length 2^32 - 1 is refused at once).
  for (const [field, value, known] of [
    ['adapter.optimizers', adapter.optimizers, OPTIMIZER_NAMES],
    ['adapter.schedules', adapter.schedules ?? [], SCHEDULE_NAMES],
  ] as const) {
    const problem = nameListProblem(field, value, known);
    if (problem !== undefined) throw Array.isArray(value) ? new RangeError(problem) : new TypeError(problem);
  }
  const size = options.largeVector;
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= LARGE_VECTOR_TILE && size <= 2 ** 26)) {
    throw new RangeError(
      `options.largeVector must be an integer in [${LARGE_VECTOR_TILE}, ${2 ** 26}], got ${JSON.stringify(size)}`,
    );
  }
  const runs = options.runs ?? 1;
  if (!(runs > 0 && Number.isFinite(runs))) throw new RangeError(`options.runs must be a positive number, got ${runs}`);
  if (options.only !== undefined && !Array.isArray(options.only))
    throw new TypeError(`options.only must be an array of subjects, got ${JSON.stringify(options.only)}`);
  for (const subject of options.only ?? []) {
    if (!SUBJECT_NAMES.includes(subject)) {
      throw new RangeError(
        `options.only: unknown subject ${JSON.stringify(subject)}${didYouMeanSuffix(String(subject), SUBJECT_NAMES)} (one of ${SUBJECT_NAMES.join(', ')})`,
      );
    }
  }
  if (options.accept !== undefined && !Array.isArray(options.accept))
    throw new TypeError(`options.accept must be an array of convention ids, got ${JSON.stringify(options.accept)}`);
  for (const id of options.accept ?? []) {
    const bug = knownBugRefusal(id);
    if (bug !== undefined) throw new RangeError(`options.accept: ${bug}`);
    if (!ACCEPTABLE.includes(id)) {
      throw new RangeError(
        `options.accept: unknown convention id ${JSON.stringify(id)}${didYouMeanSuffix(String(id), ACCEPTABLE)} (one of ${ACCEPTABLE.join(', ')})`,
      );
    }
  }
}

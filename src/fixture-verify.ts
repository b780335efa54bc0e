import { createOptimizer, createSchedule } from './create.js';
import { allocate } from './dtype.js';
import type { OptimizerFixtureCase, OptimizerFixtureFile, ScheduleFixtureCase, ScheduleFixtureFile } from './fixtures.js';
import { goldenUlpBound } from './golden-bounds.js';
import { landscapeGradient } from './landscape.js';
import type { Conventions, Dtype, StateValue } from './types.js';
import { sameBits, ulpDistance } from './ulp.js';

/** One value where the reference is not bit-identical to NumPy. `ulp` 0 means only the sign of zero differs. */
export interface Difference {
  caseId: string;
  /** 1-based: the value after this step (for schedules: the table row, t itself). */
  step: number;
  /** `x`, `dx`, a state key, or `value` for schedules. */
  field: string;
  coordinate: number;
  expected: number;
  actual: number;
  ulp: number;
}

/** The outcome of replaying one fixture case through the reference. */
export interface CaseReplay {
  id: string;
  /** The rule, plus `+<convention>` for a docs/conventions.md variant; `schedule:<name>` for schedules. */
  subject: string;
  dtype: Dtype;
  /** Number of values compared. */
  comparisons: number;
  worstUlp: number;
  /** The first difference of largest ULP distance, if any value differs. */
  worst?: Difference;
  /** Every value that is not bit-identical, in order. */
  differences: Difference[];
  /** Structural problems (a state key missing on either side, a length mismatch). */
  errors: string[];
}

/** Whether a replay is within `bound` ULP everywhere, with the sign of zero exact and no structural error. */
export function replayWithin(replay: CaseReplay, bound: number): boolean {
  return replay.errors.length === 0 && replay.differences.every((d) => d.ulp > 0 && d.ulp <= bound);
}

/** The subject name of a case: `adam`, `adam+no-bias-correction`, ... */
export function subjectOf(rule: string, conventions: Conventions): string {
  const ids = Object.entries(conventions)
    .filter(([, value]) => value !== undefined && value !== false)
    .map(([id]) => id)
    .sort();
  return [rule, ...ids].join('+');
}

class Comparer {
  comparisons = 0;
  readonly differences: Difference[] = [];
  readonly errors: string[] = [];
  constructor(
    private readonly caseId: string,
    private readonly dtype: Dtype,
  ) {}

  vector(step: number, field: string, expected: readonly number[] | undefined, actual: ArrayLike<number>): void {
    if (expected === undefined || expected.length !== actual.length) {
      this.errors.push(`${field} at step ${step}: expected ${expected?.length ?? 'no'} values, the reference has ${actual.length}`);
      return;
    }
    for (let i = 0; i < expected.length; i++) this.value(step, field, i, expected[i]!, actual[i]!);
  }

  value(step: number, field: string, coordinate: number, expected: number, actual: number): void {
    this.comparisons++;
    if (sameBits(expected, actual)) return;
    const ulp = ulpDistance(expected, actual, this.dtype);
    this.differences.push({ caseId: this.caseId, step, field, coordinate, expected, actual, ulp });
  }

  result(id: string, subject: string): CaseReplay {
    let worst: Difference | undefined;
    for (const d of this.differences) if (worst === undefined || d.ulp > worst.ulp) worst = d;
    const replay: CaseReplay = {
      id,
      subject,
      dtype: this.dtype,
      comparisons: this.comparisons,
      worstUlp: worst?.ulp ?? 0,
      differences: this.differences,
      errors: this.errors,
    };
    if (worst !== undefined) replay.worst = worst;
    return replay;
  }
}

/**
 * Compares the state in the lecture's names. A key on one side only is an error, except
 * that a convention variant may keep bookkeeping its formulas do not name (the
 * reference's Adam (almost) still counts `t`; docs/spec.md's Adam (almost) has no `t`).
 */
function compareState(
  cmp: Comparer,
  step: number,
  expected: OptimizerFixtureCase['expected']['state'],
  actual: Record<string, StateValue>,
  variant: boolean,
): void {
  const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  for (const key of [...keys].sort()) {
    const rows = expected[key];
    const value = actual[key];
    if (rows === undefined && variant) continue;
    if (rows === undefined || value === undefined) {
      cmp.errors.push(`state key ${JSON.stringify(key)} at step ${step}: ${rows === undefined ? 'not in the fixture' : 'not in the reference state'}`);
      continue;
    }
    const row = rows[step - 1];
    if (typeof value === 'number') cmp.value(step, key, 0, typeof row === 'number' ? row : Number.NaN, value);
    else cmp.vector(step, key, Array.isArray(row) ? row : undefined, value);
  }
}

/**
 * Runs one optimizer case through the reference (`createOptimizer` with the case's
 * conventions and dtype; closed loop via `landscapeGradient`) and compares x, the
 * closed-loop gradient and the state after every step with NumPy's values.
 */
export function replayOptimizerCase(c: OptimizerFixtureCase): CaseReplay {
  const { dtype, loop, expected } = c;
  const cmp = new Comparer(c.id, dtype);
  const subject = subjectOf(c.rule, c.conventions);
  const size = c.x0.length;
  const x = allocate(dtype, size);
  x.set(c.x0);
  const optimizer = createOptimizer(c.config, { size, dtype, conventions: c.conventions });
  const grad = allocate(dtype, size);
  const steps = loop.kind === 'open' ? loop.gradients.length : loop.steps;
  if (expected.x.length !== steps) cmp.errors.push(`expected.x has ${expected.x.length} rows for ${steps} steps`);
  for (let s = 0; s < steps && cmp.errors.length === 0; s++) {
    let dx: ArrayLike<number>;
    if (loop.kind === 'open') {
      dx = loop.gradients[s]!;
    } else {
      landscapeGradient(loop.landscape, x, s, grad, dtype);
      cmp.vector(s + 1, 'dx', expected.dx?.[s], grad);
      dx = grad;
    }
    optimizer.step(x, dx, c.learningRates?.[s]);
    cmp.vector(s + 1, 'x', expected.x[s], x);
    compareState(cmp, s + 1, expected.state, optimizer.state(), subject !== c.rule);
  }
  return cmp.result(c.id, subject);
}

/** Evaluates one schedule table with the reference schedule, in float64 (schedules are Python floats). */
export function replayScheduleCase(c: ScheduleFixtureCase): CaseReplay {
  const cmp = new Comparer(c.id, 'float64');
  const schedule = createSchedule(c.config);
  if (c.t.length !== c.values.length) cmp.errors.push(`t has ${c.t.length} entries, values ${c.values.length}`);
  else for (let i = 0; i < c.t.length; i++) cmp.value(c.t[i]!, 'value', 0, c.values[i]!, schedule(c.t[i]!));
  return cmp.result(c.id, `schedule:${c.config.schedule}`);
}

/** One row of the verification table: a subject in a dtype. */
export interface VerifyRow {
  subject: string;
  dtype: Dtype;
  cases: number;
  comparisons: number;
  worstUlp: number;
  worst?: Difference;
  /** The bound the golden tests use (src/golden-bounds.ts). */
  bound: number;
  /** Ids of the cases outside the bound. */
  failing: string[];
}

/**
 * Replays every fixture case and returns the worst ULP distance per subject and
 * dtype, sorted; a row is within bounds iff `failing` is empty. Pure: the caller
 * loads the fixtures (src/fixtures.ts).
 */
export function verifyFixtures(optimizerFiles: readonly OptimizerFixtureFile[], scheduleFiles: readonly ScheduleFixtureFile[]): VerifyRow[] {
  const rows = new Map<string, VerifyRow>();
  const add = (replay: CaseReplay): void => {
    const key = `${replay.subject} ${replay.dtype}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { subject: replay.subject, dtype: replay.dtype, cases: 0, comparisons: 0, worstUlp: 0, bound: goldenUlpBound(replay.subject, replay.dtype), failing: [] };
      rows.set(key, row);
    }
    row.cases++;
    row.comparisons += replay.comparisons;
    if (replay.worst !== undefined && (row.worst === undefined || replay.worstUlp > row.worstUlp)) {
      row.worstUlp = replay.worstUlp;
      row.worst = replay.worst;
    }
    if (!replayWithin(replay, row.bound)) row.failing.push(replay.id);
  };
  for (const file of optimizerFiles) for (const c of file.cases) add(replayOptimizerCase(c));
  for (const file of scheduleFiles) for (const c of file.cases) add(replayScheduleCase(c));
  return [...rows.values()].sort((a, b) => (a.subject === b.subject ? a.dtype.localeCompare(b.dtype) : a.subject.localeCompare(b.subject)));
}

import { afterEach, describe, expect, it } from 'vitest';
import { checkConformance } from '../src/conformance/check.js';
import { knownBugs } from '../src/conformance/known-bugs.js';
import { isTensorSubject } from '../src/adapter/index.js';
import type { KnownBugId } from '../src/reference/types.js';
import { handwritten, type PlantedBug, resetSharedState } from './support/planted/handwritten.js';
import { plantedBugs } from './support/planted-bugs.js';

/**
 * Issue 8: a `fails` verdict names the known bug (conventions.md) that explains all its
 * failing checks; a bug that matches none stays a plain `fails`.
 */
const SEED = 9;
/**
 * A quarter of the default drawn runs and law runs: the golden fixtures, scenarios and probes all run,
 * and a verdict here does not hang on a drawn run (correct implementations get the full count over 50
 * seeds in `npm run soak`).
 */
const RUNS = 0.25;
afterEach(() => resetSharedState());

const cases: [KnownBugId, PlantedBug, string, 'float32' | 'float64'][] = [
  ['ascent', 'ascent', 'sgd', 'float64'],
  ['bias-correction-multiplied', 'adam-multiplies-bias-correction', 'adam', 'float32'],
  ['step-counter-off-by-one', 'adam-counter-off-by-one', 'adam', 'float64'],
  ['step-counter-off-by-one', 'adam-counter-per-coordinate', 'adam', 'float64'],
  ['step-counter-saturates', 'adam-counter-bfloat16', 'adam', 'float32'],
  ['stale-moments', 'stale-moments', 'momentum', 'float64'],
  ['stale-moments', 'stale-moments', 'adam', 'float32'],
  ['shared-state', 'shared-state', 'momentum', 'float64'],
  ['gradient-mutated', 'mutates-gradient', 'sgd', 'float64'],
  ['zero-replaced-by-default', 'zero-lr-default', 'adagrad', 'float32'],
  ['amsgrad-unrequested', 'amsgrad', 'adam', 'float64'],
  ['schedule-one-early', 'schedule-one-epoch-early', 'schedule:step', 'float64'],
  ['schedule-one-early', 'schedule-one-epoch-early', 'schedule:exponential', 'float64'],
];

describe('known bugs are named', () => {
  it('covers every known-bug id of conventions.md but those over several tensors (spec/tensors-check.spec.ts)', () => {
    expect([...new Set(cases.map(([id]) => id))].sort()).toEqual(
      knownBugs
        .filter((b) => !b.subjects.every(isTensorSubject))
        .map((b) => b.id)
        .sort(),
    );
  });

  it.each(cases)('%s: a hand-written %s in %s (%s)', async (id, bug, subject, dtype) => {
    const schedules = subject.startsWith('schedule:') ? (['step', 'exponential', 'inverse-time'] as const) : [];
    const adapter = handwritten({
      name: bug,
      declared: dtype,
      bug,
      schedules,
      ...(subject.startsWith('schedule:') ? { optimizers: [] } : { optimizers: [subject as never] }),
    });
    const report = await checkConformance(adapter, { seed: SEED, runs: RUNS, only: [subject] });
    const r = report.results[0]!;
    const failing = r.findings.filter((f) => f.status === 'fail');
    expect(r.verdict, failing.map((f) => `${f.check}: ${f.message}`).join(' | ')).toBe('fails');
    expect(r.bug).toBe(id);
    expect(failing.length).toBeGreaterThan(0);
    for (const f of failing) expect(f.bug).toBe(id);
  });
});

describe('a bug that matches no known one stays a plain fails', () => {
  const unknown = plantedBugs.filter((p) =>
    /vector norm|hidden weight decay|square root of the first moment|accumulating \|dx\|/.test(p.bug),
  );
  it('has the four planted bugs below', () => expect(unknown).toHaveLength(4));
  it.each(unknown.map((p) => [p.bug, p] as const))('%s', async (_name, planted) => {
    const subject = planted.caughtBy[0]!.slice(0, planted.caughtBy[0]!.indexOf('/'));
    const report = await checkConformance(planted.adapter('float64'), { seed: SEED, runs: RUNS, only: [subject] });
    const r = report.results[0]!;
    expect(r.verdict).toBe('fails');
    expect(r.bug).toBeUndefined();
    expect(r.findings.some((f) => f.bug !== undefined)).toBe(false);
  });
});

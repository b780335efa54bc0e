import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import { checkLaw, laws } from '../src/laws/index.js';
import { nearerPrediction } from '../src/laws/tolerance.js';
import { reportHints, stepRelativeError } from '../src/report/hints.js';
import float32Adam, { float32Moments } from './cli-adapters/adam-float32-as-float64.js';

// A hint names a convention or bug only when the value is nearer its prediction
// than the spec's by more than the rounding bound; a float32 computation declared
// float64 gets the dtype hint instead, wholly float32 or in its moments only.

const firstStep = laws.find((l) => l.id === 'adam/first-step')!;
const ALMOST = /Adam \(almost\)/;

describe('nearerPrediction', () => {
  it('never names a prediction that coincides with the spec, and needs more than the margin', () => {
    const value = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(value, value, fc.double({ min: 0, max: 1e3, noNaN: true }), (actual, expected, margin) => {
        expect(nearerPrediction(actual, expected, expected, margin)).toBe(false);
      }),
    );
    // On the prediction, 1.5 from the spec: named with a margin of 1, not with a margin of 2.
    expect(nearerPrediction(1.5, 1.5, 0, 1)).toBe(true);
    expect(nearerPrediction(1.5, 1.5, 0, 2)).toBe(false);
    // Nearer the spec: never named.
    expect(nearerPrediction(0.1, 1.5, 0, 0)).toBe(false);
  });
});

describe('law:adam/first-step names "Adam (almost)" only when the step is nearer it', () => {
  it.each([1, 2, 3, 4, 42])(
    'an Adam in float32 declared float64 fails without the Adam (almost) hint (seed %i)',
    async (seed) => {
      const result = await checkLaw(firstStep, float32Adam, { seed });
      expect(result.status).toBe('fail');
      expect(result.message).not.toMatch(ALMOST);
    },
  );

  it.each(['float64', 'float32'] as const)('a real Adam (almost) keeps its hint (%s)', async (dtype) => {
    const almost = referenceAdapter({ dtype, conventions: { 'no-bias-correction': true } });
    for (const seed of [1, 2, 3]) {
      const result = await checkLaw(firstStep, almost, { seed });
      expect(result.status).toBe('fail');
      expect(result.message).toMatch(ALMOST);
    }
  });
});

describe('the dtype hint', () => {
  it('an Adam in float32 declared float64: the dtype hint, and no Adam (almost) on first-step', async () => {
    const report = await checkConformance(float32Adam, { seed: 42, only: ['adam'] });
    expect(report.results[0]!.verdict).toBe('fails');
    const law = report.results[0]!.findings.find((f) => f.check === 'law:adam/first-step')!;
    expect(law.status).toBe('fail');
    expect(law.message).not.toMatch(ALMOST);
    expect(reportHints(report).join('\n')).toMatch(/declares dtype float64, .* does it compute in float32\?/);
  });

  it('an Adam with float32 moments declared float64 gets it too: its errors are float32-sized relative to the step', async () => {
    const report = await checkConformance(float32Moments, { seed: 42, only: ['adam'] });
    expect(report.results[0]!.verdict).toBe('fails');
    expect(reportHints(report).join('\n')).toMatch(/declares dtype float64, .* does it compute in float32\?/);
  });

  it('stepRelativeError divides by the step: from x0 at step 1, from the trace later, the next step at its first row', () => {
    const base = { expected: 1.001, actual: 1.001 + 1e-11, coordinate: 0 };
    // |x1 - x0| = 0.001: 1e-11 / 1e-3.
    expect(stepRelativeError({ ...base, step: 1, x0: [1] })).toBeCloseTo(1e-8, 12);
    const trace = { expected: [[1.001], [1.003]], actual: [[0], [0]], bound: [[0], [0]] };
    // Step 2: |x2 - x1| = 0.002.
    expect(stepRelativeError({ ...base, expected: 1.003, actual: 1.003 + 1e-11, step: 2, trace })).toBeCloseTo(
      5e-9,
      12,
    );
    // Step 1 without x0: the next step's size, 0.002.
    expect(stepRelativeError({ ...base, step: 1, trace })).toBeCloseTo(5e-9, 12);
    // Nothing to measure the step by: the counterexample's own relative error.
    expect(stepRelativeError({ ...base, step: 1, relativeError: 3e-12 })).toBe(3e-12);
  });
});

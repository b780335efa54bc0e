import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConformance } from '../src/conformance/check.js';
import { range } from '../src/laws/arbitraries.js';
import { complexity, simplerValues } from '../src/laws/readable.js';
import { handwritten } from './support/planted/handwritten.js';

/** Issue 8: counterexamples shrink to numbers a reader grasps at a glance, not into subnormals. */
describe('readable shrinking', () => {
  it('offers 0, the sign, powers of two and ten and few digits, each strictly simpler (so shrinking ends)', () => {
    // 0.5 and -0.7 read no more simply than 0.7 (one digit, same decade), so they are not offered.
    expect(simplerValues(0.7)).toEqual([0, 1, 2]);
    expect(simplerValues(-1e-323)).toContain(-1);
    expect(simplerValues(123.456)).toEqual(expect.arrayContaining([0, 1, 128, 100, 123, 100, 120, 123.5]));
    expect(simplerValues(0)).toEqual([]);
    expect(simplerValues(Number.NaN)).toEqual([0]);
    // float32 values stay float32 values.
    for (const c of simplerValues(Math.fround(0.37), Math.fround)) expect(Math.fround(c)).toBe(c);
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
        for (const c of simplerValues(v)) expect(complexity(c)).toBeLessThan(complexity(v));
      }),
    );
  });

  it("a law counterexample keeps readable numbers within the law's own ranges", async () => {
    // A property that fails for every value in [0.25, 4]: the shrunk value is the simplest one there, 1.
    const details = fc.check(
      fc.property(range(0.25, 4), () => false),
      { seed: 1 },
    );
    expect(details.counterexample).toEqual([1]);
    const outside = fc.check(
      fc.property(range(3, 4), (v) => v < 3.3),
      { seed: 1 },
    );
    expect(outside.counterexample?.[0]).toBeGreaterThanOrEqual(3.3);
    expect(complexity(outside.counterexample![0]!)).toBeLessThan(3000);
  });

  it('lr || 0.01 shrinks to x0 = [0], g = [[1]]: expected 0, got -0.01 (not lr = 0, g = -1e-323)', async () => {
    const report = await checkConformance(
      handwritten({ name: 'defaults', declared: 'float64', bug: 'zero-lr-default', optimizers: ['sgd'] }),
      { seed: 5, only: ['sgd'] },
    );
    const law = report.results[0]!.findings.find((f) => f.check === 'law:sgd/zero-learning-rate')!;
    expect(law.status).toBe('fail');
    expect(law.counterexample).toMatchObject({ x0: [0], gradients: [[1]], expected: 0, actual: -0.01 });
  });
});

import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import { parseCheckArgs } from '../src/cli/check-args.js';
import { kernelAdapter } from './support/kernel-adapter.js';
import { reorderedKernels } from './support/reordered-kernels.js';

/**
 * Issue 11: real libraries switch kernels by size (tiling, SIMD remainders, GPU
 * backends), so the checker can run each optimizer on a long vector (`largeVector`,
 * `--large-vector`). The sizes here are small enough for npm test and large enough to
 * cross the planted kernel's threshold; `optimspec check --large-vector 1000003` is
 * what a user runs.
 */
const SIZE = 65_539; // 65539 = 4 * 16384 + 3: a four-lane kernel leaves a remainder of 3

/** SGD that, from 4096 coordinates on, updates four lanes at a time and forgets the remainder (a real class of SIMD bug). */
const remainderBug = kernelAdapter({
  name: 'sgd forgetting the SIMD remainder',
  dtype: 'float64',
  optimizers: {
    ...reorderedKernels,
    sgd: () => (x, g, lr) => {
      const end = x.length >= 4096 ? x.length - (x.length % 4) : x.length;
      for (let i = 0; i < end; i++) x[i] = x[i]! - lr * g[i]!;
    },
  },
});

describe('the large-vector probe', () => {
  it.each(['float64', 'float32'] as const)(
    'the reference conforms on it (%s), every coordinate compared',
    async (dtype) => {
      const report = await checkConformance(referenceAdapter({ dtype }), {
        seed: 2,
        largeVector: SIZE,
        only: ['sgd', 'rmsprop', 'adam'],
      });
      for (const r of report.results) {
        expect(r.verdict).toBe('conforms');
        expect(r.findings.find((f) => f.check === 'probe:large-vector')!.message).toBe(
          `${3 * SIZE} values within the derived bound`,
        );
      }
    },
  );

  it('a kernel that forgets its remainder above a size fails there, and only there, with the coordinate named and no shrinking', async () => {
    const without = await checkConformance(remainderBug, { seed: 2, only: ['sgd'] });
    expect(without.results[0]!.verdict).toBe('conforms');
    const report = await checkConformance(remainderBug, { seed: 2, only: ['sgd'], largeVector: SIZE });
    const sgd = report.results[0]!;
    expect(sgd.verdict).toBe('fails');
    const failing = sgd.findings.filter((f) => f.status === 'fail');
    expect(failing.map((f) => f.check)).toEqual(['probe:large-vector']);
    const c = failing[0]!.counterexample!;
    expect(c.step).toBe(1);
    expect(c.coordinate).toBe(SIZE - 3);
    expect(failing[0]!.message).toMatch(/not shrunk: it is the 65539-coordinate vector that shows it/);
    expect(c.trace).toBeUndefined();
    // The replay token re-runs it at the same size.
    const replayed = await checkConformance(remainderBug, { replay: failing[0]!.replay! });
    expect(replayed.results[0]!.findings.find((f) => f.check === 'probe:large-vector')!.status).toBe('fail');
  });

  it('refuses a size that is not an integer in [13, 2^26], naming it', async () => {
    await expect(checkConformance(referenceAdapter({ dtype: 'float64' }), { largeVector: 5 })).rejects.toThrow(
      /options.largeVector must be an integer in \[13, 67108864\], got 5/,
    );
    expect(() => parseCheckArgs(['a.mjs', '--large-vector', '1e9'])).toThrow(
      /--large-vector must be an integer in \[13, 67108864\], got "1e9"/,
    );
    expect(parseCheckArgs(['a.mjs', '--large-vector', '1000003']).largeVector).toBe(1_000_003);
  });
});

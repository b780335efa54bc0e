import { describe, expect, it } from 'vitest';
import { checkConformance } from '../src/conformance/check.js';
import { LONG_HORIZON_CHECK } from '../src/conformance/long-horizon-check.js';
import type { MomentumConfig } from '../src/reference/types.js';
import { kernelAdapter } from './support/kernel-adapter.js';
import { reorderedKernels } from './support/reordered-kernels.js';

/**
 * docs/spec.md D9 at the hyperparameters' edges: a Momentum that skips its velocity at
 * rho = 0 (PyTorch's `if momentum != 0:`) is SGD on finite data, but keeps an infinity
 * where the spec's `0 * vx` makes NaN, so it deviates by `non-finite`, shown by
 * `probe:non-finite-rho-zero`. (RMSProp's momentum buffer at 0: spec/tfjs.library.spec.ts and
 * spec/deeplearn.library.spec.ts; the interpolation form's overflow: spec/evaluation-orders.spec.ts.)
 */
describe('non-finite edges', () => {
  it.each(['float32', 'float64'] as const)(
    'a %s Momentum that skips its velocity at rho = 0 deviates by non-finite alone',
    async (dtype) => {
      const adapter = kernelAdapter({
        name: 'momentum-skips-velocity',
        dtype,
        optimizers: {
          ...reorderedKernels,
          momentum: (config, n, r) => {
            const rho = r((config as MomentumConfig).rho);
            const v = new Float64Array(n);
            return (x, g, lr) => {
              for (let i = 0; i < x.length; i++) {
                if (rho === 0) {
                  x[i] = r(x[i]! - r(r(lr) * r(g[i]!)));
                  continue;
                }
                v[i] = r(r(rho * v[i]!) + r(g[i]!));
                x[i] = r(x[i]! - r(r(lr) * v[i]!));
              }
            };
          },
        },
      });
      const report = await checkConformance(adapter, { seed: 5, only: ['momentum'] });
      const [r] = report.results;
      // The kernel adapter has no batched steps: its long runs are skipped as unsupported, no problem of its Momentum.
      const problems = r!.findings.filter(
        (f) => f.status !== 'pass' && !(f.status === 'skipped' && f.check === LONG_HORIZON_CHECK),
      );
      expect(r!.verdict, problems.map((f) => `${f.check}: ${f.message}`).join(' | ')).toBe('deviates');
      expect(r!.conventions).toEqual(['non-finite']);
      expect(problems.map((f) => f.check)).toContain('probe:non-finite-rho-zero');
      expect(problems.every((f) => f.status === 'explained')).toBe(true);
    },
  );
});

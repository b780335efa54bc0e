import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/contract.js';
import { checkLongHorizon, horizonEdges } from '../src/conformance/long-horizon.js';
import { bf16round, f16round, rounderFor } from '../src/numerics/index.js';
import type { AdamConfig, Dtype } from '../src/reference/types.js';
import { kernelAdapter } from './support/kernel-adapter.js';

const ADAM: AdamConfig = { optimizer: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** The first t at which `holds`, by walking t = 1, 2, ...: the brute force horizonEdges' search must agree with. */
function walk(holds: (t: number) => boolean, limit: number): number {
  for (let t = 1; t <= limit; t++) if (holds(t)) return t;
  return Number.POSITIVE_INFINITY;
}

describe('horizonEdges: where a long run changes regime, per dtype', () => {
  it.each([
    ['float16', 0.9],
    ['bfloat16', 0.9],
    ['float32', 0.9],
    ['float16', 0.999],
  ] as [Dtype, number][])('%s, beta = %s: the binary search agrees with walking t', (dtype, beta) => {
    const r = rounderFor(dtype);
    const power = (t: number) => r(r(beta) ** t);
    const edges = horizonEdges(beta, dtype);
    expect(edges.biasSaturates).toBe(walk((t) => r(1 - power(t)) === 1, 20_000));
    expect(edges.powerZero).toBe(walk((t) => power(t) === 0, 20_000));
    expect(edges.powerSubnormal).toBeLessThan(edges.powerZero);
    expect(edges.biasSaturates).toBeLessThan(edges.powerSubnormal);
  });

  it('a counter held in the dtype freezes at 2^p: 2048 in float16, 256 in bfloat16 (torchao), 2^24 in float32', () => {
    expect(horizonEdges(0.9, 'float16').counterFreezes).toBe(2048);
    expect(f16round(2048 + 1)).toBe(2048);
    expect(f16round(2047 + 1)).toBe(2048);
    expect(horizonEdges(0.9, 'bfloat16').counterFreezes).toBe(256);
    expect(bf16round(256 + 1)).toBe(256);
    expect(horizonEdges(0.9, 'float32').counterFreezes).toBe(2 ** 24);
    expect(Math.fround(2 ** 24 + 1)).toBe(2 ** 24);
  });

  it('beta = 0.999 is 1 in bfloat16 (8 bits), so nothing there ever saturates', () => {
    expect(bf16round(0.999)).toBe(1);
    expect(horizonEdges(0.999, 'bfloat16').biasSaturates).toBe(Number.POSITIVE_INFINITY);
  });
});

/** A float32 Adam whose step counter is held in bfloat16 (torchao's bug): it stops at 256. */
const frozenCounter = kernelAdapter({
  name: 'adam with a bfloat16 counter',
  dtype: 'float32',
  optimizers: {
    adam: (config, n, r) => {
      const c = config as AdamConfig;
      const m = new Float64Array(n);
      const v = new Float64Array(n);
      let t = 0;
      return (x, g, lr) => {
        t = bf16round(t + 1);
        const c1 = r(1 - c.beta1 ** t);
        const c2 = r(1 - c.beta2 ** t);
        for (let i = 0; i < x.length; i++) {
          const gi = r(g[i]!);
          m[i] = r(r(r(c.beta1) * m[i]!) + r(r(1 - c.beta1) * gi));
          v[i] = r(r(r(c.beta2) * v[i]!) + r(r(r(1 - c.beta2) * gi) * gi));
          x[i] = r(x[i]! - r(r(r(lr) * r(m[i]! / c1)) / r(r(Math.sqrt(r(v[i]! / c2))) + r(c.epsilon))));
        }
      };
    },
  },
});

describe('checkLongHorizon: a constant gradient, compared at the edges only', () => {
  // 3000 steps cross float32's edges for beta1 = 0.9 (165, 829, 987) and bfloat16's counter (256);
  // npm run bench runs 10^6.
  const options = { gradient: [0.3, -2], x0: [0.5, -1], at: [1, 2, 165, 256, 257, 829, 987, 2048], horizon: 3000 };

  it.each(['float32', 'float64'] as const)('the reference Adam in %s passes at every chosen step', async (dtype) => {
    const result = await checkLongHorizon(referenceAdapter({ dtype }), ADAM, options);
    expect(result.failure).toBeUndefined();
    expect(result.points.map((p) => p.t)).toContain(3000);
    // Useful, not only sound: at t = 3000 the bound is a small part of x (it grows about linearly in t,
    // ~ t (delta + 1) u |step| with delta ~ 10 at late steps: 3000 * 11 * 6e-8 = 2e-3 in float32).
    const last = result.points.at(-1)!;
    expect(last.bound / Math.abs(last.expected)).toBeLessThan(dtype === 'float32' ? 1e-2 : 1e-10);
  });

  it('a float32 Adam whose counter is held in bfloat16 matches until 256, then fails as step-counter-saturates', async () => {
    const result = await checkLongHorizon(frozenCounter, ADAM, options);
    expect(result.passed).toBe(false);
    // From 257 on its v is divided by 1 - beta2^256 = 0.226 instead of 1 - beta2^t: the steps shrink towards
    // sqrt(0.226) = 0.48 of the spec's, so x parts gradually and leaves the bound before 3000.
    expect(result.failure!.t).toBeGreaterThan(256);
    expect(result.bug).toBe('step-counter-saturates');
    // Up to 256 its counter is exact, and it is NumPy's order: within the bound there.
    for (const p of result.points.filter((q) => q.t <= 256))
      expect(Math.abs(p.actual - p.expected)).toBeLessThanOrEqual(p.bound);
  });
});

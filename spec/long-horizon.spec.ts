import { describe, expect, it } from 'vitest';
import { type Adapter, referenceAdapter, type Stepper } from '../src/adapter/contract.js';
import { checkLongHorizon, horizonEdges } from '../src/conformance/long-horizon.js';
import { bf16round, f16round, rounderFor } from '../src/numerics/index.js';
import type { AdamConfig, Dtype } from '../src/reference/types.js';
import { kernelAdapter } from './support/kernel-adapter.js';
import { checkConformance } from '../src/conformance/check.js';
import { LONG_HORIZON_CHECK, longHorizonScenarios } from '../src/conformance/long-horizon-check.js';
import { plannedChecks } from '../src/conformance/planned-checks.js';
import { encodeReplay } from '../src/conformance/replay.js';
import type { SubjectResult } from '../src/conformance/types.js';
import { reportToConsole, reportToJUnit, reportToJson, reportToMarkdown } from '../src/report/index.js';

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

/**
 * The long-horizon check inside checkConformance (`long-horizon`, one per optimizer with a
 * closed form): the scenarios cross the dtype's regime edges, the reference passes it, a
 * counter frozen at 256 fails it by name, and an adapter without batched `steps` is told
 * why it was skipped.
 */
const SEED = 19;

/** `adapter` with a batched `steps` on every instance (a loop over `step`), as the stdio and worker adapters have. */
function batched(adapter: Adapter): Adapter {
  return {
    ...adapter,
    async create(config, x0) {
      const s = (await adapter.create(config, x0)) as Stepper;
      return {
        step: (g, lr) => s.step(g, lr),
        steps: async (grads) => {
          const out = [];
          for (const g of grads) out.push(Float64Array.from(await s.step(g)));
          return out;
        },
      };
    },
  };
}

/** The frozen counter above, with batched steps: checkConformance runs long horizons only on those. */
const batchedFrozenCounter = batched(frozenCounter);

const horizonOf = (r: SubjectResult) => r.findings.find((f) => f.check === LONG_HORIZON_CHECK);

describe('the long-horizon check of checkConformance', () => {
  it("Adam's runs pass every edge of their betas in the dtype, and every run passes float16's counter", () => {
    for (const dtype of ['bfloat16', 'float32', 'float64'] as const) {
      const [lecture, halves] = longHorizonScenarios('adam', dtype);
      const e09 = horizonEdges(0.9, dtype);
      const e05 = horizonEdges(0.5, dtype);
      if (dtype !== 'float64')
        expect(lecture!.options.at).toEqual(expect.arrayContaining([e09.powerSubnormal, e09.powerZero]));
      expect(halves!.options.at).toEqual(
        expect.arrayContaining([e05.biasSaturates, e05.powerSubnormal, e05.powerZero]),
      );
      expect(halves!.options.horizon).toBeGreaterThan(e05.powerZero);
      for (const rule of ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'] as const)
        for (const run of longHorizonScenarios(rule, dtype)) {
          expect(run.options.horizon).toBeGreaterThan(2048);
          expect(run.options.at).toEqual(expect.arrayContaining([256, 257, 2048, 2049]));
        }
    }
    expect(longHorizonScenarios('nesterov', 'float64')).toEqual([]);
  });

  it('is planned last for every optimizer with a closed form, and the reference in bfloat16 passes it', async () => {
    const adapter = referenceAdapter({ dtype: 'bfloat16' });
    const planned = plannedChecks(adapter, { seed: SEED });
    for (const rule of ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'])
      expect(planned.get(rule as 'adam')?.at(-1)).toBe(LONG_HORIZON_CHECK);
    expect(planned.get('nesterov')).not.toContain(LONG_HORIZON_CHECK);
    // What a full check runs last, alone (the full check's planned-equals-reported is spec/conformance-vitest.spec.ts's).
    const replay = encodeReplay({ subject: 'adam', check: LONG_HORIZON_CHECK, seed: SEED, runs: 1 });
    const [adam] = (await checkConformance(adapter, { replay })).results;
    expect(adam!.verdict).toBe('conforms');
    expect(horizonOf(adam!)).toMatchObject({ status: 'pass', message: expect.stringContaining('2304 steps') });
  });

  it('a float32 Adam whose counter stops at 256 fails it as step-counter-saturates, and every report format shows the check', async () => {
    const replay = encodeReplay({ subject: 'adam', check: LONG_HORIZON_CHECK, seed: SEED, runs: 1 });
    const report = await checkConformance(batchedFrozenCounter, { replay });
    const [adam] = report.results;
    expect(adam!.verdict).toBe('fails');
    expect(adam!.bug).toBe('step-counter-saturates');
    const finding = horizonOf(adam!)!;
    expect(finding).toMatchObject({ status: 'fail', bug: 'step-counter-saturates' });
    // Before 257 its counter is exact: the first compared step outside the bound is later.
    expect(finding.counterexample!.step).toBeGreaterThan(256);
    expect(finding.replay).toBeDefined();
    for (const text of [
      reportToJson(report),
      reportToJUnit(report),
      reportToMarkdown(report),
      reportToConsole(report, { color: false, verbose: true }),
    ])
      expect(text).toContain(LONG_HORIZON_CHECK);
  });

  it('an adapter without batched steps is skipped as unsupported, with the reason', async () => {
    const reference = referenceAdapter({ dtype: 'float64' });
    const unbatched: Adapter = {
      ...reference,
      create(config, x0) {
        const s = reference.create(config, x0) as Stepper;
        return { step: (g, lr) => s.step(g, lr) };
      },
    };
    const replay = encodeReplay({ subject: 'sgd', check: LONG_HORIZON_CHECK, seed: SEED, runs: 1 });
    const [sgd] = (await checkConformance(unbatched, { replay })).results;
    expect(sgd!.verdict).toBe('conforms');
    expect(horizonOf(sgd!)).toMatchObject({
      status: 'skipped',
      message: expect.stringMatching(/unsupported: the adapter has no batched steps/),
    });
  });
});

import { describe, expect, it } from 'vitest';
import { type Adapter, referenceAdapter, type Stepper } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import { LONG_HORIZON_CHECK, longHorizonScenarios } from '../src/conformance/long-horizon-check.js';
import { horizonEdges } from '../src/conformance/long-horizon.js';
import { plannedChecks } from '../src/conformance/planned-checks.js';
import { encodeReplay } from '../src/conformance/replay.js';
import type { SubjectResult } from '../src/conformance/types.js';
import { bf16round } from '../src/numerics/index.js';
import { reportToConsole, reportToJUnit, reportToJson, reportToMarkdown } from '../src/report/index.js';
import type { AdamConfig } from '../src/reference/types.js';
import { kernelAdapter } from './support/kernel-adapter.js';

/**
 * The long-horizon check inside checkConformance (`long-horizon`, one per optimizer with a
 * closed form): the scenarios cross the dtype's regime edges, a full check of the reference
 * passes it, a counter frozen at 256 fails it by name, and an adapter without batched
 * `steps` is told why it was skipped.
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

/** A float32 Adam whose step counter is held in bfloat16 (torchao's bug): it stops at 256. */
const frozenCounter = batched(
  kernelAdapter({
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
  }),
);

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
    const report = await checkConformance(frozenCounter, { replay });
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

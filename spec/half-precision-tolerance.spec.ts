import { describe, expect, it } from 'vitest';
import { probeScenarios } from '../src/conformance/scenarios.js';
import { roundoff } from '../src/conformance/error-arithmetic.js';
import { boundedTrajectory } from '../src/conformance/tolerance.js';
import { underflow, unitRoundoff } from '../src/laws/tolerance.js';
import { loadOptimizerFixtures, type OptimizerFixtureCase } from '../src/fixtures/fixtures.js';
import { rounderFor } from '../src/numerics/dtype.js';
import { sameBits } from '../src/numerics/ulp.js';
import type { BugVariant } from '../src/conformance/tolerance.js';
import type { Conventions, Dtype, OptimizerName } from '../src/reference/types.js';
import { evaluationOrderAdapter } from './support/evaluation-orders.js';

// The checker's running error bound (src/conformance/tolerance.ts) with float16's and
// bfloat16's unit roundoff is sound: every float16 and bfloat16 golden trajectory (NumPy's
// float16, the generator's bfloat16) lies within the bound of the float64 evaluation, and so
// does a correct implementation in another evaluation order; and it is not vacuous: the
// ascent bug falls outside it, Adam's included: D10 fixes `1 - beta2` as the double rounded
// once, so the model holds it exactly (held as an error of u beta2 / (1 - beta2) it was about
// 4 relative in bfloat16, and every Adam bound infinite). The checker judges both dtypes; in
// float16 its laws draw only what float16 holds (spec/float16-checker.spec.ts).

const DTYPES16 = ['float16', 'bfloat16'] as const;
const files = loadOptimizerFixtures().filter((f) => f.dtype === 'float16' || f.dtype === 'bfloat16');

interface Outcome {
  /** The first value outside the bound, if any. */
  outside?: string;
  checked: number;
  unchecked: number;
}

/**
 * Compares a trajectory with the bound as the checker does (src/conformance/run.ts): a
 * non-finite expected value matched exactly, an infinite bound not compared, and nothing
 * compared from the first step whose inputs or state are non-finite (the `non-finite` convention).
 */
function withinBound(
  c: Pick<OptimizerFixtureCase, 'config' | 'x0' | 'learningRates'>,
  conventions: Conventions,
  dtype: Dtype,
  gradients: readonly (readonly number[])[],
  xs: readonly ArrayLike<number>[],
  bug?: BugVariant,
): Outcome {
  const model = boundedTrajectory(c.config, conventions, dtype, c.x0, gradients, c.learningRates, bug);
  const out: Outcome = { checked: 0, unchecked: 0 };
  xs.forEach((row, k) => {
    for (let j = 0; j < row.length; j++) {
      if (k + 1 >= model.nonFinite[j]! || out.outside !== undefined) continue;
      const actual = row[j]!;
      const expected = model.x[k]![j]!;
      const bound = model.bound[k]![j]!;
      let ok: boolean;
      if (!Number.isFinite(expected)) ok = sameBits(actual, expected);
      else if (!(bound < Number.POSITIVE_INFINITY)) {
        out.unchecked++;
        continue;
      } else ok = Math.abs(actual - expected) <= bound;
      out.checked++;
      if (!ok) out.outside = `step ${k + 1} x[${j}]: ${actual}, float64 rule ${expected} within ${bound}`;
    }
  });
  return out;
}

function gradientsOf(c: OptimizerFixtureCase): number[][] {
  return c.loop.kind === 'open' ? c.loop.gradients : c.expected.dx!;
}

describe('tolerance model in float16 and bfloat16', () => {
  it("bfloat16: Adam forming 1 - beta2 in the dtype (1 - 1 = 0 at beta2 = 0.999) is outside the bound, D10's `1 - beta2` inside", () => {
    const config = { optimizer: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;
    const r = rounderFor('bfloat16');
    const gradients = [
      [0.5, -2],
      [0.25, 1],
      [-1, 3],
    ];
    const run = (k2: number) => {
      const x = [0.5, -1];
      const m = [0, 0];
      const v = [0, 0];
      return gradients.map((g, k) => {
        const c1 = r(1 - 0.9 ** (k + 1));
        const c2 = r(1 - 0.999 ** (k + 1));
        return x.map((_, i) => {
          m[i] = r(r(r(0.9) * m[i]!) + r(r(1 - 0.9) * g[i]!));
          v[i] = r(r(r(0.999) * v[i]!) + r(r(k2 * g[i]!) * g[i]!));
          const step = r(r(r(1e-3) * r(m[i]! / c1)) / r(r(Math.sqrt(r(v[i]! / c2))) + r(1e-8)));
          x[i] = r(x[i]! - step);
          return x[i]!;
        });
      });
    };
    const c = { config, x0: [0.5, -1] };
    const correct = withinBound(c, {}, 'bfloat16', gradients, run(r(1 - 0.999)));
    expect(correct.outside).toBeUndefined();
    expect(correct.checked).toBe(6);
    expect(withinBound(c, {}, 'bfloat16', gradients, run(r(1 - r(0.999)))).outside).toMatch(/^step 1 /);
  });

  it("the laws' unit roundoff and underflow are each dtype's own, not float64's", () => {
    expect([unitRoundoff('float16'), underflow('float16')]).toEqual([2 ** -11, 2 ** -25]);
    expect([unitRoundoff('bfloat16'), underflow('bfloat16')]).toEqual([2 ** -8, 2 ** -134]);
    expect([unitRoundoff('float32'), underflow('float32')]).toEqual([2 ** -24, 2 ** -150]);
    expect([unitRoundoff('float64'), underflow('float64')]).toEqual([2 ** -53, 2 ** -1074]);
  });

  it('has the unit roundoff, underflow and range of each dtype', () => {
    expect(roundoff('float16')).toEqual({ u: 2 ** -11, eta: 2 ** -25, max: 65504 });
    expect(roundoff('bfloat16')).toEqual({ u: 2 ** -8, eta: 2 ** -134, max: (2 - 2 ** -7) * 2 ** 127 });
  });

  for (const dtype of DTYPES16) {
    it(`${dtype}: every golden trajectory up to 50 steps lies within the derived bound of the float64 rule, its conventions included`, () => {
      let checked = 0;
      let unchecked = 0;
      const outside: string[] = [];
      for (const file of files.filter((f) => f.dtype === dtype)) {
        for (const c of file.cases.filter((k) => k.expected.x.length <= 50)) {
          const result = withinBound(c, c.conventions, dtype, gradientsOf(c), c.expected.x);
          checked += result.checked;
          unchecked += result.unchecked;
          if (result.outside !== undefined) outside.push(`${c.id} ${result.outside}`);
        }
      }
      expect(outside).toEqual([]);
      // Most values are compared (measured: about 70%; the rest have an infinite bound).
      expect(checked).toBeGreaterThan(unchecked);
    });

    it(`${dtype}: the bound is not vacuous: the lecture's trajectory lies outside the ascent bug's`, () => {
      for (const file of files.filter((f) => f.dtype === dtype)) {
        const c = file.cases.find((k) => k.regime === 'ordinary')!;
        expect(withinBound(c, {}, dtype, gradientsOf(c), c.expected.x, 'ascent').outside, c.id).toBeDefined();
      }
    });

    it(`${dtype}: RMSProp and Adam with moving averages in interpolation form stay within the bound on every probe`, async () => {
      const adapter = evaluationOrderAdapter('interpolation', dtype);
      const r = rounderFor(dtype);
      let checked = 0;
      for (const rule of ['rmsprop', 'adam'] as OptimizerName[]) {
        for (const scenario of probeScenarios(rule, 'float64')) {
          if (scenario.gradients === undefined) continue;
          const x0 = scenario.x0.map(r);
          const gradients = scenario.gradients.map((g) => g.map(r));
          const learningRates = scenario.learningRates?.map((v) => (v === undefined ? v : r(v)));
          const stepper = await adapter.create(scenario.config, Float64Array.from(x0));
          if (!('step' in stepper)) throw new Error(`${rule} refused ${scenario.id}`);
          const xs: number[][] = [];
          for (let k = 0; k < gradients.length; k++)
            xs.push(Array.from(await stepper.step(Float64Array.from(gradients[k]!), learningRates?.[k])));
          const c = { config: scenario.config, x0, ...(learningRates === undefined ? {} : { learningRates }) };
          const result = withinBound(c as OptimizerFixtureCase, {}, dtype, gradients, xs);
          expect(result.outside, `${rule} ${scenario.id}`).toBeUndefined();
          checked += result.checked;
        }
      }
      expect(checked).toBeGreaterThan(100);
    });
  }
});

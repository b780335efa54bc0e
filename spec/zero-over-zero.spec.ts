import { describe, expect, it } from 'vitest';
import { checkConformance } from '../src/conformance/check.js';
import { LONG_HORIZON_CHECK } from '../src/conformance/long-horizon-check.js';
import type { SubjectResult } from '../src/conformance/types.js';
import type { AdamConfig, OptimizerConfig, RmspropConfig, ScheduleConfig } from '../src/reference/types.js';
import { type KernelFactory, kernelAdapter } from './support/kernel-adapter.js';

/**
 * docs/conventions.md's `non-finite` where the rule itself makes the NaN: at eps = 0 a zero
 * gradient makes the step 0 / 0, NaN by the lecture's rule. TF.js's WebGL division shader answers
 * 1 wherever a == b (tfjs-backend-webgl's kernels/RealDiv.js: `if (a == b) { return 1.0;`), so
 * x moves by -lr: a difference only where the spec's parameter is NaN, the convention
 * `non-finite`, not `zero-replaced-by-default` (that bug's pattern, every failure at a zero
 * hyperparameter, fits these runs too; the source has no default). A genuine `lr || 0.01`
 * (Adam) or `eps || 1e-7` (RMSProp, seen where the rule is finite) beside it is still that bug.
 * Planted here on IEEE float32, in-process.
 */

const SEED = 7;
/** A quarter of the drawn runs and law runs: the golden fixtures (the zero-epsilon ones among them) all run. */
const RUNS = 0.25;

/** RealDiv's shader: `if (a == b) return 1.0;` before the quotient (0 / 0 and Infinity / Infinity are 1). */
const realDiv = (r: (v: number) => number) => (a: number, b: number) => (a === b ? 1 : r(a / b));

/** TF.js's RMSProp (epsilon inside the root): `x - (g lr) / sqrt(ms + eps)`, divided by RealDiv. */
const rmsprop =
  (epsOf: (eps: number) => number): KernelFactory =>
  (config, n, r) => {
    const c = config as RmspropConfig;
    const [d, keep, eps] = [r(c.decayRate), r(1 - r(c.decayRate)), r(epsOf(c.epsilon))];
    const div = realDiv(r);
    const ms = new Float64Array(n);
    return (x, g, lr) => {
      for (let i = 0; i < x.length; i++) {
        const gi = r(g[i]!);
        ms[i] = r(r(d * ms[i]!) + r(r(gi * gi) * keep));
        x[i] = r(x[i]! - div(r(gi * r(lr)), r(Math.sqrt(r(ms[i]! + eps)))));
      }
    };
  };

/** TF.js's Adam: `x + (m_hat / (sqrt(v_hat) + eps)) (-lr)`, every quotient by RealDiv. */
const adam =
  (lrOf: (lr: number) => number): KernelFactory =>
  (config, n, r) => {
    const c = config as AdamConfig;
    const [b1, b2, eps] = [r(c.beta1), r(c.beta2), r(c.epsilon)];
    const [k1, k2] = [r(1 - b1), r(1 - b2)];
    const div = realDiv(r);
    const [m, v] = [new Float64Array(n), new Float64Array(n)];
    let [acc1, acc2] = [1, 1];
    return (x, g, lr) => {
      [acc1, acc2] = [r(acc1 * b1), r(acc2 * b2)];
      const [c1, c2] = [r(1 - acc1), r(1 - acc2)];
      for (let i = 0; i < x.length; i++) {
        const gi = r(g[i]!);
        m[i] = r(r(b1 * m[i]!) + r(k1 * gi));
        v[i] = r(r(b2 * v[i]!) + r(k2 * r(gi * gi)));
        const step = div(div(m[i]!, c1), r(r(Math.sqrt(div(v[i]!, c2))) + eps));
        x[i] = r(x[i]! + r(step * r(-lrOf(lr))));
      }
    };
  };

const same = (v: number) => v;

/**
 * The float32 adapter with RealDiv's division; RMSProp uses `epsOf(epsilon)` and Adam `lrOf(learningRate)`
 * (a planted default, or the value itself).
 */
function realDivAdapter(name: string, epsOf = same, lrOf = same) {
  return kernelAdapter({ name, dtype: 'float32', optimizers: { rmsprop: rmsprop(epsOf), adam: adam(lrOf) } });
}

/** A counterexample's learning rate. */
const learningRateOf = (config: OptimizerConfig | ScheduleConfig | undefined) =>
  config !== undefined && 'learningRate' in config ? config.learningRate : undefined;

/** A counterexample's epsilon. */
const epsilonOf = (config: OptimizerConfig | ScheduleConfig | undefined) =>
  config !== undefined && 'epsilon' in config ? config.epsilon : undefined;

/** Every finding that is not a pass, save the long runs a kernel adapter (no batched steps) cannot give. */
function problems(r: SubjectResult) {
  return r.findings.filter((f) => f.status !== 'pass' && !(f.status === 'skipped' && f.check === LONG_HORIZON_CHECK));
}

describe('0 / 0 answered 1 (WebGL RealDiv) at eps = 0', () => {
  const expected = { rmsprop: ['epsilon-inside-sqrt', 'non-finite'], adam: ['non-finite'] } as const;

  it('RMSProp and Adam deviate by non-finite, never zero-replaced-by-default; the zero-epsilon fixtures show it', async () => {
    const report = await checkConformance(realDivAdapter('realdiv'), {
      seed: SEED,
      runs: RUNS,
      only: ['rmsprop', 'adam'],
    });
    for (const subject of ['rmsprop', 'adam'] as const) {
      const r = report.results.find((x) => x.subject === subject)!;
      const left = problems(r);
      expect(r.verdict, left.map((f) => `${f.check}: ${f.message}`).join(' | ')).toBe('deviates');
      expect(r.bug).toBeUndefined();
      expect([...r.conventions].sort()).toEqual(expected[subject]);
      expect(left.every((f) => f.status === 'explained' && f.bug === undefined)).toBe(true);
      // The zero-epsilon fixture, where the rule makes 0 / 0 from finite inputs, is the convention's.
      const zero = left.find((f) => f.check === `fixture:${subject}/float32/open/zero-epsilon-0`);
      expect(zero?.status).toBe('explained');
      expect(zero?.conventions).toContain('non-finite');
    }
  });

  it('beside it, a genuine default is still zero-replaced-by-default: lr || 0.01 at lr = 0, and eps || 1e-7 where the rule is finite', async () => {
    const report = await checkConformance(
      realDivAdapter(
        'realdiv-defaults',
        (eps) => eps || 1e-7,
        (lr) => lr || 0.01,
      ),
      { seed: SEED, runs: RUNS, only: ['rmsprop', 'adam'] },
    );
    expect(report.results.map((r) => r.subject).sort()).toEqual(['adam', 'rmsprop']);
    for (const r of report.results) {
      const failing = problems(r).filter((f) => f.status === 'fail');
      expect(
        r.verdict,
        problems(r)
          .map((f) => `${f.check}: ${f.message}`)
          .join(' | '),
      ).toBe('fails');
      expect(r.bug).toBe('zero-replaced-by-default');
      expect(failing.length).toBeGreaterThan(0);
      const zero = r.subject === 'adam' ? learningRateOf : epsilonOf;
      expect(failing.every((f) => zero(f.counterexample?.config) === 0)).toBe(true);
    }
    // Adam's zero-epsilon fixture (its lr is not 0) stays the convention's: 0 / 0 answered 1 there, as above.
    const adam = report.results.find((r) => r.subject === 'adam')!;
    expect(adam.findings.find((f) => f.check === 'fixture:adam/float32/open/zero-epsilon-0')?.status).toBe('explained');
  });
});

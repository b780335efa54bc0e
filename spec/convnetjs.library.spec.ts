import { beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport, SubjectResult } from '../src/conformance/types.js';
import { MATRIX_SEED } from '../scripts/matrix.js';
import { explain, instance, resultOf } from './support/matrix-helpers.js';

/**
 * The verdicts optimspec gives convnetjs 0.3.0 (npm) through examples/convnetjs.mjs,
 * each justified by node_modules/convnetjs/build/convnet.js (Trainer, lines 1754-1877):
 * the matrix row `convnetjs` of docs/matrix.md.
 */
let report: ConformanceReport;
const verdict = (subject: string): SubjectResult => resultOf(report, subject);
let adapter: Adapter;

/** Every golden fixture without an infinity or NaN in it passes or is explained by `allowed` alone. */
function finiteFixturesFollow(r: SubjectResult, allowed: readonly string[]): void {
  const finite = r.findings.filter((f) => f.check.startsWith('fixture:') && !f.check.includes('non-finite'));
  expect(finite.length).toBeGreaterThan(5);
  for (const f of finite) {
    expect(['pass', 'explained'], `${f.check}: ${f.message}`).toContain(f.status);
    for (const id of f.conventions ?? []) expect(allowed, `${f.check}: ${f.message}`).toContain(id);
  }
}

beforeAll(async () => {
  adapter = ((await import(new URL('../examples/convnetjs.mjs', import.meta.url).href)) as { default: Adapter })
    .default;
  report = await checkConformance(adapter, { seed: MATRIX_SEED });
});

describe('convnetjs 0.3.0 through examples/convnetjs.mjs', () => {
  it('is checked in float64 (zeros(n) returns new Float64Array(n), line 35) for the Trainer methods 0.3.0 has: sgd (with momentum 0 or rho), adagrad, windowgrad', () => {
    expect(report.adapter.dtype).toBe('float64');
    expect(adapter.optimizers).toEqual(['sgd', 'momentum', 'adagrad', 'rmsprop']);
  });

  it("the adapter runs convnetjs's own Trainer: with l2_decay 0 it still forms l2grad = l2_decay * p (line 1827), so an infinite parameter becomes NaN after one zero-gradient step", async () => {
    const stepper = await instance(adapter, { optimizer: 'sgd', learningRate: 0.1 }, [Number.POSITIVE_INFINITY, 1]);
    const x = await stepper.step(Float64Array.from([0, 0.5]));
    expect(Number.isNaN(x[0])).toBe(true);
    expect(x[1]).toBe(1 - 0.1 * 0.5);
  });

  it('sgd deviates by non-finite only: p += -learning_rate * gij (line 1860) is the spec, but gij = (l2grad + l1grad + g) / batch_size with l2grad = 0 * p makes an infinite parameter NaN', () => {
    const r = verdict('sgd');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['non-finite']);
    finiteFixturesFollow(r, []);
  });

  it('momentum deviates by lr-placement and non-finite: dx = momentum * gsum - learning_rate * gij; p += dx (line 1855) keeps the learning rate inside the velocity, and 0 * p makes an infinite parameter NaN', () => {
    const r = verdict('momentum');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['lr-placement', 'non-finite']);
    finiteFixturesFollow(r, ['lr-placement']);
  });

  it('adagrad deviates by epsilon-inside-sqrt and non-finite: dx = -learning_rate / Math.sqrt(gsum + eps) * gij (line 1836), and 0 * p makes an infinite parameter NaN', () => {
    const r = verdict('adagrad');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['epsilon-inside-sqrt', 'non-finite']);
    finiteFixturesFollow(r, ['epsilon-inside-sqrt']);
  });

  it('rmsprop deviates by epsilon-inside-sqrt and non-finite: windowgrad keeps gsum = ro * gsum + (1 - ro) gij^2 and divides by Math.sqrt(gsum + eps) (lines 1842-1843), and 0 * p makes an infinite parameter NaN', () => {
    const r = verdict('rmsprop');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['epsilon-inside-sqrt', 'non-finite']);
    finiteFixturesFollow(r, ['epsilon-inside-sqrt']);
  });

  it("nesterov and adam are unsupported: the npm release's Trainer has methods sgd/adagrad/adadelta/windowgrad only (line 1763)", () => {
    expect(verdict('nesterov').verdict).toBe('unsupported');
    expect(verdict('adam').verdict).toBe('unsupported');
  });

  it('schedules are unsupported: the Trainer reads one constant learning_rate (line 1759)', () => {
    for (const s of ['schedule:step', 'schedule:exponential', 'schedule:inverse-time'])
      expect(verdict(s).verdict).toBe('unsupported');
  });

  it('gives the same verdicts at other seeds (2 and 6): l2_decay * p turns every infinite parameter into NaN, so non-finite must not depend on which laws happen to draw one', async () => {
    const subjects = ['sgd', 'momentum', 'adagrad', 'rmsprop'];
    for (const seed of [2, 6]) {
      const other = await checkConformance(adapter, { seed, only: subjects });
      expect(
        other.results.map((r) => [r.subject, r.verdict, r.conventions]),
        `seed ${seed}`,
      ).toEqual(subjects.map((s) => [s, verdict(s).verdict, verdict(s).conventions]));
    }
  });
});

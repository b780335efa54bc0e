import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport, SubjectResult } from '../src/conformance/types.js';
import { hangGuard } from './support/slowdown.js';
import { testScratchFolder } from './support/scratch.js';

/**
 * The verdicts optimspec gives TensorFlow.js 4.22 (tfjs-core + the CPU backend,
 * float32) through examples/tfjs.mjs, each justified by what TF.js's source does
 * (node_modules/@tensorflow/tfjs-core/dist/optimizers/*.js).
 */
let report: ConformanceReport;

function verdict(subject: string): SubjectResult {
  const r = report.results.find((x) => x.subject === subject);
  if (r === undefined) throw new Error(`no result for ${subject}`);
  return r;
}

function explain(r: SubjectResult): string {
  return `${r.subject}: ${r.verdict} [${r.conventions.join(', ')}] ${r.findings
    .filter((f) => f.status === 'fail' || f.status === 'error')
    .slice(0, 2)
    .map((f) => `${f.check}: ${f.message}`)
    .join(' | ')}`;
}

beforeAll(async () => {
  // A plain .mjs example without type declarations: imported by URL, typed by the contract it implements.
  const adapter = (await import(new URL('../examples/tfjs.mjs', import.meta.url).href)) as { default: Adapter };
  report = await checkConformance(adapter.default, { seed: 4220 });
}, hangGuard(120_000));

describe('TensorFlow.js through examples/tfjs.mjs', () => {
  it('is checked as a float32 implementation of the six optimizers', () => {
    expect(report.adapter.dtype).toBe('float32');
    expect(report.adapter.name).toMatch(/^TensorFlow\.js 4\./);
  });

  it('sgd conforms: SGDOptimizer.applyGradients computes value + c * gradient with c = scalar(-learningRate), i.e. x - lr * dx', () => {
    expect(verdict('sgd').verdict, explain(verdict('sgd'))).toBe('conforms');
  });

  it("momentum conforms: MomentumOptimizer keeps accumulation = m * accumulation + gradient and adds c * accumulation (c = -lr), the lecture's vx = rho * vx + dx; x -= lr * vx with the learning rate outside the velocity, so learning-rate changes agree too", () => {
    expect(verdict('momentum').verdict, explain(verdict('momentum'))).toBe('conforms');
  });

  it("nesterov deviates by lr-placement: with useNesterov TF.js adds c * (gradient + m * newAccumulation), PyTorch's b = rho b + dx; x -= lr (dx + rho b), the learning rate outside the velocity; equal to the spec only while the rate is constant", () => {
    const r = verdict('nesterov');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['lr-placement']);
    // Only checks whose learning rate changes part from the spec (the fixture schedules, the lr probe and the placement
    // law), and the edge fixtures where the velocity kept without the rate overflows: g + m * newAccumulation is
    // Infinity near the largest float32, and c = -0 at learning rate 0 makes it NaN (the spec's velocity is 0 there).
    for (const f of r.findings.filter((x) => x.status === 'explained'))
      expect(f.check).toMatch(
        /schedule|lr-changes|non-finite|edge-lr-zero|law:nesterov\/learning-rate-inside-velocity$/,
      );
    // The placement law fails only after its rate change: at a constant rate TF.js's float32 rounding stays within its bound.
    const placement = r.findings.find((f) => f.check === 'law:nesterov/learning-rate-inside-velocity');
    expect(placement?.status).toBe('explained');
    expect(placement?.message).toMatch(/after the learning rate changes/);
  });

  it('adagrad deviates by epsilon-inside-sqrt and initial-accumulator 0.1: AdagradOptimizer fills the accumulator with initialAccumulatorValue = 0.1 and divides by sqrt(accumulator + backend epsilon)', () => {
    const r = verdict('adagrad');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['epsilon-inside-sqrt', 'initial-accumulator']);
    expect(r.findings.find((f) => f.status === 'explained')!.message).toMatch(/initial-accumulator = 0\.1\b/);
  });

  it('rmsprop deviates by epsilon-inside-sqrt and non-finite: RMSPropOptimizer (momentum 0, not centered) divides gradient * learningRate by sqrt(newAccumulatedMeanSquare + epsilon), its mean square starts at zeros, and it forms mul(accumulatedMoments, this.momentum) at momentum 0, so an infinite moment becomes NaN (rmsprop_optimizer.js:103)', () => {
    const r = verdict('rmsprop');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['epsilon-inside-sqrt', 'non-finite']);
    const shown = r.findings.find((f) => f.check === 'probe:non-finite-infinite-step');
    expect(shown?.status, explain(r)).toBe('explained');
    expect(shown?.conventions).toContain('non-finite');
  });

  it('adam conforms: AdamOptimizer divides both moments by 1 - beta**t (accBeta built by repeated float32 multiplication) and adds epsilon outside the square root; its float32 1 - beta2 (off by 1.3e-5) stays within the derived bound', () => {
    expect(verdict('adam').verdict, explain(verdict('adam'))).toBe('conforms');
  });

  it("the laws of issue 3 run against TF.js too; those it breaks (AdaGrad's 1/sqrt(t) and power-of-two scaling, RMSProp's AdaGrad limit, ...) break the same way on the reference built with its conventions", () => {
    const lawFindings = report.results.flatMap((r) => r.findings.filter((f) => f.check.startsWith('law:')));
    expect(lawFindings.length).toBeGreaterThan(40);
    for (const f of lawFindings) expect(['pass', 'explained'], `${f.check}: ${f.message}`).toContain(f.status);
    expect(
      verdict('adagrad').findings.filter((f) => f.check.startsWith('law:') && f.status === 'explained').length,
    ).toBeGreaterThan(0);
  });

  it('schedules are unsupported: tfjs-core has no learning-rate schedules', () => {
    for (const s of ['schedule:step', 'schedule:exponential', 'schedule:inverse-time'])
      expect(verdict(s).verdict).toBe('unsupported');
  });

  it('gives the same verdicts with another seed (other drawn runs and law inputs)', async () => {
    const adapter = (await import(new URL('../examples/tfjs.mjs', import.meta.url).href)) as { default: Adapter };
    const other = await checkConformance(adapter.default, { seed: 101, only: ['nesterov', 'adagrad', 'rmsprop'] });
    expect(other.results.map((r) => [r.subject, r.verdict, r.conventions])).toEqual(
      ['nesterov', 'adagrad', 'rmsprop'].map((s) => [s, verdict(s).verdict, verdict(s).conventions]),
    );
  });

  it('several variables through one optimizer: stepped together they equal each alone (each has its own state slot)', () => {
    expect(verdict('tensors:several').verdict, explain(verdict('tensors:several'))).toBe('conforms');
  });

  it("a null gradient leaves a variable alone, but Adam's accBeta is multiplied once per applyGradients: deviates by global-step, and Adam alone", () => {
    const r = verdict('tensors:missing-gradient');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['global-step']);
    for (const f of r.findings.filter((x) => x.status === 'explained')) expect(f.check).toMatch(/^adam\//);
  });

  it('getWeights()/setWeights() restore every optimizer bit for bit but Adam, whose accBeta setWeights recomputes with pow: fails, state-lost-on-restore', () => {
    const r = verdict('tensors:save-restore');
    expect(r.verdict, explain(r)).toBe('fails');
    expect(r.bug).toBe('state-lost-on-restore');
    for (const f of r.findings.filter((x) => x.status === 'fail')) expect(f.check).toMatch(/^adam\//);
  });

  it('no parameter groups and no schedules: those checks are unsupported', () => {
    expect(verdict('tensors:groups').verdict).toBe('unsupported');
    expect(verdict('tensors:own-schedule').verdict).toBe('unsupported');
  });

  it("fails as a whole (Adam's restore), and every other subject passes once its five conventions are accepted", async () => {
    expect(report.passed).toBe(false);
    const accepting = report.results.every(
      (r) =>
        r.subject === 'tensors:save-restore' ||
        r.verdict === 'conforms' ||
        r.verdict === 'unsupported' ||
        r.conventions.every((id) =>
          ['lr-placement', 'epsilon-inside-sqrt', 'initial-accumulator', 'global-step', 'non-finite'].includes(id),
        ),
    );
    expect(accepting).toBe(true);
  });
});

describe('examples/tfjs.mjs where TF.js is not installed', () => {
  it('fails to load with the command that installs it', async () => {
    // A copy outside the repository: no node_modules above it has TF.js.
    const folder = testScratchFolder('optimspec-no-tfjs-');
    copyFileSync(new URL('../examples/tfjs.mjs', import.meta.url), join(folder, 'tfjs.mjs'));
    // In a plain Node process: vitest's own resolver would find the repository's TF.js from anywhere.
    const message = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'try { await import(process.argv[1]); } catch (e) { process.stdout.write(e.message); }',
        pathToFileURL(join(folder, 'tfjs.mjs')).href,
      ],
      { encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } },
    );
    expect(message).toMatch(
      /Cannot find package '@tensorflow\/tfjs-core'.*install it with: npm install --save-dev @tensorflow\/tfjs-core @tensorflow\/tfjs-backend-cpu/,
    );
  });
});

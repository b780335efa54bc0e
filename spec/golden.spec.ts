import { describe, expect, it } from 'vitest';
import {
  type CaseReplay,
  replayOptimizerCase,
  replayScheduleCase,
  replayWithin,
  subjectOf,
  verifyFixtures,
} from '../src/fixtures/verify.js';
import { loadOptimizerFixtures, loadScheduleFixtures, type OptimizerFixtureCase } from '../src/fixtures/fixtures.js';
import { GOLDEN_ULP_BOUNDS, goldenUlpBound } from '../src/fixtures/golden-bounds.js';
import { registry } from '../src/registry/registry.js';
import type { Dtype } from '../src/reference/types.js';

// The reference reproduces every NumPy fixture after every step: x, the closed-loop
// gradient and the state, 0 ULP and sign-of-zero exact, except where src/fixtures/golden-bounds.ts
// records a measured bound for `**` / `exp` (the step and exponential schedules).

const optimizerFiles = loadOptimizerFixtures();
const scheduleFiles = loadScheduleFixtures();
const DTYPES: readonly Dtype[] = ['float16', 'bfloat16', 'float32', 'float64'];

function explain(replay: CaseReplay, bound: number): string {
  const lines = replay.errors.map((e) => `${replay.id}: ${e}`);
  for (const d of replay.differences.filter((d) => !(d.ulp > 0 && d.ulp <= bound)).slice(0, 8)) {
    const what = d.ulp === 0 ? 'sign of zero differs' : `${d.ulp} ULP (bound ${bound})`;
    const where = d.field === 'value' ? `t=${d.step}` : `step ${d.step} ${d.field}[${d.coordinate}]`;
    lines.push(`${d.caseId} ${where}: expected ${d.expected}, reference ${d.actual}: ${what}`);
  }
  return lines.join('\n');
}

function longest(c: OptimizerFixtureCase): number {
  return c.loop.kind === 'open' ? c.loop.gradients.length : c.loop.steps;
}

for (const rule of registry) {
  if (rule.kind === 'optimizer') {
    describe(`golden: ${rule.name}`, () => {
      for (const dtype of DTYPES) {
        const cases = optimizerFiles.filter((f) => f.rule === rule.name && f.dtype === dtype).flatMap((f) => f.cases);

        it(`${dtype}: has fixtures, a 1000-step case and a closed-loop case`, () => {
          expect(cases.length, `no fixtures for ${rule.name} ${dtype}`).toBeGreaterThan(0);
          expect(Math.max(...cases.map(longest))).toBeGreaterThanOrEqual(1000);
          expect(cases.some((c) => c.loop.kind === 'closed')).toBe(true);
        });

        for (const c of cases) {
          it(c.id, () => {
            const bound = goldenUlpBound(subjectOf(c.rule, c.conventions), dtype);
            const replay = replayOptimizerCase(c);
            expect(replayWithin(replay, bound), explain(replay, bound)).toBe(true);
          });
        }
      }
    });
  } else {
    describe(`golden: schedule ${rule.name}`, () => {
      const cases = scheduleFiles.filter((f) => f.schedule === rule.name).flatMap((f) => f.cases);

      it('has tables for t = 0..1000', () => {
        expect(cases.length, `no fixtures for schedule ${rule.name}`).toBeGreaterThan(0);
        for (const c of cases) expect(c.t).toEqual(Array.from({ length: 1001 }, (_, t) => t));
      });

      for (const c of cases) {
        it(c.id, () => {
          const bound = goldenUlpBound(`schedule:${rule.name}`, 'float64');
          const replay = replayScheduleCase(c);
          expect(replayWithin(replay, bound), explain(replay, bound)).toBe(true);
        });
      }
    });
  }
}

describe('golden: coverage of the fixtures', () => {
  it('has at least 150 cases, and Adam (almost) has a 1000-step and a closed-loop case in float32 and float64', () => {
    const total =
      optimizerFiles.reduce((n, f) => n + f.cases.length, 0) + scheduleFiles.reduce((n, f) => n + f.cases.length, 0);
    expect(total).toBeGreaterThanOrEqual(150);
    for (const dtype of ['float32', 'float64'] as const) {
      const almost = optimizerFiles
        .flatMap((f) => f.cases)
        .filter((c) => c.dtype === dtype && c.conventions['no-bias-correction'] === true);
      expect(Math.max(...almost.map(longest))).toBeGreaterThanOrEqual(1000);
      expect(almost.some((c) => c.loop.kind === 'closed')).toBe(true);
    }
  });

  it('has every gradient regime the issue names, in every dtype, for every optimizer', () => {
    const regimes = ['ordinary', 'tiny', 'huge', 'mixed', 'zeros', 'sign-flips', 'constant', 'non-finite', 'subnormal'];
    expect(optimizerFiles).toHaveLength(registry.filter((r) => r.kind === 'optimizer').length * DTYPES.length);
    for (const file of optimizerFiles) {
      const have = new Set(file.cases.map((c) => c.regime));
      for (const regime of regimes) expect(have.has(regime), `${file.rule} ${file.dtype} lacks ${regime}`).toBe(true);
    }
  });
});

describe('golden: the comparison can fail', () => {
  const base = optimizerFiles
    .find((f) => f.rule === 'momentum' && f.dtype === 'float32')!
    .cases.find((c) => c.regime === 'ordinary')!;

  it('reports a one-ULP change of an expected value with its case, step, field and coordinate', () => {
    const c = structuredClone(base);
    const row = c.expected.x[4]!;
    const f32 = new Float32Array([row[2]!]);
    new Int32Array(f32.buffer)[0]! += 1;
    row[2] = f32[0]!;
    const replay = replayOptimizerCase(c);
    expect(replay.worst).toMatchObject({ caseId: c.id, step: 5, field: 'x', coordinate: 2, ulp: 1 });
    expect(replayWithin(replay, 0)).toBe(false);
  });

  it('fails on a sign-of-zero difference although the ULP distance is 0', () => {
    const c = structuredClone(base);
    // x0 = +0 and dx = 0 give x = 0 - lr * 0 = +0 after step 1; the fixture claims -0.
    c.x0[0] = 0;
    c.expected.x[0]![0] = -0;
    c.loop = { kind: 'open', gradients: c.loop.kind === 'open' ? c.loop.gradients.map((g) => [0, ...g.slice(1)]) : [] };
    const replay = replayOptimizerCase(c);
    const zero = replay.differences.find((d) => d.step === 1 && d.field === 'x' && d.coordinate === 0);
    expect(zero?.ulp).toBe(0);
    expect(replayWithin(replay, 1000)).toBe(false);
  });

  it('fails when a state key is missing on either side', () => {
    const c = structuredClone(base);
    c.expected.state = { velocity: c.expected.state.vx! };
    const replay = replayOptimizerCase(c);
    expect(replay.errors.join('\n')).toMatch(/"velocity".*not in the reference state/);
    expect(replay.errors.join('\n')).toMatch(/"vx".*not in the fixture/);
  });
});

describe('golden: fixtures verify table', () => {
  const rows = verifyFixtures(optimizerFiles, scheduleFiles);

  it('has a row for every rule in the registry and every row is within its bound', () => {
    for (const rule of registry) {
      const subject = rule.kind === 'optimizer' ? rule.name : `schedule:${rule.name}`;
      expect(
        rows.some((r) => r.subject === subject),
        subject,
      ).toBe(true);
    }
    expect(
      rows.filter((r) => r.failing.length > 0).map((r) => `${r.subject} ${r.dtype}: ${r.failing.join(', ')}`),
    ).toEqual([]);
  });

  it('every non-zero bound is the measured worst case, not wider', () => {
    for (const [subject, byDtype] of Object.entries(GOLDEN_ULP_BOUNDS)) {
      for (const [dtype, bound] of Object.entries(byDtype)) {
        const row = rows.find((r) => r.subject === subject && r.dtype === dtype);
        expect(row?.worstUlp, `${subject} ${dtype}`).toBe(bound);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { Adapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { Counterexample, Finding } from '../src/conformance/types.js';
import type { OptimizerConfig } from '../src/reference/types.js';
import { describeCounterexample, reportToConsole, reportToJson, reproductionSnippet } from '../src/report/index.js';
import float32Adam from './cli-adapters/adam-float32-as-float64.js';
import { adamCounterPlusOne, momentumRateTwice, nesterovOneMinusRho } from './support/planted/user-bugs.js';

/** docs/report.schema.json writes NaN, the infinities and -0 as strings: read them back as numbers. */
function readReport(json: string): { results: { findings: Finding[] }[] } {
  const special: Record<string, number> = {
    NaN: Number.NaN,
    Infinity: Number.POSITIVE_INFINITY,
    '-Infinity': Number.NEGATIVE_INFINITY,
    '-0': -0,
  };
  return JSON.parse(json, (_key, value: unknown) =>
    typeof value === 'string' && value in special ? special[value] : value,
  );
}

/** Runs the console's code for the counterexample, its adapter line replaced by `adapter`; returns what it logs. */
async function snippetLogs(adapter: Adapter, c: Counterexample): Promise<unknown[]> {
  const body = reproductionSnippet(c)!.filter((line) => !line.startsWith('const adapter ='));
  const logged: unknown[] = [];
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
    ...args: string[]
  ) => (adapter: Adapter, console: { log(...values: unknown[]): void }) => Promise<void>;
  await new AsyncFunction('adapter', 'console', body.join('\n'))(adapter, {
    log: (...values) => logged.push(...values),
  });
  return logged;
}

/** Drives the adapter with exactly the counterexample's inputs, as its console snippet does; returns x[coordinate] after each step. */
async function byHand(adapter: Adapter, c: Counterexample): Promise<number[]> {
  const optimizer = await adapter.create(c.config as OptimizerConfig, Float64Array.from(c.x0!));
  if (!('step' in optimizer)) throw new Error('the adapter refused the counterexample');
  const seen: number[] = [];
  for (const [k, g] of c.gradients!.entries()) {
    const x = await optimizer.step(Float64Array.from(g), c.learningRates?.[k] ?? undefined);
    seen.push(x[c.coordinate!]!);
  }
  return seen;
}

const cases: [string, Adapter, 'adam' | 'momentum' | 'nesterov', RegExp][] = [
  ['Adam with beta ** (t + 1)', adamCounterPlusOne, 'adam', /known bug step-counter-off-by-one/],
  // The first step shows it: the implementation's step is lr (0.01 in the fixture) times the reference's.
  ['the learning rate applied twice', momentumRateTwice, 'momentum', /reference at step 1, .*vx .*\n.*0\.01 times/],
  [
    'Nesterov with 1 - rho',
    nesterovOneMinusRho,
    'nesterov',
    /reference at step \d+, .*old_v .*, v .*\n.*times the reference's/,
  ],
  [
    'Adam in float32 declared float64',
    float32Adam,
    'adam',
    /does it compute in float32\? Then declare dtype: 'float32'/,
  ],
];

describe('from the report to the bug by hand', () => {
  it.each(cases)(
    '%s: the first screen names the cause, every counterexample re-runs from the JSON',
    async (_name, adapter, subject, cause) => {
      const report = await checkConformance(adapter, { seed: 1, only: [subject] });
      expect(report.results[0]!.verdict).toBe('fails');
      const screen = reportToConsole(report, { color: false }).split('\n').slice(0, 40).join('\n');
      expect(screen).toMatch(cause);
      const failing = readReport(reportToJson(report)).results[0]!.findings.filter((f) => f.status === 'fail');
      expect(failing.length).toBeGreaterThan(3);
      for (const finding of failing) {
        const c = finding.counterexample!;
        // Everything needed: the config, x0, every gradient, the step and coordinate, expected and actual.
        expect(c, finding.check).toMatchObject({ config: { optimizer: subject }, x0: expect.any(Array) });
        expect(c.gradients!.length, finding.check).toBe(c.step);
        expect(
          [c.coordinate, c.expected, c.actual].every((v) => typeof v === 'number'),
          finding.check,
        ).toBe(true);
        const seen = await byHand(adapter, c);
        if (c.parameters !== undefined) expect(seen, finding.check).toEqual(c.parameters);
        else {
          // The same value the check judged, bit for bit, and not the expected one: the failure is reproduced.
          expect(Object.is(seen.at(-1), c.actual), `${finding.check}: ${seen.at(-1)} vs ${c.actual}`).toBe(true);
          expect(seen.at(-1), finding.check).not.toBe(c.expected);
        }
        // The code the console prints for it logs the same x first.
        expect(Object.is((await snippetLogs(adapter, c))[0], seen.at(-1)), finding.check).toBe(true);
      }
    },
  );
});

it("prints the reference's state beside the implementation's step, a ratio near 1 as 1 + its excess", () => {
  // Momentum, lr 0.01, g 1 from x 0: the reference steps -lr g = -0.01; applying lr twice steps -lr^2 g = -1e-4.
  const twice: Counterexample = {
    step: 1,
    coordinate: 0,
    expected: -0.01,
    actual: -1e-4,
    referenceState: { x: 0, dx: 1, learning_rate: 0.01, vx: 1 },
  };
  expect(describeCounterexample(twice).slice(1, 3)).toEqual([
    'reference at step 1, coordinate 0: x 0, dx 1, learning_rate 0.01, vx 1',
    "x after the step: reference -0.01 (step -0.01), implementation -1e-4 (step -1e-4, 0.01 times the reference's)",
  ]);
  // A step 2^-24 longer (float32 rounding): three digits would print it as "1 times".
  const rounded = { ...twice, actual: -0.01 * (1 + 2 ** -24) };
  expect(describeCounterexample(rounded)[2]).toMatch(/, 1 \+ 5\.96e-8 times the reference's\)$/);
});

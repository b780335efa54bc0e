import { describe, expect, test } from 'vitest';
import { type Adapter, referenceAdapter, type Stepper } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import { CONFORMANCE_DEFAULTS } from '../src/conformance/defaults.js';
import type { ConformanceReport } from '../src/conformance/types.js';
import type { OptimizerConfig, ScheduleConfig } from '../src/reference/types.js';
import { handwritten } from './support/planted/handwritten.js';

/**
 * A correct adapter's verdicts do not depend on how long its calls take (issue 16: a
 * busy machine must not turn `conforms` into `error`). The same check of the reference,
 * once as it is and once slowed down, must give the same verdict and the same status for
 * every check. Slowed: every call answers after a turn of the event loop (so the
 * checker's timers may run in between), and every SLEEP_EVERY-th call only after a
 * synchronous sleep of SLEEP_MS (a slow step holds its thread); SLEEP_MS is far below
 * the default per-call timeout, as a busy machine's slowest call is.
 */
const SLEEP_EVERY = 64;
const SLEEP_MS = 5;
const SUBJECTS = ['adam', 'schedule:inverse-time'];
/** A quarter of the drawn runs: the golden fixtures, probes and laws still run, and both checks draw the same. */
const RUNS = 0.25;

function slowed(adapter: Adapter): Adapter {
  let calls = 0;
  const pause = (): void => {
    if (++calls % SLEEP_EVERY === 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SLEEP_MS);
  };
  const later = <T>(value: () => T | Promise<T>): Promise<T> =>
    new Promise<T>((resolve) =>
      setImmediate(() => {
        pause();
        resolve(value());
      }),
    );
  return {
    ...adapter,
    create: (config: OptimizerConfig, x0: Float64Array) =>
      later<Stepper>(async () => {
        const made = (await adapter.create(config, x0)) as Stepper;
        return {
          step: (grad: Float64Array, learningRate?: number) => later(() => made.step(grad, learningRate)),
          ...(made.steps === undefined
            ? {}
            : {
                steps: (grads: readonly Float64Array[], rates?: readonly (number | undefined)[]) =>
                  later(() => made.steps!(grads, rates)),
              }),
        };
      }),
    schedule: (config: ScheduleConfig) => {
      const f = adapter.schedule!(config) as (t: number) => number;
      return (t: number) => {
        pause();
        return f(t);
      };
    },
  };
}

const shape = (report: ConformanceReport) =>
  report.results.map((r) => ({
    subject: r.subject,
    verdict: r.verdict,
    checks: r.findings.map((f) => `${f.check}: ${f.status}`),
  }));

describe('verdicts do not depend on timing', () => {
  test('the reference slowed down (an event-loop turn per call, a 5 ms sleep every 64th) gets the verdicts and check statuses of the reference as it is', async () => {
    expect(SLEEP_MS).toBeLessThan(CONFORMANCE_DEFAULTS.stepTimeoutMs / 100);
    const fast = await checkConformance(referenceAdapter({ dtype: 'float64' }), {
      only: SUBJECTS,
      seed: 16,
      runs: RUNS,
    });
    const slow = await checkConformance(slowed(referenceAdapter({ dtype: 'float64' })), {
      only: SUBJECTS,
      seed: 16,
      runs: RUNS,
    });
    expect(fast.results.map((r) => r.verdict)).toEqual(['conforms', 'conforms']);
    expect(shape(slow)).toEqual(shape(fast));
  });

  test('a failure that needs 257 steps (a bfloat16 step counter) shrinks to the same counterexample slowed down: the step budget, not the clock, ends shrinking', async () => {
    const planted = () => handwritten({ name: 'counter', declared: 'float32', bug: 'adam-counter-bfloat16' });
    const options = { only: ['adam'], seed: 9, runs: RUNS };
    const failing = (report: ConformanceReport) =>
      report.results[0]!.findings.filter((f) => f.status === 'fail').map((f) => ({
        check: f.check,
        c: f.counterexample,
      }));
    const fast = await checkConformance(planted(), options);
    // Every batch past the counter's last value 10 ms late: the shrink candidates are such batches, so a shrink
    // that ran until the clock's limit (3 s) would stop at another one than at full speed; the step budget does not.
    const late = planted();
    const create = late.create.bind(late);
    late.create = async (config, x0) => {
      const made = (await create(config, x0)) as Stepper;
      const steps = made.steps!.bind(made);
      return {
        ...made,
        steps: (grads: readonly Float64Array[], rates?: readonly (number | undefined)[]) => {
          if (grads.length > 256) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          return steps(grads, rates);
        },
      };
    };
    const slow = await checkConformance(late, options);
    expect(fast.results[0]!.bug).toBe('step-counter-saturates');
    const shrunk = failing(fast).find(({ c }) => c?.path !== undefined)?.c;
    // Shrunk and still past the counter's last value, 256, where the bug first shows.
    expect(shrunk?.gradients?.length).toBeGreaterThan(256);
    expect(failing(slow)).toEqual(failing(fast));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Adapter, referenceAdapter, type Stepper } from '../src/adapter/contract.js';
import { UnsupportedValue, unsupported } from '../src/adapter/unsupported.js';
import { lawsFor } from '../src/laws/index.js';
import { checkLaw, type Law } from '../src/laws/law.js';
import { handwritten } from './support/planted/handwritten.js';

/**
 * checkLaw makes a law's runs in two batches (the first run alone, then the
 * rest), each batch's first requests in one round trip (issue 9). What the
 * implementation sees and what the checker reports must be what fast-check's runs
 * made one at a time would give.
 */

const SEED = 4242;

/** Logs every call an adapter gets (configs and the bits of every array), then passes it on. */
function logged(inner: Adapter, log: string[], refuse?: (learningRate: number) => boolean): Adapter {
  const bits = (a: ArrayLike<number>) => Array.from(a, (x) => (Object.is(x, -0) ? '-0' : String(x))).join(',');
  return {
    name: inner.name,
    dtype: inner.dtype,
    optimizers: inner.optimizers,
    async create(config, x0) {
      if (refuse?.(config.learningRate) === true) {
        log.push(`refuse ${JSON.stringify(config)}`);
        return unsupported('not this learning rate');
      }
      log.push(`create ${JSON.stringify(config)} [${bits(x0)}]`);
      const stepper = (await inner.create(config, x0)) as Stepper;
      return {
        step(grad, learningRate) {
          log.push(`step [${bits(grad)}] ${learningRate ?? ''}`);
          return stepper.step(grad, learningRate);
        },
        dispose() {
          log.push('dispose');
        },
      };
    },
  };
}

/** The law's runs made one at a time, as fast-check's own pass makes them (refused inputs set aside). */
async function oneAtATime<T>(law: Law<T>, adapter: Adapter, numRuns: number) {
  return fc.check(
    fc.asyncProperty(law.arbitrary(adapter.dtype), async (input) => {
      try {
        await law.check(adapter, input);
      } catch (error) {
        if (error instanceof UnsupportedValue) fc.pre(false);
        throw error;
      }
    }),
    { seed: SEED, numRuns, maxSkipsPerRun: 2 },
  );
}

/** The reference, wrong on five-coordinate vectors only: most draws pass, so the first failing run is a later one. */
const wrongOnFive: Adapter = {
  ...referenceAdapter({ dtype: 'float64' }),
  name: 'wrong on five coordinates',
  create(config, x0) {
    const stepper = referenceAdapter({ dtype: 'float64' }).create(config, x0);
    return {
      step(grad, learningRate) {
        const x = Float64Array.from(stepper.step(grad, learningRate) as Float64Array);
        if (x.length === 5) x[0] = x[0]! + 1;
        return x;
      },
    };
  },
};

const law = (id: string): Law => lawsFor(id.slice(0, id.indexOf('/')) as never).find((l) => l.id === id)!;

describe('a law in two batches makes the calls of its runs one at a time', () => {
  it.each(['sgd/element-wise', 'momentum/deterministic-independent', 'adam/inputs-not-mutated'])(
    '%s: the same calls in the same order, and a pass',
    async (id) => {
      const batched: string[] = [];
      const result = await checkLaw(law(id), logged(referenceAdapter({ dtype: 'float64' }), batched), {
        seed: SEED,
        numRuns: 20,
      });
      const alone: string[] = [];
      await oneAtATime(law(id), logged(referenceAdapter({ dtype: 'float64' }), alone), 20);
      expect(result.status).toBe('pass');
      expect(batched.length).toBeGreaterThan(20);
      expect(batched).toEqual(alone);
    },
  );

  it('with refused inputs, fast-check draws others in their place: the same calls, none made twice, and the count of refusals', async () => {
    const id = 'sgd/element-wise';
    const refuse = (lr: number) => lr > 0.05;
    const batched: string[] = [];
    const result = await checkLaw(law(id), logged(referenceAdapter({ dtype: 'float64' }), batched, refuse), {
      seed: SEED,
      numRuns: 20,
    });
    const alone: string[] = [];
    await oneAtATime(law(id), logged(referenceAdapter({ dtype: 'float64' }), alone, refuse), 20);
    expect(result.refused).toBeGreaterThan(0);
    expect(result.status).toBe('pass');
    expect(batched).toEqual(alone);
  });

  it('a failure is reported as fast-check reports it: the same path and the same shrunk counterexample', async () => {
    const paths: string[] = [];
    for (const [id, buggy] of [
      ['sgd/zero-learning-rate', handwritten({ name: 'lr || 0.01', declared: 'float64', bug: 'zero-lr-default' })],
      [
        'momentum/rho-zero-is-sgd',
        handwritten({ name: 'vx += rho dx', declared: 'float64', bug: 'momentum-rho-on-dx' }),
      ],
      ['sgd/element-wise', wrongOnFive],
    ] as const) {
      const result = await checkLaw(law(id), buggy, { seed: SEED });
      const own = await oneAtATime(law(id), buggy, law(id).runs);
      expect(own.failed, id).toBe(true);
      expect(result.status, id).toBe('fail');
      expect(result.path, id).toBe(own.counterexamplePath);
      expect(result.counterexample, id).toEqual(own.counterexample?.[0]);
      paths.push(result.path!);
    }
    // At the first run and at a later one (the second batch).
    expect(paths.some((p) => p.startsWith('0:'))).toBe(true);
    expect(paths.some((p) => !p.startsWith('0:'))).toBe(true);
  });

  it("an implementation failing at the first run has made no other run's calls before the shrinking starts", async () => {
    const log: string[] = [];
    const buggy = logged(handwritten({ name: 'ascent', declared: 'float64', bug: 'ascent' }), log);
    const id = 'sgd/descent';
    const [first] = fc.sample(law(id).arbitrary('float64'), { seed: SEED, numRuns: 1 });
    const alone: string[] = [];
    await law(id)
      .check(logged(handwritten({ name: 'ascent', declared: 'float64', bug: 'ascent' }), alone), first)
      .catch(() => undefined);
    const result = await checkLaw(law(id), buggy, { seed: SEED });
    expect(result.status).toBe('fail');
    expect(result.path?.startsWith('0')).toBe(true);
    // Run 0's calls, then the shrinking's (which starts again from run 0's input).
    expect(log.slice(0, alone.length)).toEqual(alone);
    expect(log.slice(alone.length, 2 * alone.length)).toEqual(alone);
  });
});

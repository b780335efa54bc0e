import { writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdapterError } from '../src/adapter/adapter-error.js';
import { referenceAdapter } from '../src/adapter/contract.js';
import { pythonHelperFolder } from '../src/protocol/python-helper.js';
import { type SpawnedAdapter, spawnAdapter } from '../src/protocol/spawn-adapter.js';
import type { OptimizerConfig, ScheduleConfig } from '../src/reference/types.js';
import { sameBits, ulpDistance } from '../src/numerics/ulp.js';
import { testScratchFolder } from './support/scratch.js';

/** fast-check replay: OPTIMSPEC_SEED and OPTIMSPEC_PATH reproduce a reported failure (its seed and path are in the message). */
const replay = {
  ...(process.env.OPTIMSPEC_SEED === undefined ? {} : { seed: Number(process.env.OPTIMSPEC_SEED) }),
  ...(process.env.OPTIMSPEC_PATH === undefined ? {} : { path: process.env.OPTIMSPEC_PATH }),
};

const script = fileURLToPath(new URL('../examples/python/lecture_pure.py', import.meta.url));
const reference = referenceAdapter({ dtype: 'float64' });
let python: SpawnedAdapter;
/** Sees every line sent to the shared child while a test sets it (the tests of this file run one at a time). */
let onSend: ((line: string) => void) | undefined;

beforeAll(async () => {
  python = await spawnAdapter(['python3', script], {
    onTraffic: (direction, line) => direction === 'send' && onSend?.(line),
  });
});
afterAll(async () => {
  await python.close();
});

// Every double on purpose: NaN, both infinities, -0, subnormals, huge values.
const anyDouble = fc.oneof(
  { weight: 4, arbitrary: fc.double({ min: -10, max: 10 }) },
  { weight: 1, arbitrary: fc.double() },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0,
      Number.MIN_VALUE,
      -4e-320,
      1e308,
    ),
  },
);
const learningRate = fc.double({ min: 0, max: 2, noNaN: true });
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
// eps = 0 on purpose too: sqrt(0) + 0 divides by zero, which Python floats raise on and the example
// must turn into IEEE-754 infinities and NaN, as NumPy and the reference do.
const epsilon = fc.oneof(fc.constant(0), fc.double({ min: 1e-12, max: 1, noNaN: true }));
// Dyadic betas with a numerator below 2^4: beta ** t is exact in double for t <= 13 (4 * 13 = 52 bits),
// so any pow with error < 1 ulp (V8's and glibc's) returns it exactly and Adam must match bit for bit.
const dyadic = fc.integer({ min: 0, max: 15 }).map((n) => n / 16);

const configs: Record<string, fc.Arbitrary<OptimizerConfig>> = {
  sgd: fc.record({ optimizer: fc.constant('sgd' as const), learningRate }),
  momentum: fc.record({ optimizer: fc.constant('momentum' as const), learningRate, rho: unit }),
  nesterov: fc.record({ optimizer: fc.constant('nesterov' as const), learningRate, rho: unit }),
  adagrad: fc.record({ optimizer: fc.constant('adagrad' as const), learningRate, epsilon }),
  rmsprop: fc.record({ optimizer: fc.constant('rmsprop' as const), learningRate, decayRate: unit, epsilon }),
  adam: fc.record({ optimizer: fc.constant('adam' as const), learningRate, beta1: dyadic, beta2: dyadic, epsilon }),
};

/** A run: x0, a gradient sequence of up to 13 steps, and an optional new learning rate per step. */
const run = fc.integer({ min: 1, max: 4 }).chain((size) =>
  fc.record({
    x0: fc.array(anyDouble, { minLength: size, maxLength: size }),
    steps: fc.array(
      fc.record({
        grad: fc.array(anyDouble, { minLength: size, maxLength: size }),
        learningRate: fc.option(learningRate, { nil: undefined }),
      }),
      { minLength: 1, maxLength: 13 },
    ),
  }),
);

function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): string | undefined {
  for (let i = 0; i < expected.length; i++) {
    if (!sameBits(actual[i]!, expected[i]!)) return `coordinate ${i}: expected ${expected[i]}, got ${actual[i]}`;
  }
  return undefined;
}

describe('a Python adapter over the protocol (examples/python/lecture_pure.py)', () => {
  it('handshake: name, dtype, optimizers and schedules as the child declares them', () => {
    expect(python.name).toBe('lecture rules in pure Python');
    expect(python.dtype).toBe('float64');
    expect(python.optimizers).toEqual(['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam']);
    expect(python.schedules).toEqual(['step', 'exponential', 'inverse-time']);
    expect(python.protocol).toBe(1);
    expect(python.argv).toEqual(['python3', script]);
    expect(python.pid).toBeGreaterThan(0);
  });

  it('create, step, steps and dispose: momentum worked by hand', async () => {
    // vx = rho * vx + dx; x -= lr * vx with rho = 0.5, lr = 0.25, dx = 1: vx = 1, 1.5, 1.75 (all exact in binary).
    const stepper = await python.create(
      { optimizer: 'momentum', learningRate: 0.25, rho: 0.5 },
      new Float64Array([1, -2]),
    );
    expect(await stepper.step(new Float64Array([1, 1]))).toEqual(new Float64Array([0.75, -2.25]));
    // The second step uses lr = 1 (kept for the third): x = 0.75 - 1.5, then - 1.75.
    expect(await stepper.steps([new Float64Array([1, 1]), new Float64Array([1, 1])], [1, undefined])).toEqual([
      new Float64Array([-0.75, -3.75]),
      new Float64Array([-2.5, -5.5]),
    ]);
    await stepper.dispose();
    const error = await stepper.step(new Float64Array([1, 1])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toContain('was disposed');
  });

  it('special numbers and subnormals round-trip through Python unchanged (SGD with lr = 0 and zero gradients)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyDouble, { minLength: 1, maxLength: 8 }), async (x0) => {
        // x - 0 * 0 is x for every double, -0 included: (-0) - (+0) = -0.
        const stepper = await python.create({ optimizer: 'sgd', learningRate: 0 }, Float64Array.from(x0));
        const x = await stepper.step(new Float64Array(x0.length));
        await stepper.dispose();
        expect(firstDifference(x, x0)).toBeUndefined();
      }),
      { ...replay, numRuns: 50 },
    );
  });

  it('an invalid config comes back as ok:false with the Python exception', async () => {
    const error = await python
      .create({ optimizer: 'momentum', learningRate: 0.1 } as OptimizerConfig, new Float64Array(1))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdapterError);
    expect((error as Error).message).toContain(`ok:false: KeyError: 'rho'`);
  });

  for (const name of ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'] as const) {
    it(`${name}: the float64 trajectory equals referenceAdapter float64 bit for bit, step by step and batched`, async () => {
      await fc.assert(
        fc.asyncProperty(configs[name]!, run, async (config, { x0, steps }) => {
          const expected = await reference.create(config, Float64Array.from(x0));
          const one = await python.create(config, Float64Array.from(x0));
          const batch = await python.create(config, Float64Array.from(x0));
          const grads = steps.map((s) => Float64Array.from(s.grad));
          const xs = await batch.steps(
            grads,
            steps.map((s) => s.learningRate),
          );
          for (const [t, s] of steps.entries()) {
            const want = Float64Array.from(await expected.step(Float64Array.from(s.grad), s.learningRate));
            const got = await one.step(grads[t]!, s.learningRate);
            expect(firstDifference(got, want), `step ${t + 1}`).toBeUndefined();
            expect(firstDifference(xs[t]!, want), `batched step ${t + 1}`).toBeUndefined();
          }
          await one.dispose();
          await batch.dispose();
        }),
        { ...replay, numRuns: 60 },
      );
    });
  }
});

describe('schedules over the protocol', () => {
  const times = Array.from({ length: 200 }, (_, t) => t * 37);

  it('inverse-time (only + * /): bit for bit, batched and one t at a time', async () => {
    const config: ScheduleConfig = { schedule: 'inverse-time', initial: 0.3, k: 0.01 };
    const want = reference.schedule!(config);
    const values = await python.scheduleValues(config, times);
    const one = python.schedule!(config);
    times.forEach((t, i) => {
      expect(sameBits(values[i]!, want(t)), `t = ${t}`).toBe(true);
      if (i < 20) expect(sameBits(one(t), want(t)), `t = ${t}`).toBe(true);
    });
  });

  it('step decay with a dyadic factor: factor ** n is exact in both languages, so bit for bit', async () => {
    const config: ScheduleConfig = { schedule: 'step', initial: 0.1, every: 30, factor: 0.5 };
    const want = reference.schedule!(config);
    const values = await python.scheduleValues(config, times);
    times.forEach((t, i) => {
      expect(sameBits(values[i]!, want(t)), `t = ${t}`).toBe(true);
    });
  });

  it('exponential and non-dyadic step decay: within 2 ulp of the reference', async () => {
    // exp and pow are not correctly rounded (glibc vs V8/fdlibm), but each is within 1 ulp of the true
    // value, so the two results are equal or adjacent; the product with `initial` (correctly rounded)
    // keeps them within 2 ulp (a relative gap of at most 2^-52 spans at most 2 ulp in the product's binade).
    for (const config of [
      { schedule: 'exponential', initial: 0.1, k: 0.013 },
      { schedule: 'step', initial: 0.1, every: 3, factor: 0.9 },
    ] as ScheduleConfig[]) {
      const want = reference.schedule!(config);
      const values = await python.scheduleValues(config, times);
      times.forEach((t, i) => {
        expect(ulpDistance(values[i]!, want(t), 'float64'), `${config.schedule} t = ${t}`).toBeLessThanOrEqual(2);
      });
    }
  });
});

describe('schedule tables over the protocol', () => {
  it('a schedule fixture is asked for as one table in one round trip', async () => {
    const { checkConformance } = await import('../src/conformance/check.js');
    const { loadScheduleFixtures } = await import('../src/fixtures/fixtures.js');
    const requests: number[] = [];
    onSend = (line) => {
      if (line.includes('"op":"schedule"')) requests.push((JSON.parse(line) as { t: number[] }).t.length);
    };
    try {
      // A quarter of the law runs: the tables come first, whatever the runs; the laws' scans only follow them.
      const report = await checkConformance(python, { seed: 1, only: ['schedule:step'], runs: 0.25 });
      expect(report.results[0]!.verdict).toBe('conforms');
      const tables = loadScheduleFixtures()
        .find((f) => f.schedule === 'step')!
        .cases.map((c) => c.t.length);
      // One request per fixture table, its every t at once; the laws' sequential scans come after.
      expect(requests.slice(0, tables.length)).toEqual(tables);
    } finally {
      onSend = undefined;
    }
  });
});

describe("the child's environment", () => {
  it("a user program imports optimspec_protocol from any folder (the helper is on PYTHONPATH, after the user's own entries), and NAME=value words are set for it", async () => {
    const folder = testScratchFolder('optimspec-user-py-');
    writeFileSync(
      join(folder, 'my_adapter.py'),
      [
        'import os',
        'from optimspec_protocol import serve',
        'class Adapter:',
        '    name = os.environ["GREETING"] + "|" + os.environ["PYTHONPATH"]',
        '    dtype = "float64"',
        '    optimizers = ["sgd"]',
        '    def create(self, config, x0):',
        '        raise ValueError("not used")',
        'serve(Adapter())',
        '',
      ].join('\n'),
    );
    const { PYTHONPATH: _, ...env } = process.env;
    const child = await spawnAdapter(`GREETING='hello there' python3 my_adapter.py`, {
      cwd: folder,
      env: { ...env, PYTHONPATH: '/user/first' },
    });
    try {
      const [greeting, path] = child.name.split('|');
      expect(greeting).toBe('hello there');
      expect(path!.split(delimiter)).toEqual(['/user/first', pythonHelperFolder()]);
      expect(child.argv).toEqual(['python3', 'my_adapter.py']);
    } finally {
      await child.close();
    }
  });
});

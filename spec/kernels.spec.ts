import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createOptimizer } from '../src/registry/create.js';
import { allocate, rounderFor } from '../src/numerics/dtype.js';
import { replayOptimizerCase, replayWithin, subjectOf } from '../src/fixtures/verify.js';
import { loadOptimizerFixtures, type OptimizerFixtureCase } from '../src/fixtures/fixtures.js';
import { goldenUlpBound } from '../src/fixtures/golden-bounds.js';
import { SIMD_MIN_SIZE, withKernelPolicy } from '../src/kernels/kernel-policy.js';
import { SIMD_CHUNK, simdSupported } from '../src/kernels/simd-instance.js';
import { add, defineSimdKernel, mul, type SimdKernel, sub } from '../src/kernels/simd-kernel.js';
import { wasm } from '../src/kernels/wasm-api.js';
import { signedLeb, unsignedLeb } from '../src/kernels/wasm-encoding.js';
import { landscapeGradient } from '../src/reference/landscape.js';
import { createInstance, usesSimd } from '../src/optimizers/instance.js';
import { optimizerRules } from '../src/registry/registry.js';
import type {
  Conventions,
  CreateOptions,
  Dtype,
  Optimizer,
  OptimizerConfig,
  OptimizerName,
  SgdConfig,
} from '../src/reference/types.js';
import { sameBits } from '../src/numerics/ulp.js';

// The SIMD kernels (src/kernels) against the TypeScript rules (src/optimizers), which
// stay the specification: the same bits after every step, x and every state entry,
// sign of zero included, NaN against NaN whatever its sign or payload (src/numerics/ulp.ts).

const DTYPES: readonly Dtype[] = ['float32', 'float64'];

/** One run: the gradient of each step from the current x, and the learning rate passed to `step` (undefined: keep). */
interface Run {
  x0: ArrayLike<number>;
  steps: number;
  gradient(x: Float32Array | Float64Array, step: number): ArrayLike<number>;
  learningRates?: readonly (number | undefined)[];
}

/** Steps a TypeScript and a SIMD optimizer side by side; the first difference, or undefined when every step agrees. */
function firstDifference(make: () => Optimizer, run: Run, dtype: Dtype): string | undefined {
  const ts = withKernelPolicy('typescript', make);
  const simd = withKernelPolicy('simd', make);
  if (usesSimd(ts) || !usesSimd(simd))
    return `wrong loops: typescript uses SIMD ${usesSimd(ts)}, simd uses SIMD ${usesSimd(simd)}`;
  const xTs = allocate(dtype, run.x0.length);
  xTs.set(run.x0);
  const xSimd = xTs.slice();
  for (let s = 0; s < run.steps; s++) {
    const dx = run.gradient(xTs, s);
    const lr = run.learningRates?.[s];
    ts.step(xTs, dx, lr);
    simd.step(xSimd, dx, lr);
    const pairs: [string, ArrayLike<number> | number, ArrayLike<number> | number][] = [['x', xTs, xSimd]];
    const stateTs = ts.state();
    const stateSimd = simd.state();
    for (const key of Object.keys(stateTs)) pairs.push([`state.${key}`, stateTs[key]!, stateSimd[key] ?? Number.NaN]);
    if (Object.keys(stateSimd).join() !== Object.keys(stateTs).join())
      return `state keys differ: ${Object.keys(stateSimd)} vs ${Object.keys(stateTs)}`;
    for (const [field, a, b] of pairs) {
      if (typeof a === 'number' || typeof b === 'number') {
        if (!Object.is(a, b)) return `step ${s + 1} ${field}: typescript ${a}, simd ${b}`;
        continue;
      }
      for (let i = 0; i < a.length; i++) {
        if (!sameBits(a[i]!, b[i]!))
          return `step ${s + 1} ${field}[${i}]: typescript ${Object.is(a[i], -0) ? '-0' : a[i]}, simd ${Object.is(b[i], -0) ? '-0' : b[i]}`;
      }
    }
  }
  return undefined;
}

function fixtureRun(c: OptimizerFixtureCase): Run {
  const { loop } = c;
  const grad = allocate(c.dtype, c.x0.length);
  return {
    x0: c.x0,
    steps: loop.kind === 'open' ? loop.gradients.length : loop.steps,
    gradient: (x, s) => {
      if (loop.kind === 'open') return loop.gradients[s]!;
      landscapeGradient(loop.landscape, x, s, grad, c.dtype);
      return grad;
    },
    ...(c.learningRates === undefined ? {} : { learningRates: c.learningRates }),
  };
}

describe('kernels: the engine runs WebAssembly SIMD', () => {
  it('validates the probe kernel (Node >= 16.4): otherwise every other test here would compare the TypeScript loop with itself', () => {
    expect(simdSupported()).toBe(true);
  });
});

describe('kernels: SIMD and TypeScript agree on every float32 and float64 golden fixture', () => {
  // The SIMD kernels compute in float32 and float64 only; float16 and bfloat16 always take the TypeScript loop.
  const files = loadOptimizerFixtures().filter((f) => f.dtype === 'float32' || f.dtype === 'float64');
  for (const file of files) {
    it(`${file.rule} ${file.dtype}: every case, bit for bit after every step, and within the golden bound of NumPy's`, () => {
      expect(file.cases.length).toBeGreaterThan(0);
      for (const c of file.cases) {
        const make = () => createOptimizer(c.config, { size: c.x0.length, dtype: c.dtype, conventions: c.conventions });
        expect(firstDifference(make, fixtureRun(c), c.dtype), c.id).toBeUndefined();
        const bound = goldenUlpBound(subjectOf(c.rule, c.conventions), c.dtype);
        expect(
          replayWithin(
            withKernelPolicy('simd', () => replayOptimizerCase(c)),
            bound,
          ),
          c.id,
        ).toBe(true);
      }
    });
  }
});

/** Values drawn on purpose: signed zeros, infinities, NaN, float64 and float32 subnormals and their boundaries, the extremes. */
const special = fc.constantFrom(
  0,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  2.2250738585072009e-308, // largest float64 subnormal
  -2.2250738585072014e-308, // smallest float64 normal
  1.401298464324817e-45, // smallest float32 subnormal
  -1.1754942106924411e-38, // largest float32 subnormal
  1.1754943508222875e-38, // smallest float32 normal
  Number.MAX_VALUE,
  -3.4028234663852886e38, // largest float32
  1,
  -1,
);
const value = fc.oneof(
  { arbitrary: special, weight: 3 },
  fc.double({ min: -4, max: 4, noNaN: true }),
  fc.double({ min: -2.3e-308, max: 2.3e-308, noNaN: true }),
  fc.double({ min: -1.2e-38, max: 1.2e-38, noNaN: true }),
  fc.double(),
);
const nonNegative = fc.oneof(
  fc.constantFrom(0, Number.MIN_VALUE, 1.401298464324817e-45, 1e-8, 1e-7, 1e-3, 0.5, 1, 1e300),
  fc.double({ min: 0, max: 10, noNaN: true }),
);
const unit = fc.oneof(
  fc.constantFrom(0, Number.MIN_VALUE, 0.5, 0.9, 0.999, 1 - 2 ** -53, 1 - 2 ** -24),
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
);

/** A valid config of `name` and a valid set of its conventions. */
function configOf(name: OptimizerName): fc.Arbitrary<{ config: OptimizerConfig; conventions: Conventions }> {
  const flag = fc.boolean();
  switch (name) {
    case 'sgd':
      return fc.record({
        config: fc.record({ optimizer: fc.constant('sgd' as const), learningRate: nonNegative }),
        conventions: fc.constant({}),
      });
    case 'momentum':
      return fc.record({
        config: fc.record({ optimizer: fc.constant('momentum' as const), learningRate: nonNegative, rho: unit }),
        conventions: fc.record({ 'dampened-momentum': flag, 'lr-placement': flag }),
      });
    case 'nesterov':
      return fc.record({
        config: fc.record({ optimizer: fc.constant('nesterov' as const), learningRate: nonNegative, rho: unit }),
        conventions: fc.record({ 'lr-placement': flag }),
      });
    case 'adagrad':
      return fc.record({
        config: fc.record({
          optimizer: fc.constant('adagrad' as const),
          learningRate: nonNegative,
          epsilon: nonNegative,
        }),
        conventions: fc.record({ 'epsilon-inside-sqrt': flag, 'initial-accumulator': nonNegative }),
      });
    case 'rmsprop':
      return fc.record({
        config: fc.record({
          optimizer: fc.constant('rmsprop' as const),
          learningRate: nonNegative,
          decayRate: unit,
          epsilon: nonNegative,
        }),
        conventions: fc.record({ 'epsilon-inside-sqrt': flag, 'initial-accumulator': nonNegative }),
      });
    case 'adam':
      return fc.record({
        config: fc.record({
          optimizer: fc.constant('adam' as const),
          learningRate: nonNegative,
          beta1: unit,
          beta2: unit,
          epsilon: nonNegative,
        }),
        conventions: fc.oneof(
          fc.record({ 'epsilon-inside-sqrt': flag, 'no-bias-correction': flag }),
          fc.record({ 'epsilon-inside-sqrt': flag, 'epsilon-hat': fc.constant(true) }),
        ),
      });
  }
}

/** A drawn run: sizes across the 4- and 2-lane boundaries, x0, a gradient per step, a learning-rate change on some steps. */
const runArbitrary = fc.integer({ min: 0, max: 19 }).chain((size) =>
  fc.record({
    x0: fc.array(value, { minLength: size, maxLength: size }),
    gradients: fc.array(fc.array(value, { minLength: size, maxLength: size }), { minLength: 1, maxLength: 6 }),
    learningRates: fc.array(fc.option(nonNegative, { nil: undefined }), { minLength: 6, maxLength: 6 }),
  }),
);

function drawnRun(r: { x0: number[]; gradients: number[][]; learningRates: (number | undefined)[] }): Run {
  return { x0: r.x0, steps: r.gradients.length, gradient: (_x, s) => r.gradients[s]!, learningRates: r.learningRates };
}

describe('kernels: SIMD and TypeScript agree on drawn inputs (NaN, infinities, -0, subnormals), every convention variant', () => {
  for (const rule of optimizerRules) {
    for (const dtype of DTYPES) {
      it(`${rule.name} ${dtype}`, () => {
        fc.assert(
          fc.property(configOf(rule.name), runArbitrary, ({ config, conventions }, run) => {
            const make = () => createOptimizer(config, { size: run.x0.length, dtype, conventions });
            const difference = firstDifference(make, drawnRun(run), dtype);
            if (difference !== undefined) throw new Error(difference);
          }),
          { numRuns: 150 },
        );
      });
    }
  }
});

describe('kernels: vectors longer than one chunk (SIMD_CHUNK elements per kernel call)', () => {
  /** Deterministic values cycling through the specials and ordinary numbers, so every chunk sees each kind. */
  const values = (n: number, seed: number): number[] => {
    const specials = [
      0,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.MIN_VALUE,
      1.401298464324817e-45,
      -1.1754942106924411e-38,
    ];
    return Array.from({ length: n }, (_, i) =>
      (i * 7 + seed) % 23 === 0 ? specials[(i + seed) % specials.length]! : Math.sin(i * 0.37 + seed) * 3,
    );
  };
  const size = 2 * SIMD_CHUNK + 13;

  for (const rule of optimizerRules) {
    for (const dtype of DTYPES) {
      it(`${rule.name} ${dtype}: ${size} elements, the same x object or a new one, dx typed or a plain array, agree bit for bit`, () => {
        const gradients = [0, 1, 2, 3].map((s) => values(size, s + 1));
        const Vector = dtype === 'float32' ? Float32Array : Float64Array;
        const run: Run = {
          x0: values(size, 0),
          steps: 4,
          // Steps 1 and 3 pass a plain array, 2 and 4 a typed array (a new object at step 4).
          gradient: (_x, s) => (s % 2 === 0 ? gradients[s]! : Vector.from(gradients[s]!)),
          learningRates: [undefined, 0.05, undefined, 0.2],
        };
        const config = TYPICAL[rule.name];
        expect(firstDifference(() => createOptimizer(config, { size, dtype }), run, dtype)).toBeUndefined();
      });
    }
  }
});

/** SGD, the TypeScript loop as the rule's, with another SIMD kernel; `prepare` also passes a zero. */
function sgdWithKernel(kernel: SimdKernel<'lr' | 'zero'>, config: SgdConfig, options: CreateOptions): Optimizer {
  return createInstance('sgd', config.learningRate, options, kernel, ({ r }) => ({
    state: {},
    prepare: (lr) => ({ lr: r(lr), zero: 0 }),
    update(x, dx, { lr }) {
      for (let i = 0; i < x.length; i++) x[i] = r(x[i]! - r(lr * r(dx[i]!)));
    },
  }));
}

describe('kernels: the comparison can fail', () => {
  it('finds a kernel that differs from the rule only in the sign of a zero, by drawing -0 on purpose', () => {
    // x - lr * (dx + 0): dx + 0 is dx for every dx but -0, so only x = -0 with dx = -0 tells.
    const plusZero = defineSimdKernel('sgd plus-zero', [], ['lr', 'zero'], (k) => {
      k.store('x', sub(k.load('x'), mul(k.scalar('lr'), add(k.load('dx'), k.scalar('zero')))));
    });
    for (const dtype of DTYPES) {
      const result = fc.check(
        fc.property(runArbitrary, nonNegative, (run, learningRate) => {
          const config: SgdConfig = { optimizer: 'sgd', learningRate };
          return (
            firstDifference(
              () => sgdWithKernel(plusZero, config, { size: run.x0.length, dtype }),
              drawnRun(run),
              dtype,
            ) === undefined
          );
        }),
        { numRuns: 300, seed: 7 },
      );
      expect(result.failed, dtype).toBe(true);
      const [run, learningRate] = result.counterexample!;
      const config: SgdConfig = { optimizer: 'sgd', learningRate };
      expect(
        firstDifference(() => sgdWithKernel(plusZero, config, { size: run.x0.length, dtype }), drawnRun(run), dtype),
      ).toMatch(/typescript 0, simd -0|typescript -0, simd 0/);
    }
  });

  it('finds a kernel that rounds in another order: `(lr * dx) * dx` instead of `lr * (dx * dx)`', () => {
    const reordered = defineSimdKernel('sgd reordered', [], ['lr'], (k) => {
      k.store('x', sub(k.load('x'), mul(mul(k.scalar('lr'), k.load('dx')), k.load('dx'))));
    });
    const correct = defineSimdKernel('sgd squared', [], ['lr'], (k) => {
      k.store('x', sub(k.load('x'), mul(k.scalar('lr'), mul(k.load('dx'), k.load('dx')))));
    });
    const make = (kernel: typeof correct, dtype: Dtype) => () =>
      createInstance('sgd', 0.1, { size: 3, dtype }, kernel, ({ r }) => ({
        state: {},
        prepare: (lr) => ({ lr: r(lr) }),
        update(x, dx, { lr }) {
          for (let i = 0; i < x.length; i++) x[i] = r(x[i]! - r(lr * r(r(dx[i]!) * r(dx[i]!))));
        },
      }));
    for (const dtype of DTYPES) {
      const r = rounderFor(dtype);
      // 1/3 differs in float64, 7/37 in float32 (found by search); 0.7 agrees in both.
      const run: Run = { x0: [0, 0, 0], steps: 1, gradient: () => [r(0.7), r(1 / 3), r(7 / 37)] };
      expect(firstDifference(make(correct, dtype), run, dtype), dtype).toBeUndefined();
      expect(firstDifference(make(reordered, dtype), run, dtype), dtype).toMatch(
        dtype === 'float64' ? /^step 1 x\[1\]/ : /^step 1 x\[2\]/,
      );
    }
  });
});

const TYPICAL: Record<OptimizerName, OptimizerConfig> = {
  sgd: { optimizer: 'sgd', learningRate: 0.1 },
  momentum: { optimizer: 'momentum', learningRate: 0.1, rho: 0.9 },
  nesterov: { optimizer: 'nesterov', learningRate: 0.1, rho: 0.9 },
  adagrad: { optimizer: 'adagrad', learningRate: 0.1, epsilon: 1e-7 },
  rmsprop: { optimizer: 'rmsprop', learningRate: 0.1, decayRate: 0.9, epsilon: 1e-7 },
  adam: { optimizer: 'adam', learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
};

describe('kernels: which loop runs', () => {
  it(`auto runs the SIMD kernel from ${SIMD_MIN_SIZE} elements on and the TypeScript rule below, for every rule and dtype`, () => {
    for (const rule of optimizerRules) {
      for (const dtype of DTYPES) {
        const config = TYPICAL[rule.name];
        expect(usesSimd(createOptimizer(config, { size: SIMD_MIN_SIZE, dtype })), `${rule.name} ${dtype}`).toBe(true);
        expect(usesSimd(createOptimizer(config, { size: SIMD_MIN_SIZE - 1, dtype })), `${rule.name} ${dtype}`).toBe(
          false,
        );
        expect(
          usesSimd(withKernelPolicy('typescript', () => createOptimizer(config, { size: SIMD_MIN_SIZE, dtype }))),
        ).toBe(false);
      }
    }
  });

  it('simd on a vector no wasm32 memory holds throws a RangeError naming the kernel and the size', () => {
    const config: OptimizerConfig = { optimizer: 'adam', learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    const size = 2 ** 28; // 4 vectors of 2^28 float64 = 8 GiB
    expect(() => withKernelPolicy('simd', () => createOptimizer(config, { size, dtype: 'float64' }))).toThrow(
      /SIMD kernel adam .*268435456 elements of float64 .*4 GiB/,
    );
  });

  it('auto falls back to the TypeScript loop, with the same results, when the engine cannot reserve a wasm memory; simd throws', () => {
    const memory = vi.spyOn(wasm!, 'Memory').mockImplementation(() => {
      throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    });
    try {
      const config = TYPICAL.adam;
      const auto = createOptimizer(config, { size: SIMD_MIN_SIZE, dtype: 'float32' });
      expect(usesSimd(auto)).toBe(false);
      expect(() => withKernelPolicy('simd', () => createOptimizer(config, { size: 4, dtype: 'float32' }))).toThrow(
        /could not allocate memory/,
      );
      expect(memory).toHaveBeenCalledTimes(2);
    } finally {
      memory.mockRestore();
    }
    expect(usesSimd(createOptimizer(TYPICAL.adam, { size: SIMD_MIN_SIZE, dtype: 'float32' }))).toBe(true);
  });

  it('withKernelPolicy restores the previous policy after a throw and rejects an unknown policy, naming it', () => {
    const config: OptimizerConfig = { optimizer: 'sgd', learningRate: 0.1 };
    expect(() =>
      withKernelPolicy('typescript', () => {
        throw new Error('inner');
      }),
    ).toThrow('inner');
    expect(usesSimd(createOptimizer(config, { size: SIMD_MIN_SIZE, dtype: 'float64' }))).toBe(true);
    expect(() => withKernelPolicy('fast' as 'auto', () => 0)).toThrow(
      /policy must be 'auto', 'typescript' or 'simd', got "fast"/,
    );
  });

  it('a rule whose state does not match its kernel is rejected at creation, naming the vector', () => {
    const kernel = defineSimdKernel('momentum-like', ['vx'], ['lr'], (k) => {
      k.store('vx', k.load('dx'));
    });
    const make =
      (state: (zeros: () => Float32Array | Float64Array) => Record<string, Float32Array | Float64Array>) => () =>
        withKernelPolicy('simd', () =>
          createInstance('momentum', 0.1, { size: 8, dtype: 'float64' }, kernel, ({ zeros }) => ({
            state: state(zeros),
            prepare: (lr) => ({ lr }),
            update() {},
          })),
        );
    expect(make((zeros) => ({ vx: zeros() }))).not.toThrow();
    expect(make((zeros) => ({ velocity: zeros() }))).toThrow(
      /SIMD kernel momentum-like: state vector "vx" is not the one zeros\(\) handed out for it/,
    );
    expect(make(() => ({ vx: new Float64Array(8) }))).toThrow(/state vector "vx" is not the one zeros\(\) handed out/);
    expect(make((zeros) => ({ vx: zeros(), extra: zeros() }))).toThrow(
      /the rule asked for more than its 1 state vectors/,
    );
  });

  it('state() of a SIMD optimizer is a copy, not a view of its memory', () => {
    const opt = withKernelPolicy('simd', () =>
      createOptimizer({ optimizer: 'momentum', learningRate: 0.5, rho: 0.9 }, { size: 5, dtype: 'float32' }),
    );
    const x = new Float32Array(5);
    opt.step(x, [1, 2, 3, 4, 5]);
    const vx = opt.state().vx as Float32Array;
    vx[0] = 99;
    expect(Array.from(opt.state().vx as Float32Array)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(x)).toEqual([-0.5, -1, -1.5, -2, -2.5]);
  });
});

describe('kernels: LEB128 encoding (wasm binary format 5.2.2)', () => {
  it('encodes the spec examples and the 32-bit boundaries', () => {
    expect(unsignedLeb(0)).toEqual([0]);
    expect(unsignedLeb(127)).toEqual([0x7f]);
    expect(unsignedLeb(128)).toEqual([0x80, 0x01]);
    expect(unsignedLeb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(unsignedLeb(2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(signedLeb(16)).toEqual([0x10]);
    expect(signedLeb(64)).toEqual([0xc0, 0x00]);
    expect(signedLeb(-1)).toEqual([0x7f]);
    expect(signedLeb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(signedLeb(-(2 ** 31))).toEqual([0x80, 0x80, 0x80, 0x80, 0x78]);
    expect(() => unsignedLeb(-1)).toThrow(/non-negative safe integer, got -1/);
    expect(() => signedLeb(2 ** 31)).toThrow(/32-bit integer, got 2147483648/);
  });

  it('a kernel that reads an undeclared vector or scalar is rejected, naming it', () => {
    expect(() => defineSimdKernel('typo', [], ['lr'], (k) => void k.load('xd'))).toThrow(
      /SIMD kernel typo: vector must be one of x, dx, got "xd"/,
    );
    expect(() => defineSimdKernel('typo', [], ['lr'], (k) => void k.scalar('rl' as 'lr'))).toThrow(
      /scalar must be one of lr, got "rl"/,
    );
  });
});

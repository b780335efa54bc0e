import { describe, expect, it } from 'vitest';
import { DTYPES } from '../src/numerics/dtype.js';
import { createOptimizer, createSchedule } from '../src/registry/create.js';
import { registry } from '../src/registry/registry.js';
import type {
  CreateOptions,
  Dtype,
  OptimizerConfig,
  OptimizerRule,
  ScheduleConfig,
  ScheduleRule,
} from '../src/reference/types.js';

// Bad input gets a RangeError or TypeError naming the field and the value, for every
// hyperparameter of every rule in the registry; x and dx are checked before any update;
// caller arrays and configs are never modified. The valid ranges are the issue's
// (a learning rate negative or not finite, rho / decay rate / betas outside [0, 1),
// a negative epsilon, a non-positive `every`), written here independently of src/reference/validate.ts.

type Bad = readonly [value: unknown, error: typeof RangeError | typeof TypeError];
type Kind = 'nonNegative' | 'unit' | 'positiveInteger' | 'decayFactor';

const BAD: Record<Kind, readonly Bad[]> = {
  nonNegative: [
    [-1, RangeError],
    [-1e-300, RangeError],
    [Number.NaN, RangeError],
    [Number.POSITIVE_INFINITY, RangeError],
    [Number.NEGATIVE_INFINITY, RangeError],
    ['0.1', TypeError],
    [undefined, TypeError],
    [null, TypeError],
  ],
  unit: [
    [1, RangeError],
    [-0.1, RangeError],
    [1.5, RangeError],
    [Number.NaN, RangeError],
    [Number.POSITIVE_INFINITY, RangeError],
    ['0.9', TypeError],
    [undefined, TypeError],
  ],
  positiveInteger: [
    [0, RangeError],
    [-3, RangeError],
    [2.5, RangeError],
    [Number.NaN, RangeError],
    [Number.POSITIVE_INFINITY, RangeError],
    ['5', TypeError],
  ],
  decayFactor: [
    [0, RangeError],
    [-0.5, RangeError],
    [1.5, RangeError],
    [Number.NaN, RangeError],
    ['0.5', TypeError],
  ],
};

/** Edge values the lecture allows: rho = 0 is SGD, a zero learning rate or epsilon is legal, factor 1 never decays. */
const GOOD_EDGES: Record<Kind, readonly number[]> = {
  nonNegative: [0, 5e-324, 1e300],
  unit: [0, 0.9999999],
  positiveInteger: [1, 1000],
  decayFactor: [1, 5e-324],
};

const KIND: Record<string, Kind> = {
  learningRate: 'nonNegative',
  epsilon: 'nonNegative',
  initial: 'nonNegative',
  k: 'nonNegative',
  rho: 'unit',
  decayRate: 'unit',
  beta1: 'unit',
  beta2: 'unit',
  every: 'positiveInteger',
  factor: 'decayFactor',
};

const VALID: Record<string, OptimizerConfig | ScheduleConfig> = {
  sgd: { optimizer: 'sgd', learningRate: 0.01 },
  momentum: { optimizer: 'momentum', learningRate: 0.01, rho: 0.9 },
  nesterov: { optimizer: 'nesterov', learningRate: 0.01, rho: 0.9 },
  adagrad: { optimizer: 'adagrad', learningRate: 0.01, epsilon: 1e-7 },
  rmsprop: { optimizer: 'rmsprop', learningRate: 0.001, decayRate: 0.9, epsilon: 1e-7 },
  adam: { optimizer: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
  step: { schedule: 'step', initial: 0.1, every: 10, factor: 0.5 },
  exponential: { schedule: 'exponential', initial: 0.1, k: 0.01 },
  'inverse-time': { schedule: 'inverse-time', initial: 0.1, k: 0.01 },
};

/** How the message must show the value: NaN, -0 and strings stay visible. */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function build(rule: OptimizerRule | ScheduleRule, config: Record<string, unknown>): void {
  if (rule.kind === 'optimizer') createOptimizer(config as unknown as OptimizerConfig, { size: 3, dtype: 'float64' });
  else createSchedule(config as unknown as ScheduleConfig);
}

function validateOnly(rule: OptimizerRule | ScheduleRule, config: Record<string, unknown>): void {
  (rule.validate as (c: unknown) => void)(config);
}

describe('hyperparameter validation, every rule of the registry', () => {
  it('knows the valid range of every hyperparameter the registry lists', () => {
    for (const rule of registry) {
      expect(VALID[rule.name], rule.name).toBeDefined();
      const fields = Object.keys(VALID[rule.name]!).filter((k) => k !== 'optimizer' && k !== 'schedule');
      expect([...rule.hyperparameters].sort(), rule.name).toEqual(fields.sort());
      for (const field of rule.hyperparameters) expect(KIND[field], `${rule.name}.${field}`).toBeDefined();
    }
  });

  for (const rule of registry) {
    describe(rule.name, () => {
      it('accepts the valid config', () => {
        expect(() => build(rule, { ...VALID[rule.name] })).not.toThrow();
      });

      for (const field of rule.hyperparameters) {
        const kind = KIND[field]!;
        for (const [value, ErrorType] of BAD[kind]) {
          it(`rejects ${field} = ${shown(value)} with a ${ErrorType.name} naming config.${field} and the value`, () => {
            const config = { ...VALID[rule.name], [field]: value };
            const pattern = new RegExp(`config\\.${field}\\b.*${escapeRegExp(shown(value))}`);
            for (const run of [build, validateOnly]) {
              let caught: unknown;
              try {
                run(rule, config);
              } catch (error) {
                caught = error;
              }
              expect(caught).toBeInstanceOf(ErrorType);
              expect((caught as Error).message).toMatch(pattern);
            }
          });
        }
        it(`accepts the edge values of ${field}: ${GOOD_EDGES[kind].join(', ')}`, () => {
          for (const value of GOOD_EDGES[kind])
            expect(() => build(rule, { ...VALID[rule.name], [field]: value })).not.toThrow();
        });
      }

      it('rejects a config that is not an object, or has the wrong tag', () => {
        expect(() => build(rule, null as unknown as Record<string, unknown>)).toThrow(TypeError);
        const tag = rule.kind === 'optimizer' ? 'optimizer' : 'schedule';
        expect(() => validateOnly(rule, { ...VALID[rule.name], [tag]: 'other' })).toThrow(
          new RegExp(`config\\.${tag}.*"other"`),
        );
      });
    });
  }
});

const optimizerRules = registry.filter((r): r is OptimizerRule => r.kind === 'optimizer');
const vector = (dtype: Dtype, values: number[]) =>
  dtype === 'float32' ? new Float32Array(values) : new Float64Array(values);

describe('x and dx validation, every optimizer and dtype', () => {
  for (const rule of optimizerRules) {
    for (const dtype of DTYPES) {
      const make = () => createOptimizer(VALID[rule.name] as OptimizerConfig, { size: 3, dtype });
      const other: Dtype = dtype === 'float32' ? 'float64' : 'float32';

      it(`${rule.name} ${dtype}: x of the wrong type or length is an error naming x, and nothing is updated`, () => {
        const opt = make();
        expect(() => opt.step(vector(other, [1, 2, 3]), [1, 1, 1])).toThrow(TypeError);
        expect(() => opt.step([1, 2, 3] as unknown as Float64Array, [1, 1, 1])).toThrow(/^x must be/);
        expect(() => opt.step(vector(dtype, [1, 2]), [1, 1])).toThrow(RangeError);
        expect(() => opt.step(vector(dtype, [1, 2]), [1, 1])).toThrow(/x must have length 3, got length 2/);
        expect(opt.state()).toEqual(make().state());
      });

      it(`${rule.name} ${dtype}: dx of the wrong length or type is an error naming dx, and x is left alone`, () => {
        const opt = make();
        const x = vector(dtype, [1, 2, 3]);
        expect(() => opt.step(x, [1, 1])).toThrow(/dx must have length 3, got length 2/);
        expect(() => opt.step(x, new Float64Array(4))).toThrow(RangeError);
        expect(() => opt.step(x, null as unknown as number[])).toThrow(/dx must be an array-like of numbers, got null/);
        expect(() => opt.step(x, 7 as unknown as number[])).toThrow(TypeError);
        expect(() => opt.step(x, [1, '2', 3] as unknown as number[])).toThrow(/dx\[1\] must be a number, got "2"/);
        expect(() => opt.step(x, [1, 2, 3], -0.5)).toThrow(/learningRate.*-0\.5/);
        expect(() => opt.step(x, [1, 2, 3], Number.NaN)).toThrow(RangeError);
        expect(Array.from(x)).toEqual([1, 2, 3]);
      });

      it(`${rule.name} ${dtype}: options are checked (presence, dtype, size)`, () => {
        const config = VALID[rule.name] as OptimizerConfig;
        expect(() => createOptimizer(config, undefined as unknown as CreateOptions)).toThrow(
          /^options must be an object, got undefined$/,
        );
        expect(() => createOptimizer(config, null as unknown as CreateOptions)).toThrow(TypeError);
        expect(() => createOptimizer(config, { size: 3, dtype: 'float8' as Dtype })).toThrow(
          /^options\.dtype must be 'float16', 'bfloat16', 'float32' or 'float64', got "float8"$/,
        );
        expect(() => createOptimizer(config, { size: -1, dtype })).toThrow(/options\.size.*-1/);
        expect(() => createOptimizer(config, { size: 1.5, dtype })).toThrow(RangeError);
      });

      it(`${rule.name} ${dtype}: never modifies the caller's gradient, config or conventions, and state() is a copy`, () => {
        const config = Object.freeze({ ...VALID[rule.name] }) as OptimizerConfig;
        const conventions = Object.freeze({});
        const opt = createOptimizer(config, { size: 3, dtype, conventions });
        const x = vector(dtype, [0.5, -0.25, 2]);
        const gradients = [new Float64Array([0.1, -3, 1e-9]), new Float32Array([0.1, -3, 1e-9]), [0.1, -3, 1e-9]];
        const before = gradients.map((g) => Array.from(g));
        for (const g of gradients) opt.step(x, g);
        expect(gradients.map((g) => Array.from(g))).toEqual(before);
        expect(config).toEqual(VALID[rule.name]);
        const state = opt.state();
        for (const value of Object.values(state)) if (typeof value !== 'number') value.fill(Number.NaN);
        for (const value of Object.values(opt.state()))
          if (typeof value !== 'number') expect(Array.from(value).some(Number.isNaN)).toBe(false);
      });
    }

    it(`${rule.name}: a convention it does not have is a RangeError naming it`, () => {
      const foreign = rule.conventions.includes('dampened-momentum') ? 'epsilon-hat' : 'dampened-momentum';
      expect(() =>
        createOptimizer(VALID[rule.name] as OptimizerConfig, {
          size: 1,
          dtype: 'float64',
          conventions: { [foreign]: true },
        }),
      ).toThrow(new RegExp(`${rule.name} has no convention "${foreign}"`));
    });
  }

  it('initial-accumulator must be a finite number >= 0 and boolean conventions must be booleans', () => {
    const config = VALID.adagrad as OptimizerConfig;
    expect(() =>
      createOptimizer(config, { size: 1, dtype: 'float64', conventions: { 'initial-accumulator': -0.1 } }),
    ).toThrow(/initial-accumulator.*-0\.1/);
    const notBoolean = { 'epsilon-inside-sqrt': 'yes' } as unknown as { 'epsilon-inside-sqrt': boolean };
    expect(() => createOptimizer(config, { size: 1, dtype: 'float64', conventions: notBoolean })).toThrow(TypeError);
  });
});

describe('float16 and bfloat16 parameters: a Float64Array of values of the dtype', () => {
  for (const [dtype, off, rounded] of [
    ['float16', 0.1, '0.0999755859375'],
    ['bfloat16', 0.1, '0.10009765625'],
  ] as const) {
    it(`${dtype}: an element that is not a ${dtype} value is a RangeError naming it, and nothing is updated`, () => {
      const opt = createOptimizer(VALID.momentum as OptimizerConfig, { size: 3, dtype });
      const x = new Float64Array([0.5, off, Number.NaN]);
      expect(() => opt.step(x, [1, 1, 1])).toThrow(
        new RegExp(`^x\\[1\\] must be a ${dtype} value .*got 0\\.1, which rounds to ${escapeRegExp(rounded)}$`),
      );
      expect(Array.from(x)).toEqual([0.5, off, Number.NaN]);
      expect(opt.state()).toEqual(createOptimizer(VALID.momentum as OptimizerConfig, { size: 3, dtype }).state());
      x[1] = Number(rounded);
      opt.step(x, [1, 1, 1]);
      expect(x[0]).toBeLessThan(0.5);
    });
  }
});

describe('schedule time validation', () => {
  for (const rule of registry.filter((r): r is ScheduleRule => r.kind === 'schedule')) {
    it(`${rule.name}: t must be a non-negative integer, named t in the error`, () => {
      const schedule = createSchedule(VALID[rule.name] as ScheduleConfig);
      for (const t of [-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY])
        expect(() => schedule(t)).toThrow(new RegExp(`^t must be .*${escapeRegExp(shown(t))}`));
      expect(() => schedule('3' as unknown as number)).toThrow(TypeError);
      expect(schedule(0)).toBe((VALID[rule.name] as { initial: number }).initial);
    });
  }
});

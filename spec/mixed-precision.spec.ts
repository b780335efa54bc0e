import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateAdapter } from '../src/adapter/load-adapter.js';
import { checkConformance } from '../src/conformance/check.js';
import { storeRounding } from '../src/conformance/error-arithmetic.js';
import { validateConformanceOptions } from '../src/conformance/validate-options.js';
import { bf16round, f16round } from '../src/numerics/index.js';
import { HostState, perform } from '../src/isolation/index.js';
import { parseHandshake } from '../src/protocol/handshake.js';
import { reportToJson } from '../src/report/json.js';
import { handAdam } from './support/planted/mixed.js';

// Mixed precision (docs/spec.md, "Mixed precision"): an adapter declares where it holds what.

const root = new URL('..', import.meta.url).pathname;
const cheap = { seed: 5, runs: 0.3, only: ['adam' as const] };
const bf16Params = { state: 'float32', arithmetic: 'float32' } as const;
const sgd = { name: 'n', dtype: 'bfloat16', optimizers: ['sgd'], create: () => ({ step: (g: Float64Array) => g }) };

describe('the precision declaration', () => {
  it('is refused naming the field and the value: not an object, an unknown field, an unknown dtype, one narrower than dtype', () => {
    const cases: [unknown, RegExp][] = [
      ['float32', /^adapter\.precision must be an object with parameters, state and arithmetic dtypes, got "float32"$/],
      [
        { master: 'float32' },
        /^adapter\.precision\.master is not a precision field \(parameters, state, arithmetic\), got "float32"$/,
      ],
      [
        { state: 'float8' },
        /^adapter\.precision\.state must be 'float16', 'bfloat16', 'float32' or 'float64', got "float8"$/,
      ],
      [
        { state: 'float16' },
        /^adapter\.precision\.state must hold every bfloat16 value \(dtype is the narrowest precision: its gradients and x0\), got "float16"$/,
      ],
    ];
    for (const [precision, message] of cases) {
      expect(() => validateConformanceOptions({ ...sgd, precision } as never, {})).toThrow(message);
      expect(() => validateAdapter({ ...sgd, precision }, 'm.mjs')).toThrow(
        new RegExp(`^m\\.mjs: ${message.source.slice(1)}`),
      );
    }
    expect(() => validateConformanceOptions({ ...sgd, precision: bf16Params } as never, {})).not.toThrow();
  });

  it('over the stdio protocol: hello may declare it (omitted: everything in dtype), refused with the same words', () => {
    const hello = { protocol: 1, name: 'c', dtype: 'bfloat16', optimizers: ['adam'] };
    expect(parseHandshake(hello).precision).toBeUndefined();
    expect(parseHandshake({ ...hello, precision: bf16Params }).precision).toEqual(bf16Params);
    expect(() => parseHandshake({ ...hello, precision: { arithmetic: 'float16' } })).toThrow(
      /^precision\.arithmetic must hold every bfloat16 value .*got "float16"$/,
    );
  });

  it("reaches the checker from a module's worker: the host's description of the loaded adapter carries it", async () => {
    const adapter = handAdam({ name: 'bf16 params', dtype: 'bfloat16', precision: bf16Params });
    const noop = () => {};
    const state = new HostState('m.mjs', root, noop, noop, async () => adapter);
    const { description } = (await perform(state, { id: 1, op: 'load' })) as { description: { precision?: unknown } };
    expect(description.precision).toEqual(bf16Params);
  });
});

describe('the tolerance of a value stored in a narrower dtype', () => {
  it('covers the rounding of any value within its bound (bfloat16 and float16 from float32), none where nothing is lost', () => {
    expect(storeRounding('float32', 'float32')).toBeUndefined();
    expect(storeRounding('bfloat16', 'float32')).toBeUndefined();
    for (const [dtype, round] of [
      ['bfloat16', bf16round],
      ['float16', f16round],
    ] as const) {
      const store = storeRounding('float32', dtype)!;
      fc.assert(
        fc.property(
          fc.double({ min: -6e4, max: 6e4, noNaN: true }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          (v, fraction) => {
            const e = Math.abs(v) * 1e-3;
            const a = v + (fraction * 2 - 1) * e; // any value within the tracked bound of v
            expect(Math.abs(round(a) - v)).toBeLessThanOrEqual(store({ v, e }).e);
          },
        ),
        { seed: 11, numRuns: 300 },
      );
    }
  });
});

describe('the checker judges the declared combination', () => {
  it('an Adam with bfloat16 parameters and float32 state and arithmetic conforms (float32 master weights: npm run soak)', async () => {
    const adapter = handAdam({ name: 'bf16 params', dtype: 'bfloat16', precision: bf16Params });
    const report = await checkConformance(adapter, cheap);
    const [adam] = report.results;
    expect(adam!.verdict, JSON.stringify(adam!.findings.filter((f) => f.status !== 'pass'))).toBe('conforms');
    // The report says how it was judged, within docs/report.schema.json.
    expect(report.adapter).toEqual({
      name: 'bf16 params',
      dtype: 'bfloat16',
      precision: { parameters: 'bfloat16', ...bf16Params },
    });
    const schema = JSON.parse(readFileSync(new URL('../docs/report.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    expect(validate(JSON.parse(reportToJson(report))), JSON.stringify(validate.errors)).toBe(true);
  });

  it('state kept in bfloat16 while float32 is declared fails as state-downcast, on probe:state-precision too', async () => {
    const adapter = handAdam({ name: 'bf16 state', dtype: 'bfloat16', precision: bf16Params, keptState: 'bfloat16' });
    const [adam] = (await checkConformance(adapter, cheap)).results;
    expect(adam!.verdict).toBe('fails');
    expect(adam!.bug).toBe('state-downcast');
    const probe = adam!.findings.find((f) => f.check === 'probe:state-precision')!;
    expect(probe.status).toBe('fail');
    // m stops growing in bfloat16 at about 0.98 g: the step after 60 at learning rate 0 is 2% short.
    expect(probe.counterexample!.step).toBe(61);
  });

  it('float16 parameters whose state is kept in float16 while float32 is declared: state-downcast', async () => {
    const adapter = handAdam({ name: 'f16 state', dtype: 'float16', precision: bf16Params, keptState: 'float16' });
    const [adam] = (await checkConformance(adapter, cheap)).results;
    expect(adam!.verdict).toBe('fails');
    expect(adam!.bug).toBe('state-downcast');
  });
});

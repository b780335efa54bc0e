import { describe, expect, it } from 'vitest';
import { validateAdapter } from '../src/adapter/load-adapter.js';
import { checkConformance } from '../src/conformance/check.js';
import { errorArithmetic } from '../src/conformance/error-arithmetic.js';
import { ARITHMETIC_TABLES, operationRoundoffs, requireArithmetic } from '../src/numerics/index.js';
import { heldExactly } from '../src/laws/tolerance.js';
import { parseHandshake } from '../src/protocol/handshake.js';
import { shaderAdapter, ulpsAway } from './support/planted/shader.js';

const u = 2 ** -24;
const f = Math.fround;

describe('the arithmetic table quotes its sources', () => {
  for (const name of ['glsl-es-3.00-highp', 'wgsl'] as const) {
    const table = ARITHMETIC_TABLES[name];
    it(`${name}: each number is the one in its quoted row`, () => {
      expect(table.addSubMul.ulp).toBe(0.5);
      expect(table.addSubMul.source).toMatch(/Correctly rounded/);
      expect(table.div.source).toContain(`${table.div.ulp} ULP`);
      expect(table.div.source).toContain('[2^-126, 2^126]');
      expect(table.div.divisorRange).toEqual([2 ** -126, 2 ** 126]);
      expect('inverseSqrtUlp' in table.sqrt && table.sqrt.source).toMatch(/Inherited from 1\.0 \/ inverse[Ss]qrt/);
      expect(table.sqrt.source).toContain(`${'inverseSqrtUlp' in table.sqrt ? table.sqrt.inverseSqrtUlp : NaN} ULP`);
      expect(table.exp.source).toContain(`${table.exp.constant} + ${table.exp.perUnit} * |x|`);
      expect('log2Ulp' in table.pow && table.pow.source).toContain('exp2');
      expect(table.pow.source).toContain(`${'log2Ulp' in table.pow ? table.pow.log2Ulp : NaN} ULP`);
      expect(table.pow.source).toContain('2^-21');
      expect(table.subnormals.flushed).toBe(true);
      expect(table.subnormals.source).toMatch(/flush(ed)? (subnormal inputs or outputs )?to (0|zero)/);
    });
  }

  it('the roundings per operation, in u: IEEE all 1; a shader: / 2 x 2.5 ULP, sqrt 2 x 2 ULP then 2 x 2.5 ULP', () => {
    expect(operationRoundoffs('ieee754')).toEqual({ addSubMul: 1, div: 1, sqrt: 1 });
    for (const name of ['glsl-es-3.00-highp', 'wgsl'] as const) {
      const ops = operationRoundoffs(name);
      expect(ops.addSubMul).toBe(1);
      expect(ops.div).toBe(5);
      // (1 + 4u)(1 + 5u) - 1 relative, in units of u: rigorous, and not looser than a thousandth.
      expect(ops.sqrt * u).toBeGreaterThanOrEqual((1 + 4 * u) * (1 + 5 * u) - 1);
      expect(ops.sqrt).toBeLessThanOrEqual(9.001);
    }
  });
});

describe('the tolerance model on a declared arithmetic', () => {
  const glsl = errorArithmetic('float32', 'glsl-es-3.00-highp');
  const ieee = errorArithmetic('float32');
  const exactly = (v: number) => ({ v, e: 0 });

  it('a quotient 2 ULP off is within the GLSL bound and beyond IEEE float32; 4 ULP off is beyond both', () => {
    const q = glsl.div(exactly(1), exactly(3));
    const two = Math.abs(ulpsAway(f(1 / 3), 2) - 1 / 3);
    const four = Math.abs(ulpsAway(f(1 / 3), 4) - 1 / 3);
    expect(two).toBeLessThanOrEqual(q.e);
    expect(two).toBeGreaterThan(ieee.div(exactly(1), exactly(3)).e);
    expect(four).toBeGreaterThan(q.e);
  });

  it('a subnormal input may be flushed to 0 on a shader (within 2^-126), not on IEEE; exact laws accept the flush', () => {
    expect(glsl.input(1e-40).e).toBeGreaterThanOrEqual(1e-40);
    expect(ieee.input(1e-40).e).toBeLessThan(1e-44);
    expect(heldExactly(1e-40, 0, 'glsl-es-3.00-highp')).toBe(0);
    expect(heldExactly(1e-40, 0, undefined)).toBe(1e-40);
    expect(heldExactly(1e-30, 0, 'wgsl')).toBe(1e-30);
  });

  it('a divisor outside [2^-126, 2^126] has no GLSL bound (the row promises nothing), an IEEE one', () => {
    expect(glsl.div(exactly(1), exactly(2 ** -127)).e).toBe(Number.POSITIVE_INFINITY);
    expect(glsl.div(exactly(1), exactly(2 ** 127)).e).toBe(Number.POSITIVE_INFINITY);
    expect(ieee.div(exactly(1), exactly(2 ** -127)).e).toBeLessThan(Number.POSITIVE_INFINITY);
  });

  it('sqrt as 1.0 / inversesqrt (inversesqrt 1 ULP off its rounding, the division 2 ULP) is within GLSL, not IEEE', () => {
    const shader = ulpsAway(f(1 / ulpsAway(f(1 / Math.sqrt(2)), 1)), -2);
    const off = Math.abs(shader - Math.SQRT2);
    expect(off).toBeLessThanOrEqual(glsl.sqrt(exactly(2)).e);
    expect(off).toBeGreaterThan(ieee.sqrt(exactly(2)).e);
  });

  it("beta ** t by a shader's pow (log2 off by 2^-21, exp2 rounded) is within GLSL's bound, beyond IEEE's (2t + 1) u", () => {
    const [beta, t] = [0.9, 10];
    const shader = f(2 ** f(t * (Math.log2(f(beta)) + 2 ** -21)));
    const off = Math.abs(shader - beta ** t);
    expect(off).toBeLessThanOrEqual(glsl.power(beta, t).e);
    expect(off).toBeGreaterThan(ieee.power(beta, t).e);
  });
});

describe('an implementation on the worst arithmetic GLSL ES 3.00 highp allows', () => {
  const options = { seed: 7, only: ['adagrad'], runs: 0.25 };

  it('conforms when it declares glsl-es-3.00-highp, and fails when it claims IEEE-754 float32', async () => {
    const report = await checkConformance(shaderAdapter({ name: 'shader', arithmetic: 'glsl-es-3.00-highp' }), options);
    const [shader] = report.results;
    expect(report.adapter).toEqual({ name: 'shader', dtype: 'float32', arithmetic: 'glsl-es-3.00-highp' });
    expect(shader!.verdict, JSON.stringify(shader!.findings.filter((x) => x.status === 'fail'))).toBe('conforms');
    const claims = await checkConformance(shaderAdapter({ name: 'claims ieee' }), options);
    expect(claims.adapter).toEqual({ name: 'claims ieee', dtype: 'float32' });
    expect(claims.results[0]!.verdict).toBe('fails');
  });

  it('with epsilon read from a float16 texture fails, the diagnosis naming the lost epsilon; SGD still conforms', async () => {
    const planted = shaderAdapter({ name: 'fp16 eps', arithmetic: 'glsl-es-3.00-highp', lostEpsilon: true });
    const { results } = await checkConformance(planted, { ...options, only: ['adagrad', 'sgd'] });
    const adagrad = results.find((r) => r.subject === 'adagrad')!;
    expect(adagrad.verdict).toBe('fails');
    expect(adagrad.bug).toBeUndefined();
    const messages = adagrad.findings.filter((x) => x.status === 'fail').map((x) => x.message);
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) expect(m).toMatch(/diagnosis: epsilon \S+ acts as \S+ \(lost epsilon/);
    expect(messages.some((m) => m.includes('epsilon 1e-8 acts as 0'))).toBe(true);
    expect(results.find((r) => r.subject === 'sgd')!.verdict).toBe('conforms');
  });
});

describe('declaring an arithmetic', () => {
  const adapter = { name: 'a', dtype: 'float32', optimizers: ['sgd'], create: () => ({ step: () => [] }) };

  it('absent is IEEE-754; a known one is kept', () => {
    expect(requireArithmetic('arithmetic', undefined, 'float32')).toBe('ieee754');
    expect(requireArithmetic('arithmetic', 'wgsl', 'float32')).toBe('wgsl');
    expect(() => validateAdapter({ ...adapter, arithmetic: 'glsl-es-3.00-highp' })).not.toThrow();
  });

  it('an unknown one, or a shader arithmetic with another dtype, is refused naming the field and the value', () => {
    expect(() => validateAdapter({ ...adapter, arithmetic: 'glsl' })).toThrow(
      /adapter\.arithmetic must be .* got "glsl"/,
    );
    expect(() => validateAdapter({ ...adapter, dtype: 'float64', arithmetic: 'wgsl' })).toThrow(
      /adapter\.arithmetic "wgsl" is a float32 arithmetic: it needs dtype "float32", got "float64"/,
    );
    const hello = { protocol: 1, name: 'n', dtype: 'float32', optimizers: ['sgd'] };
    expect(parseHandshake(hello).arithmetic).toBeUndefined();
    expect(parseHandshake({ ...hello, arithmetic: 'wgsl' }).arithmetic).toBe('wgsl');
    expect(() => parseHandshake({ ...hello, arithmetic: 'ieee' })).toThrow(/arithmetic must be .* got "ieee"/);
  });
});

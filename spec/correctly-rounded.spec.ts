import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { expCorrectlyRounded, PowerSequence, powInteger } from '../src/numerics/correctly-rounded.js';
import { mathjs } from './support/mathjs.js';

// The oracle: mathjs BigNumber with 120 significant digits, then one rounding to a double
// by JavaScript's correctly rounded decimal-to-double conversion. A double has at most
// 767 significant decimal digits, but 120 digits put the value within 10^-119 relative of
// the truth, so the oracle is the correctly rounded result unless the truth lies that close
// to a midpoint between doubles (never, for these inputs, short of a tie in the exact value).
const math = mathjs.create(mathjs.all!, { number: 'BigNumber', precision: 120 });

/** The exact decimal value of a double, `mantissa * 2^exponent` written out in full. */
function exactDecimal(x: number): string {
  const bits = new DataView(new Float64Array([x]).buffer).getBigUint64(0, true);
  const sign = bits >> 63n ? '-' : '';
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const exponent = (biased === 0 ? 1 : biased) - 1075;
  if (exponent >= 0) return `${sign}${mantissa << BigInt(exponent)}`;
  const digits = (mantissa * 5n ** BigInt(-exponent)).toString().padStart(-exponent + 1, '0');
  return `${sign}${digits.slice(0, exponent)}.${digits.slice(exponent)}`;
}
const big = (x: number) => math.bignumber(exactDecimal(x));
const toDouble = (x: unknown) => Number((x as { toString(): string }).toString());

/** Doubles in [0, 1): the betas, rho and factors the rules raise to a power, subnormals included on purpose. */
const base = fc.oneof(
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  fc.constantFrom(0.9, 0.99, 0.999, 0.5, 5e-324, 2.2250738585072014e-308, 0.9999999999999999),
);

describe('powInteger', () => {
  test('is x ** n correctly rounded', () => {
    fc.assert(
      fc.property(base, fc.integer({ min: 0, max: 3000 }), (x, n) => {
        expect(powInteger(x, n)).toBe(toDouble(math.pow(big(x), n)));
      }),
    );
  });

  test('keeps IEEE special cases as ** has them', () => {
    expect(powInteger(Number.NaN, 0)).toBe(1);
    expect(powInteger(Number.NaN, 3)).toBeNaN();
    expect(Object.is(powInteger(-0, 3), -0)).toBe(true);
    expect(powInteger(Number.POSITIVE_INFINITY, 2)).toBe(Number.POSITIVE_INFINITY);
    expect(powInteger(1, 1e9)).toBe(1);
    expect(powInteger(0, 0)).toBe(1);
  });

  test('corrects V8 where ** is an ULP off: 0.99 ** 503, which glibc also misrounds', () => {
    // 0.99 ** 503 exactly, from the big rational (odd**503 / 2**(503*53)), rounded once.
    expect(powInteger(0.99, 503)).toBe(toDouble(math.pow(big(0.99), 503)));
  });
});

describe('PowerSequence', () => {
  // 2100 steps cross two re-anchorings (1024, 2048); 0.999 and 0.9 are Adam's betas, 0.5 and
  // 2^-1074's neighbour reach the subnormals and 0, 0.9999999999999999 stays next to 1.
  test.each([0.9, 0.999, 0.5, 0.9999999999999999, 0.7, 0])(
    '%s ** t for t = 1..2100 is powInteger, bit for bit',
    (x) => {
      const powers = new PowerSequence(x);
      for (let t = 1; t <= 2100; t++) expect(Object.is(powers.at(t), powInteger(x, t)), `t = ${t}`).toBe(true);
    },
  );

  test('a counter that jumps (a restored state) still gets x ** n correctly rounded', () => {
    fc.assert(
      fc.property(base, fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 30 }), (x, ns) => {
        const powers = new PowerSequence(x);
        for (const n of ns) {
          expect(powers.at(n)).toBe(toDouble(math.pow(big(x), n)));
          expect(powers.at(n + 1)).toBe(toDouble(math.pow(big(x), n + 1)));
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe('expCorrectlyRounded', () => {
  test('is exp(x) correctly rounded', () => {
    fc.assert(
      fc.property(fc.double({ min: -745, max: 709, noNaN: true }), (x) => {
        expect(expCorrectlyRounded(x)).toBe(toDouble(math.exp(big(x))));
      }),
    );
  });

  test('is exp(-k t) correctly rounded on schedule arguments', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(0.001, 0.0031, 0.01, 0.05, 0.1), (t, k) => {
        expect(expCorrectlyRounded(-k * t)).toBe(toDouble(math.exp(big(-k * t))));
      }),
    );
  });

  test('keeps IEEE special cases as Math.exp has them', () => {
    expect(expCorrectlyRounded(Number.NaN)).toBeNaN();
    expect(expCorrectlyRounded(-0)).toBe(1);
    expect(expCorrectlyRounded(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(expCorrectlyRounded(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(expCorrectlyRounded(710)).toBe(Number.POSITIVE_INFINITY);
    expect(expCorrectlyRounded(-746)).toBe(0);
  });
});

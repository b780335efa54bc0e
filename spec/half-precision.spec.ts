import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadRoundingFixtures, type RoundingFixtureFile } from '../src/fixtures/fixtures.js';
import {
  BFLOAT16_MAX,
  bf16round,
  bfloat16Bits,
  f16round,
  FLOAT16_MAX,
  float16Bits,
} from '../src/numerics/half-precision.js';
import { ulpDistance } from '../src/numerics/ulp.js';
import {
  BFLOAT16,
  beyondLargest,
  decode,
  FLOAT16,
  type HalfFormat,
  nextDouble,
  slowRound,
} from './support/half-oracle.js';

// The float16 rounding against NumPy (fixtures/rounding/float16.json: NumPy's cast at the
// midpoints of all 65 536 patterns and on drawn doubles), the bfloat16 rounding against the
// generator's exact integer rounding (NumPy has no bfloat16), and both against an independent
// BigInt implementation on drawn doubles (spec/support/half-oracle.ts).

const files = new Map(loadRoundingFixtures().map((f) => [f.dtype, f] as const));
const SUBJECTS = [
  { format: FLOAT16, round: f16round, bits: float16Bits, largest: FLOAT16_MAX },
  { format: BFLOAT16, round: bf16round, bits: bfloat16Bits, largest: BFLOAT16_MAX },
] as const;

const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
const show = (v: number) => (Object.is(v, -0) ? '-0' : String(v));

function file(format: HalfFormat): RoundingFixtureFile {
  const found = files.get(format.name);
  if (found === undefined) throw new Error(`no fixtures/rounding/${format.name}.json`);
  return found;
}

/** Bit `i` of the packed hex string (digit i >> 2, bit i & 3). */
function bitAt(hex: string, i: number): number {
  return (Number.parseInt(hex[i >> 2]!, 16) >> (i & 3)) & 1;
}

for (const { format, round, bits, largest } of SUBJECTS) {
  describe(`${round.name} (${format.name})`, () => {
    const values = Array.from({ length: 65536 }, (_, p) => decode(format, p));

    it('the value of every pattern is the one the fixture hashes (NumPy float16; the float32 high half for bfloat16)', () => {
      const bytes = new DataView(new ArrayBuffer(65536 * 8));
      values.forEach((v, p) => {
        bytes.setFloat64(p * 8, v, true);
      });
      expect(createHash('sha256').update(new Uint8Array(bytes.buffer)).digest('hex')).toBe(file(format).valuesSha256);
      expect(values[format.maxPattern]).toBe(largest);
    });

    it('maps every value of every pattern to itself, and back to its pattern', () => {
      const wrong: string[] = [];
      values.forEach((v, p) => {
        if (!same(round(v), v)) wrong.push(`pattern ${p.toString(16)}: ${show(v)} rounds to ${show(round(v))}`);
        else if (!Number.isNaN(v) && bits(v) !== p)
          wrong.push(`${show(v)} has bits ${bits(v).toString(16)}, not ${p.toString(16)}`);
      });
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(Number.isNaN(decode(format, bits(Number.NaN)))).toBe(true);
    });

    it('rounds the midpoint of every adjacent pair, and the doubles on either side of it, as the fixture does', () => {
      const { midpoints } = file(format);
      const wrong: string[] = [];
      let probes = 0;
      values.forEach((v, p) => {
        if (!Number.isFinite(v)) return;
        const outward = v === largest || v === -largest ? Math.sign(v) * beyondLargest(format) : values[p + 1]!;
        const next = values[p + 1]!; // the infinity past the largest value
        const mid = (v + outward) / 2; // exact: both have at most 11 significant bits
        const check = (name: 'below' | 'at' | 'above', probe: number) => {
          probes++;
          const expected = bitAt(midpoints[name], p) === 1 ? next : v;
          const actual = round(probe);
          if (!Object.is(actual, expected))
            wrong.push(`${name} ${probe} (pattern ${p.toString(16)}): ${show(actual)}, fixture ${show(expected)}`);
        };
        check('below', nextDouble(mid, false));
        check('at', mid);
        check('above', nextDouble(mid, true));
      });
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(probes).toBe(3 * values.filter(Number.isFinite).length);
    });

    it('rounds the fixture’s drawn doubles (ties, subnormals, overflow, double-rounding traps) as it does', () => {
      const { inputs, outputs } = file(format).drawn;
      expect(inputs.length).toBe(outputs.length);
      const wrong = inputs.flatMap((x, i) =>
        same(round(x), outputs[i]!) ? [] : [`${show(x)}: ${show(round(x))}, fixture ${show(outputs[i]!)}`],
      );
      expect(wrong).toEqual([]);
    });

    const nearMidpoint = fc
      .record({
        pattern: fc.integer({ min: 0, max: format.maxPattern }),
        negative: fc.boolean(),
        offset: fc.integer({ min: -3, max: 3 }),
      })
      .map(({ pattern, negative, offset }) => {
        const v = decode(format, pattern);
        const w = pattern === format.maxPattern ? beyondLargest(format) : decode(format, pattern + 1);
        let x = (v + w) / 2;
        for (let k = 0; k < Math.abs(offset); k++) x = nextDouble(x, offset > 0);
        return negative ? -x : x;
      });
    const subnormalLimit = 2 * decode(format, 2 ** format.fractionBits);
    const anyInput = fc.oneof(
      fc.double(),
      nearMidpoint,
      fc.double({ min: -subnormalLimit, max: subnormalLimit }),
      fc.double({ min: -4 * largest, max: 4 * largest }),
      fc.constantFrom(
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        -0,
        0,
        Number.MIN_VALUE,
        -Number.MIN_VALUE,
        Number.MAX_VALUE,
        largest,
        -largest,
      ),
    );

    it('equals the independent BigInt rounding on drawn doubles', () => {
      fc.assert(
        fc.property(anyInput, (x) => {
          expect(show(round(x))).toBe(show(slowRound(format, x)));
        }),
        { numRuns: 500 },
      );
    });
  });
}

describe('double rounding is not innocuous for an arbitrary double (why hyperparameters are rounded once)', () => {
  it('1 + 2^-8 + 2^-40 rounds up to bfloat16 directly, but to 1 through float32 (a tie after the first rounding)', () => {
    const x = 1 + 2 ** -8 + 2 ** -40;
    expect(bf16round(x)).toBe(1 + 2 ** -7);
    expect(bf16round(Math.fround(x))).toBe(1);
  });
});

describe('ulpDistance in float16 and bfloat16', () => {
  it('counts the values of the dtype between two of its values, across zero and up to the largest', () => {
    expect(ulpDistance(1, 1 + 2 ** -10, 'float16')).toBe(1);
    expect(ulpDistance(1, 1 + 2 ** -7, 'bfloat16')).toBe(1);
    expect(ulpDistance(-(2 ** -24), 2 ** -24, 'float16')).toBe(2);
    expect(ulpDistance(-(2 ** -133), 2 ** -133, 'bfloat16')).toBe(2);
    expect(ulpDistance(2 ** -14, 2 ** -14 - 2 ** -24, 'float16')).toBe(1);
    expect(ulpDistance(0, FLOAT16_MAX, 'float16')).toBe(0x7bff);
    expect(ulpDistance(-BFLOAT16_MAX, BFLOAT16_MAX, 'bfloat16')).toBe(2 * 0x7f7f);
    expect(ulpDistance(0, -0, 'float16')).toBe(0);
  });
});

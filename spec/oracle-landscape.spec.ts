import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type LandscapeSpec, landscapeGradient, landscapeLoss } from '../src/reference/landscape.js';
import type { Dtype } from '../src/reference/types.js';
import { big, M, num } from './support/bignumber.js';
import { replayOptions } from './support/replay.js';

// The landscapes' gradients (src/reference/landscape.ts) against math.derivative of the loss
// expressions (lecture.md section 8), evaluated in 80-digit BigNumber at the exact
// binary values. Finite inputs only (|x| <= 100): the gradients are polynomials.
const loss = {
  quadratic: '0.5 * c * x^2',
  'local-minimum': 'x^4 / 4 - x^2 / 2 + tilt * x',
  noisy: '0.5 * c * x^2 + noise * x',
};
const derivative = Object.fromEntries(
  Object.entries(loss).map(([k, e]) => [k, M.derivative(e, 'x').compile()]),
) as Record<keyof typeof loss, { evaluate(scope: object): unknown }>;
const dtypes: Dtype[] = ['float64', 'float32'];

describe.each(dtypes)('landscape gradients equal the symbolic derivative of the loss (%s)', (dtype) => {
  const u = dtype === 'float32' ? 2 ** -24 : 2 ** -53;
  // Each rounding that underflows adds up to eta absolute (2^-150; 2^-1074 as its half is not a double).
  const eta = dtype === 'float32' ? 2 ** -150 : 2 ** -1074;
  const r = dtype === 'float32' ? Math.fround : (v: number) => v;
  const value = fc.double({ min: -100, max: 100, noNaN: true }).map(r);
  const coefficient = fc.double({ min: -10, max: 10, noNaN: true });

  function check(
    spec: LandscapeSpec,
    x: number[],
    expression: keyof typeof loss,
    scope: (i: number) => Record<string, number>,
    bound: (i: number, exact: number) => number,
  ): void {
    const out = dtype === 'float32' ? new Float32Array(x.length) : new Float64Array(x.length);
    landscapeGradient(spec, x, 0, out, dtype);
    x.forEach((xi, i) => {
      const s = Object.fromEntries(Object.entries({ x: xi, ...scope(i) }).map(([k, v]) => [k, big(v)]));
      const exact = num(derivative[expression].evaluate(s) as never);
      const b = bound(i, exact);
      expect(Math.abs(out[i]! - exact), `coordinate ${i}: ${out[i]} vs ${exact} (bound ${b})`).toBeLessThanOrEqual(b);
    });
  }

  it('taco-shell and saddle: dx = c * x', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(value, coefficient), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('taco-shell' as const, 'saddle' as const),
        (pairs, name) => {
          const x = pairs.map((p) => p[0]);
          const c = pairs.map((p) => p[1]);
          // c rounded to the dtype (u |c x|, or eta |x| if c is subnormal) and the product (u |c x|); 2^-53 for the oracle's own rounding.
          check(
            { name, curvature: c },
            x,
            'quadratic',
            (i) => ({ c: c[i]! }),
            (i) =>
              2.02 * u * Math.abs(c[i]! * x[i]!) + 2 ** -53 * Math.abs(c[i]! * x[i]!) + 4 * eta + eta * Math.abs(x[i]!),
          );
        },
      ),
      { numRuns: 200, ...replayOptions() },
    );
  });

  it('local-minimum: dx = x^3 - x + tilt', () => {
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 6 }), coefficient, (x, tilt) => {
        // x*x (u), *x (2u on |x^3|), - x (u on |x^3 - x|), + tilt (tilt rounded: u |tilt|; sum: u |result|).
        const bound = (i: number, exact: number) => {
          const xi = x[i]!;
          return (
            1.01 * u * (2 * Math.abs(xi ** 3) + Math.abs(xi ** 3 - xi) + Math.abs(tilt) + Math.abs(exact)) +
            2 ** -53 * Math.abs(exact) +
            6 * eta
          );
        };
        check({ name: 'local-minimum', tilt }, x, 'local-minimum', () => ({ tilt }), bound);
      }),
      { numRuns: 200, ...replayOptions() },
    );
  });

  it('noisy: dx = c * x + noise[t]', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(value, coefficient, coefficient), { minLength: 1, maxLength: 6 }), (triples) => {
        const x = triples.map((p) => p[0]);
        const c = triples.map((p) => p[1]);
        const noise = triples.map((p) => p[2]);
        // c and the product (2u |c x|), noise rounded (u |noise|), the sum (u |result|).
        const bound = (i: number, exact: number) =>
          1.01 * u * (2 * Math.abs(c[i]! * x[i]!) + Math.abs(noise[i]!) + Math.abs(exact)) +
          2 ** -53 * Math.abs(exact) +
          5 * eta +
          eta * Math.abs(x[i]!);
        check(
          { name: 'noisy', curvature: c, noise: [noise] },
          x,
          'noisy',
          (i) => ({ c: c[i]!, noise: noise[i]! }),
          bound,
        );
      }),
      { numRuns: 200, ...replayOptions() },
    );
  });
});

describe('landscape losses equal the loss expressions', () => {
  const compiled = Object.fromEntries(Object.entries(loss).map(([k, e]) => [k, M.compile(e)])) as Record<
    keyof typeof loss,
    { evaluate(scope: object): unknown }
  >;
  it('sum over coordinates, each term within a few float64 roundings', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0.1, max: 10, noNaN: true })),
          { minLength: 1, maxLength: 6 },
        ),
        fc.double({ min: -1, max: 1, noNaN: true }),
        (pairs, tilt) => {
          const x = pairs.map((p) => p[0]);
          const c = pairs.map((p) => p[1]);
          let quadratic = M.bignumber(0);
          let quartic = M.bignumber(0);
          let magnitude = 0;
          x.forEach((xi, i) => {
            quadratic = M.add(quadratic, compiled.quadratic.evaluate({ x: big(xi), c: big(c[i]!) }) as never);
            quartic = M.add(quartic, compiled['local-minimum'].evaluate({ x: big(xi), tilt: big(tilt) }) as never);
            magnitude += xi ** 4 / 4 + xi ** 2 / 2 + Math.abs(tilt * xi) + 0.5 * c[i]! * xi * xi;
          });
          // About 8 roundings per term plus one per sum: 16 n u times the sum of |terms| is generous
          // and rigorous, plus 2^-1074 per rounding for products that underflow (x^4 of a tiny x).
          const bound = 16 * x.length * (2 ** -53 * magnitude + 2 ** -1074);
          expect(Math.abs(landscapeLoss({ name: 'taco-shell', curvature: c }, x) - num(quadratic))).toBeLessThanOrEqual(
            bound,
          );
          expect(Math.abs(landscapeLoss({ name: 'local-minimum', tilt }, x) - num(quartic))).toBeLessThanOrEqual(bound);
        },
      ),
      { numRuns: 100, ...replayOptions() },
    );
  });
});

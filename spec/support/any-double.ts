import fc from 'fast-check';

/**
 * Any double, with NaN, both infinities, -0, 0 and subnormals drawn on purpose
 * (fc.double() draws them too; the constants make them frequent): for the wire
 * formats, which must keep every bit.
 */
export const anyDouble: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -0,
    0,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    2.2250738585072014e-308 / 3,
  ),
);

import { describeValue } from '../reference/validate.js';

/**
 * A number on the wire (docs/protocol.md, "Numbers"): a finite value as a JSON
 * number (JSON.stringify writes the shortest string that round-trips), and the
 * values JSON cannot carry as strings. `-0` is a string too, because
 * `JSON.stringify(-0)` is `"0"` and the sign would be lost.
 */
export type WireNumber = number | 'NaN' | 'Infinity' | '-Infinity' | '-0';

/** Encodes one number for the wire; bit-exact for every double except NaN payloads. */
export function encodeNumber(value: number): WireNumber {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Object.is(value, -0)) return '-0';
  return value;
}

/** Encodes a vector of numbers, entry by entry. */
export function encodeVector(values: ArrayLike<number>): WireNumber[] {
  const out: WireNumber[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = encodeNumber(values[i]!);
  return out;
}

/**
 * Decodes one wire number. Throws a TypeError naming `field` and the value for
 * anything else (a number-like string such as `"1.5"` is garbage, not a number).
 */
export function decodeNumber(field: string, value: unknown): number {
  if (typeof value === 'number') return value;
  switch (value) {
    case 'NaN':
      return Number.NaN;
    case 'Infinity':
      return Number.POSITIVE_INFINITY;
    case '-Infinity':
      return Number.NEGATIVE_INFINITY;
    case '-0':
      return -0;
    default:
      throw new TypeError(
        `${field} must be a number or one of "NaN", "Infinity", "-Infinity", "-0", got ${describeValue(value)}`,
      );
  }
}

/**
 * Decodes a vector into a fresh Float64Array, checking that it is an array of
 * `length` wire numbers; the error names the field, the index and the value.
 */
export function decodeVector(field: string, value: unknown, length: number): Float64Array {
  if (!Array.isArray(value)) throw new TypeError(`${field} must be an array of numbers, got ${describeValue(value)}`);
  if (value.length !== length) throw new RangeError(`${field} must have length ${length}, got length ${value.length}`);
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = decodeNumber(`${field}[${i}]`, value[i]);
  return out;
}

import { describeValue } from '../reference/index.js';

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

/** What an element of a vector on the wire must be, as the checked copy of an answer words it (src/adapter/checked-call.ts). */
export const WIRE_ELEMENT = 'a number (a JSON number, or "NaN", "Infinity", "-Infinity" or "-0")';

const WIRE_STRINGS: ReadonlySet<unknown> = new Set(['NaN', 'Infinity', '-Infinity', '-0']);

/**
 * A vector as the wire carries it, with the strings that stand for the numbers
 * JSON cannot write made numbers; anything else is left as it is, for the checked
 * copy of the answer (src/adapter/checked-call.ts) to name.
 */
export function fromWire(value: unknown): unknown {
  return Array.isArray(value) ? value.map((v) => (WIRE_STRINGS.has(v) ? decodeNumber('', v) : v)) : value;
}

import { AdapterError } from './adapter-error.js';
import { describeValue } from '../reference/index.js';

/**
 * A number as a saved state carries it through JSON: as the stdio protocol writes numbers
 * (docs/protocol.md, "Numbers": NaN, the infinities and -0 as strings), so a state crosses
 * the protocol and a checkpoint alike.
 */
function stateNumber(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return 'Infinity';
  if (value === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (Object.is(value, -0)) return '-0';
  return value;
}

const SPECIAL: Readonly<Record<string, number>> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
  '-0': -0,
};

/** A JSON state with every number written as {@link stateNumber} writes it, the rest as it is. */
export function encodeState(value: unknown): unknown {
  if (typeof value === 'number') return stateNumber(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>, stateNumber);
  if (Array.isArray(value)) return value.map(encodeState);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encodeState(v)]));
  return value;
}

/** A state read back: the strings "NaN", "Infinity", "-Infinity" and "-0" as numbers (a state holding such a string gets a number back). */
export function decodeState(value: unknown): unknown {
  if (typeof value === 'string' && Object.hasOwn(SPECIAL, value)) return SPECIAL[value];
  if (Array.isArray(value)) return value.map(decodeState);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeState(v)]));
  return value;
}

/** The deepest a saved state may nest (a cycle, or a state no checkpoint would write). */
const MAX_DEPTH = 64;

/**
 * A saved state as a checkpoint on disk keeps it: JSON text, numbers in the protocol's
 * encoding (docs/protocol.md: -0, NaN and the infinities as strings, decoded back), typed
 * arrays as arrays of numbers. Anything JSON cannot hold (a function, a Map, a BigInt, a
 * cycle) is the adapter's error: its state could not be written.
 */
export function checkpoint(state: unknown): unknown {
  const text = JSON.stringify(toJsonData(state, 'state', 0));
  return decodeState(JSON.parse(text));
}

function toJsonData(value: unknown, path: string, depth: number): unknown {
  if (depth > MAX_DEPTH)
    throw new AdapterError(
      `save returned a state nested deeper than ${MAX_DEPTH} levels at ${path} (a cycle?)`,
      'save',
    );
  if (typeof value === 'number') return stateNumber(value);
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array)
  )
    return Array.from(value as unknown as ArrayLike<number>, stateNumber);
  if (Array.isArray(value)) return value.map((v, i) => toJsonData(v, `${path}[${i}]`, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value as Record<string, unknown>))
        if (v !== undefined) out[key] = toJsonData(v, `${path}.${key}`, depth + 1);
      return out;
    }
  }
  throw new AdapterError(
    `save returned ${describeValue(value)} at ${path}, which a JSON checkpoint cannot hold (objects, arrays, numbers, strings, booleans and null only)`,
    'save',
  );
}

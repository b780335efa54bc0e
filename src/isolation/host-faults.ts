import { AdapterError, adapterFault } from '../adapter/index.js';
import { firstDifferentBits } from '../numerics/index.js';
import { describeValue } from '../reference/index.js';
import type { HostError } from './host-protocol.js';

/** The checker's own folder (src/ or dist/): its frames are not the adapter's. */
const CHECKER_FOLDER = new URL('..', import.meta.url).pathname;

/** Any value as text, even a null-prototype object or one whose getters throw. */
export function safeText(value: unknown): string {
  try {
    if (value instanceof Error) return `${value.name}: ${value.message}`;
  } catch {
    // A Proxy or a throwing getter: fall through.
  }
  try {
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value)) {
      try {
        return `an object: ${String(value)}`;
      } catch {
        return `an object that cannot be converted to a string (${Object.prototype.toString.call(value)})`;
      }
    }
    return typeof value === 'symbol' ? value.toString() : describeValue(value);
  } catch {
    return 'a value that cannot be described';
  }
}

/** The frames of a stack that are the adapter's own code (not Node's, not the checker's), as `file:line:column`. */
export function userFrames(error: unknown): string | undefined {
  let stack: unknown;
  try {
    stack = (error as { stack?: unknown } | null)?.stack;
  } catch {
    return undefined;
  }
  if (typeof stack !== 'string') return undefined;
  const frames = stack
    .split('\n')
    .filter(
      (line) =>
        /^\s+at /.test(line) &&
        !line.includes('node:') &&
        !line.includes(CHECKER_FOLDER) &&
        !line.includes('/node_modules/tsx/'),
    )
    .slice(0, 4)
    .map((line) => line.trim().replace(/\?tsx-namespace=[^:)]*/, ''));
  return frames.length > 0 ? frames.join('\n') : undefined;
}

/** A Float64Array's contents, returned only when the adapter changed them (the immutability check). */
export function changed(pristine: Float64Array, handed: Float64Array): Float64Array | null {
  return firstDifferentBits(pristine, handed) >= 0 ? handed : null;
}

/**
 * An error met in `operation` as plain data: an adapter fault in the words of
 * src/adapter/checked-call.ts, with the adapter's file:line when it threw.
 */
export function hostError(operation: string, error: unknown): HostError {
  const fault = adapterFault(operation, error);
  const where = fault instanceof AdapterError ? userFrames(fault.cause) : undefined;
  return {
    operation: fault instanceof AdapterError ? fault.operation : operation,
    message: fault.message,
    ...(where === undefined ? {} : { where }),
  };
}

/** The host's own refusals are HostErrors already; anything else (an adapter fault) is made one. */
export function asHostError(operation: string, error: unknown): HostError {
  return !(error instanceof Error) &&
    typeof error === 'object' &&
    error !== null &&
    'operation' in error &&
    'message' in error
    ? (error as HostError)
    : hostError(operation, error);
}

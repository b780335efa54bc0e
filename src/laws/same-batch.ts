import { firstDifferentBits } from '../numerics/index.js';
import type { Script } from '../adapter/index.js';

function sameConfig(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function sameArray(a: Float64Array, b: Float64Array): boolean {
  return a.length === b.length && firstDifferentBits(a, b) < 0;
}

/** Deep equality of plain data (arrays, plain objects, numbers by Object.is). */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Whether two batches make the same calls with the same bits (-0 and NaN included):
 * a request fast-check makes again is answered from the first pass only when it is
 * the very request the first pass made.
 */
export function sameBatch(a: readonly Script[], b: readonly Script[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((script, k) => {
    const other = b[k]!;
    if (script.watch !== other.watch || script.calls.length !== other.calls.length) return false;
    return script.calls.every((call, j) => {
      const c = other.calls[j]!;
      if (call.op === 'create')
        return c.op === 'create' && sameConfig(call.config, c.config) && sameArray(call.x0, c.x0);
      if (call.op === 'step')
        return (
          c.op === 'step' &&
          call.instance === c.instance &&
          Object.is(call.learningRate, c.learningRate) &&
          sameArray(call.grad, c.grad)
        );
      if (call.op === 'closed')
        return c.op === 'closed' && call.instance === c.instance && sameValue(call.loop, c.loop);
      if (call.op === 'values')
        return (
          c.op === 'values' &&
          sameConfig(call.config, c.config) &&
          call.t.length === c.t.length &&
          call.t.every((t, i) => Object.is(t, c.t[i]))
        );
      return c.op === 'dispose' && call.instance === c.instance;
    });
  });
}

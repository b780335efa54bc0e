import { bf16round, f16round } from '../numerics/index.js';

/** The precisions a state is tried rounded to when a restored run parts from the uninterrupted one (the bug `state-downcast`). */
export const DOWNCASTS: readonly { name: 'float16' | 'bfloat16' | 'float32'; round: (v: number) => number }[] = [
  { name: 'float16', round: f16round },
  { name: 'bfloat16', round: bf16round },
  { name: 'float32', round: Math.fround },
];

/**
 * A JSON state with every number inside an array rounded by `round` (a tensor's values;
 * scalars such as a step counter or a learning rate are kept), and whether any changed.
 */
export function roundArrays(state: unknown, round: (v: number) => number): { state: unknown; changed: boolean } {
  let changed = false;
  const walk = (value: unknown, inArray: boolean): unknown => {
    if (typeof value === 'number') {
      if (!inArray) return value;
      const r = round(value);
      if (!Object.is(r, value) && !(Number.isNaN(r) && Number.isNaN(value))) changed = true;
      return r;
    }
    if (Array.isArray(value)) return value.map((v) => walk(v, true));
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, false)]));
    return value;
  };
  return { state: walk(state, false), changed };
}

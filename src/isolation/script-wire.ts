import type { ClosedLoopRun, Script, ScriptCall, ScriptResult } from '../adapter/index.js';
import type { HostScriptOutcome, WireOutcomes, WireScripts } from './host-protocol.js';

const CALL_INTS = 5;
const OPS = ['create', 'step', 'dispose', 'values', 'closed'] as const;
const WATCH = [undefined, 'recent', 'all'] as const;

/** Packs a batch of scripts (see {@link WireScripts}). */
export function encodeScripts(batch: readonly Script[]): WireScripts {
  let callCount = 0;
  let numberCount = 0;
  for (const script of batch) {
    callCount += script.calls.length;
    for (const call of script.calls) {
      if (call.op === 'create') numberCount += call.x0.length;
      else if (call.op === 'step') numberCount += call.grad.length + 1;
    }
  }
  const scripts = new Int32Array(3 * batch.length);
  const calls = new Int32Array(CALL_INTS * callCount);
  const numbers = new Float64Array(numberCount);
  const objects: unknown[] = [];
  let c = 0;
  let n = 0;
  batch.forEach((script, k) => {
    scripts[3 * k] = c;
    scripts[3 * k + 1] = script.calls.length;
    scripts[3 * k + 2] = WATCH.indexOf(script.watch);
    for (const call of script.calls) {
      const at = CALL_INTS * c++;
      calls[at] = OPS.indexOf(call.op);
      calls[at + 1] = 'instance' in call ? call.instance : -1;
      calls[at + 4] = -1;
      if (call.op === 'create') {
        calls[at + 2] = n;
        calls[at + 3] = call.x0.length;
        numbers.set(call.x0, n);
        n += call.x0.length;
        calls[at + 4] = objects.push(call.config) - 1;
      } else if (call.op === 'step') {
        calls[at + 2] = n;
        calls[at + 3] = call.grad.length;
        numbers.set(call.grad, n);
        n += call.grad.length;
        // The learning rate follows the gradient; -1 in the object slot says there is none.
        numbers[n++] = call.learningRate ?? 0;
        if (call.learningRate !== undefined) calls[at + 4] = 0;
      } else if (call.op === 'values') {
        calls[at + 4] = objects.push({ config: call.config, t: call.t }) - 1;
      } else if (call.op === 'closed') {
        calls[at + 4] = objects.push(call.loop) - 1;
      }
    }
  });
  return { scripts, calls, numbers, objects };
}

/** Unpacks {@link encodeScripts}; the arrays are views into `numbers` (the runner hands copies). Throws on a malformed batch. */
export function decodeScripts(wire: WireScripts): Script[] {
  const { scripts, calls, numbers, objects } = wire;
  if (
    !(scripts instanceof Int32Array) ||
    !(calls instanceof Int32Array) ||
    !(numbers instanceof Float64Array) ||
    !Array.isArray(objects) ||
    scripts.length % 3 !== 0
  ) {
    throw new TypeError('malformed batch of scripts');
  }
  const out: Script[] = [];
  for (let k = 0; k < scripts.length / 3; k++) {
    const first = scripts[3 * k]!;
    const count = scripts[3 * k + 1]!;
    const watch = WATCH[scripts[3 * k + 2]!];
    const list: ScriptCall[] = [];
    for (let j = first; j < first + count; j++) {
      const at = CALL_INTS * j;
      if (at + CALL_INTS > calls.length) throw new TypeError('malformed batch of scripts');
      const op = OPS[calls[at]!];
      const instance = calls[at + 1]!;
      const offset = calls[at + 2]!;
      const length = calls[at + 3]!;
      const object = calls[at + 4]!;
      const slice = (): Float64Array => {
        if (offset < 0 || length < 0 || offset + length > numbers.length)
          throw new TypeError('malformed batch of scripts');
        return numbers.subarray(offset, offset + length);
      };
      if (op === 'create')
        list.push({ op, config: objects[object] as Extract<ScriptCall, { op: 'create' }>['config'], x0: slice() });
      else if (op === 'step') {
        const grad = slice();
        list.push({ op, instance, grad, ...(object === -1 ? {} : { learningRate: numbers[offset + length]! }) });
      } else if (op === 'dispose') list.push({ op, instance });
      else if (op === 'values')
        list.push({ op, ...(objects[object] as Omit<Extract<ScriptCall, { op: 'values' }>, 'op'>) });
      else if (op === 'closed')
        list.push({ op, instance, loop: objects[object] as Extract<ScriptCall, { op: 'closed' }>['loop'] });
      else throw new TypeError('malformed batch of scripts');
    }
    out.push(watch === undefined ? { calls: list } : { calls: list, watch });
  }
  return out;
}

interface PackedResult extends Omit<ScriptResult, 'xs' | 'loops'> {
  /** Where this script's calls start in `spans`, and how many. */
  xs: { at: number; calls: number };
  /** Per closed loop: its call, steps and size; grads then xs at `offset`. */
  loops?: { call: number; steps: number; size: number; offset: number }[];
}

/** Packs the outcomes of a batch (see {@link WireOutcomes}). */
export function encodeOutcomes(outcomes: readonly HostScriptOutcome[]): WireOutcomes {
  let total = 0;
  let callCount = 0;
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    callCount += outcome.result.xs.length;
    for (const x of outcome.result.xs) total += x?.length ?? 0;
    for (const loop of outcome.result.loops ?? []) for (const v of [...loop.grads, ...loop.xs]) total += v.length;
  }
  const numbers = new Float64Array(total);
  const spans = new Int32Array(2 * callCount).fill(-1);
  let n = 0;
  let c = 0;
  const put = (v: Float64Array): number => {
    numbers.set(v, n);
    n += v.length;
    return n - v.length;
  };
  const heads = outcomes.map((outcome) => {
    if (!outcome.ok) return outcome;
    const { xs, loops, ...rest } = outcome.result;
    const packed: PackedResult = { ...rest, xs: { at: c, calls: xs.length } };
    for (const x of xs) {
      if (x !== undefined) {
        spans[2 * c] = put(x);
        spans[2 * c + 1] = x.length;
      }
      c++;
    }
    if (loops !== undefined) {
      packed.loops = loops.map((loop) => {
        const size = loop.xs[0]?.length ?? 0;
        const offset = n;
        for (const v of [...loop.grads, ...loop.xs]) put(v);
        return { call: loop.call, steps: loop.xs.length, size, offset };
      });
    }
    return { ok: true, result: packed };
  });
  return { heads, spans, numbers };
}

/** Unpacks {@link encodeOutcomes} into views of its one buffer; throws on a malformed answer (the worker runs the adapter's code). */
export function decodeOutcomes(wire: WireOutcomes): HostScriptOutcome[] {
  const { heads, spans, numbers } = wire;
  if (!Array.isArray(heads) || !(spans instanceof Int32Array) || !(numbers instanceof Float64Array))
    throw new TypeError('malformed outcomes');
  const slice = (offset: number, length: number): Float64Array => {
    if (
      !Number.isInteger(offset) ||
      !Number.isInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > numbers.length
    )
      throw new TypeError('malformed outcomes');
    // Views, not copies: one buffer for the whole batch instead of one per vector (the checker only reads them).
    return numbers.subarray(offset, offset + length);
  };
  return heads.map((head) => {
    const outcome = head as HostScriptOutcome | { ok: true; result: PackedResult };
    if (typeof outcome !== 'object' || outcome === null) throw new TypeError('malformed outcomes');
    if (!outcome.ok) return outcome;
    const packed = outcome.result as PackedResult;
    const { at, calls } = packed.xs ?? {};
    if (!Number.isInteger(at) || !Number.isInteger(calls) || at! < 0 || calls! < 0 || 2 * (at! + calls!) > spans.length)
      throw new TypeError('malformed outcomes');
    const xs: (Float64Array | undefined)[] = [];
    for (let j = at!; j < at! + calls!; j++)
      xs.push(spans[2 * j]! < 0 ? undefined : slice(spans[2 * j]!, spans[2 * j + 1]!));
    const { xs: _spans, loops, ...rest } = packed;
    const result: ScriptResult = { ...rest, xs };
    if (loops !== undefined) {
      if (!Array.isArray(loops)) throw new TypeError('malformed outcomes');
      result.loops = loops.map((loop): ClosedLoopRun => {
        const at = (k: number): Float64Array => slice(loop.offset + k * loop.size, loop.size);
        return {
          call: loop.call,
          grads: Array.from({ length: loop.steps }, (_, t) => at(t)),
          xs: Array.from({ length: loop.steps }, (_, t) => at(loop.steps + t)),
        };
      });
    }
    return { ok: true, result };
  });
}

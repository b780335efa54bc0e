import type { Dtype, FloatVector, StateValue } from '../reference/index.js';
import {
  BASES_AT,
  compileSimdKernel,
  defineSimdKernel,
  HEADER_BYTES,
  SIMD_BYTES,
  type SimdKernel,
  sqrt,
} from './simd-kernel.js';
import { wasm, type WasmModule } from './wasm-api.js';

/** One optimizer's SIMD kernel, bound to a memory of its own that holds its state vectors and scratch copies of `x` and `dx`. */
export interface SimdInstance {
  /** A zeroed state vector in the instance's memory (the rule's `zeros()`), in the order of the kernel's `state`. */
  zeros(): FloatVector;
  /** Checks that the rule's state holds the vectors {@link zeros} handed out, under the kernel's names. */
  bind(state: Readonly<Record<string, StateValue>>): void;
  /** One update: copies `x` and `dx` in (rounding `dx` to the dtype), runs the kernel, copies `x` back. */
  run(x: FloatVector, dx: ArrayLike<number>, scalars: Readonly<Record<string, number>>): void;
}

const WASM_PAGE = 65536;
/** wasm32 memories hold at most 65536 pages (4 GiB). */
const MAX_PAGES = 65536;
const modules = new Map<string, WasmModule>();
let supported: boolean | undefined;

/** Whether this engine validates WebAssembly SIMD (Node >= 16.4 on x86-64 with SSE4.1, and arm64). */
export function simdSupported(): boolean {
  if (supported === undefined) {
    const probe = defineSimdKernel('probe', [], [], (k) => {
      k.store('x', sqrt(k.load('x')));
    });
    supported = wasm?.validate(compileSimdKernel(probe, 'float64')) === true;
  }
  return supported;
}

/**
 * Elements per kernel call. `x` and `dx` are copied into the kernel's memory and `x` back
 * a chunk at a time, so that the copies stay in cache (2 x 128 KiB in float64) instead of
 * streaming two more vectors through main memory; the state vectors are whole. Measured
 * on Adam, 1e6 float64 (fastest of 40 steps, under load): 3.3 ms whole, 3.0 ms with
 * chunks of 16384 or 65536, 3.1 to 3.3 ms with 4096.
 */
export const SIMD_CHUNK = 16384;

/** Byte addresses of the scratch x and dx, and of each state vector, after the header; and the pages they need. */
function layout(
  kernel: SimdKernel,
  dtype: Dtype,
  size: number,
): { x: number; dx: number; state: number[]; pages: number } {
  const bytes = dtype === 'float32' ? 4 : 8;
  const padded = (n: number) => Math.ceil((n * bytes) / SIMD_BYTES) * SIMD_BYTES;
  const scratch = padded(Math.min(size, SIMD_CHUNK));
  const slot = padded(size);
  const state = kernel.state.map((_, s) => HEADER_BYTES + 2 * scratch + s * slot);
  return {
    x: HEADER_BYTES,
    dx: HEADER_BYTES + scratch,
    state,
    pages: Math.ceil((HEADER_BYTES + 2 * scratch + slot * kernel.state.length) / WASM_PAGE),
  };
}

/** Why `kernel` cannot run on `size` elements of `dtype` here, or undefined if it can. */
export function simdUnavailable(kernel: SimdKernel, dtype: Dtype, size: number): string | undefined {
  if (dtype !== 'float32' && dtype !== 'float64')
    return `the SIMD kernels compute in float32 and float64, not ${dtype}`;
  if (!simdSupported()) return 'this engine does not support WebAssembly SIMD';
  const { pages } = layout(kernel, dtype, size);
  if (pages > MAX_PAGES)
    return `${size} elements of ${dtype} with ${kernel.state.length} state vectors exceed a 4 GiB wasm32 memory`;
  return undefined;
}

/** Compiles (once per kernel id and dtype) and instantiates `kernel` for `size` elements of `dtype`. */
export function createSimdInstance(kernel: SimdKernel, dtype: Dtype, size: number): SimdInstance {
  const reason = simdUnavailable(kernel, dtype, size);
  if (reason !== undefined || wasm === undefined) throw new RangeError(`SIMD kernel ${kernel.id}: ${reason}`);
  const key = `${kernel.id} ${dtype}`;
  let module = modules.get(key);
  if (module === undefined) {
    module = new wasm.Module(compileSimdKernel(kernel, dtype));
    modules.set(key, module);
  }
  const where = layout(kernel, dtype, size);
  const memory = new wasm.Memory({ initial: where.pages });
  const run = new wasm.Instance(module, { env: { memory } }).exports.run as (offset: number, end: number) => void;
  const Vector = dtype === 'float32' ? Float32Array : Float64Array;
  const bytes = Vector.BYTES_PER_ELEMENT;
  // The header: scalars from byte 0, the vectors' addresses from BASES_AT (src/kernels/simd-kernel.ts).
  const scalarsView = new Vector(memory.buffer, 0, kernel.scalars.length);
  new Int32Array(memory.buffer, BASES_AT, 2 + kernel.state.length).set([where.x, where.dx, ...where.state]);
  const chunk = Math.min(size, SIMD_CHUNK);
  const xScratch = new Vector(memory.buffer, where.x, chunk);
  const dxScratch = new Vector(memory.buffer, where.dx, chunk);
  // The last chunk's length, and the scratch views of that length (no allocation per step).
  const tail = size === 0 ? 0 : size - Math.floor((size - 1) / SIMD_CHUNK) * SIMD_CHUNK;
  const xTail = new Vector(memory.buffer, where.x, tail);
  const dxTail = new Vector(memory.buffer, where.dx, tail);
  // Chunk views of the last x and dx seen: callers usually pass the same arrays every step.
  const chunksOf = (
    v: FloatVector | ArrayLike<number>,
    cache: { of?: unknown; views: ArrayLike<number>[] },
  ): ArrayLike<number>[] | undefined => {
    if (!ArrayBuffer.isView(v)) return undefined;
    if (cache.of !== v) {
      cache.of = v;
      cache.views = [];
      for (let a = 0; a < size; a += SIMD_CHUNK)
        cache.views.push((v as FloatVector).subarray(a, Math.min(size, a + SIMD_CHUNK)));
    }
    return cache.views;
  };
  const xCache: { of?: unknown; views: ArrayLike<number>[] } = { views: [] };
  const dxCache: { of?: unknown; views: ArrayLike<number>[] } = { views: [] };
  let handedOut = 0;
  return {
    zeros() {
      if (handedOut >= kernel.state.length)
        throw new RangeError(
          `SIMD kernel ${kernel.id}: the rule asked for more than its ${kernel.state.length} state vectors`,
        );
      return new Vector(memory.buffer, where.state[handedOut++]!, size);
    },
    bind(state) {
      kernel.state.forEach((name, s) => {
        const v = state[name];
        if (typeof v !== 'object' || v.buffer !== memory.buffer || v.byteOffset !== where.state[s]) {
          throw new RangeError(
            `SIMD kernel ${kernel.id}: state vector ${JSON.stringify(name)} is not the one zeros() handed out for it`,
          );
        }
      });
    },
    run(x, dx, scalars) {
      for (let j = 0; j < kernel.scalars.length; j++) scalarsView[j] = scalars[kernel.scalars[j]!]!;
      const xChunks = chunksOf(x, xCache)!;
      const dxChunks = chunksOf(dx, dxCache);
      for (let c = 0, a = 0; a < size; c++, a += SIMD_CHUNK) {
        const n = Math.min(SIMD_CHUNK, size - a);
        const xs = n === chunk ? xScratch : xTail;
        xs.set(xChunks[c]!);
        if (dxChunks !== undefined) (n === chunk ? dxScratch : dxTail).set(dxChunks[c]!);
        // A plain array: element by element, converted as TypedArray.prototype.set would.
        else for (let i = 0; i < n; i++) dxScratch[i] = dx[a + i]!;
        run(a * bytes, Math.ceil((n * bytes) / SIMD_BYTES) * SIMD_BYTES);
        x.set(xs, a);
      }
    },
  };
}

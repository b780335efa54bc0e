import type { Dtype, FloatVector, StateValue } from '../types.js';
import { compileSimdKernel, defineSimdKernel, SIMD_BYTES, type SimdKernel, sqrt } from './simd-kernel.js';
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

function layout(kernel: SimdKernel, dtype: Dtype, size: number): { slotBytes: number; pages: number } {
  const bytes = dtype === 'float32' ? 4 : 8;
  const slotBytes = Math.ceil((size * bytes) / SIMD_BYTES) * SIMD_BYTES;
  return { slotBytes, pages: Math.ceil((slotBytes * (2 + kernel.state.length)) / WASM_PAGE) };
}

/** Why `kernel` cannot run on `size` elements of `dtype` here, or undefined if it can. */
export function simdUnavailable(kernel: SimdKernel, dtype: Dtype, size: number): string | undefined {
  if (!simdSupported()) return 'this engine does not support WebAssembly SIMD';
  const { pages } = layout(kernel, dtype, size);
  if (pages > MAX_PAGES) return `${size} elements of ${dtype} with ${kernel.state.length} state vectors exceed a 4 GiB wasm32 memory`;
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
  const { slotBytes, pages } = layout(kernel, dtype, size);
  const memory = new wasm.Memory({ initial: pages });
  const run = new wasm.Instance(module, { env: { memory } }).exports.run as (...args: number[]) => void;
  const Vector = dtype === 'float32' ? Float32Array : Float64Array;
  const view = (slot: number): FloatVector => new Vector(memory.buffer, slot * slotBytes, size);
  const xView = view(0);
  const dxView = view(1);
  let handedOut = 0;
  // run(x, dx, ...state, end, ...scalars): the offsets are fixed, the scalars change per step.
  const args: number[] = [0, slotBytes];
  for (let s = 0; s < kernel.state.length; s++) args.push((2 + s) * slotBytes);
  args.push(slotBytes);
  const firstScalar = args.length;
  for (let j = 0; j < kernel.scalars.length; j++) args.push(0);
  return {
    zeros() {
      if (handedOut >= kernel.state.length) throw new RangeError(`SIMD kernel ${kernel.id}: the rule asked for more than its ${kernel.state.length} state vectors`);
      return view(2 + handedOut++);
    },
    bind(state) {
      kernel.state.forEach((name, s) => {
        const v = state[name];
        if (typeof v !== 'object' || v.buffer !== memory.buffer || v.byteOffset !== (2 + s) * slotBytes) {
          throw new RangeError(`SIMD kernel ${kernel.id}: state vector ${JSON.stringify(name)} is not the one zeros() handed out for it`);
        }
      });
    },
    run(x, dx, scalars) {
      xView.set(x);
      dxView.set(dx);
      for (let j = 0; j < kernel.scalars.length; j++) args[firstScalar + j] = scalars[kernel.scalars[j]!]!;
      run(...args);
      x.set(xView);
    },
  };
}

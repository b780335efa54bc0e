import type { Dtype } from '../reference/index.js';
import { encodeModule, op, simdOp, unsignedLeb, type ValueType, valueType } from './wasm-encoding.js';

/**
 * One lane-wise expression of a SIMD kernel. Every operation is an IEEE 754 operation
 * of the dtype, correctly rounded (f32x4 / f64x2 add, sub, mul, div, sqrt), so an
 * expression tree that mirrors a rule's `r(...)` nesting gives its results bit for bit.
 */
export type SimdExpr =
  | { readonly op: 'load'; readonly vector: string }
  | { readonly op: 'scalar'; readonly name: string }
  | { readonly op: 'local'; readonly index: number }
  | { readonly op: 'add' | 'sub' | 'mul' | 'div'; readonly a: SimdExpr; readonly b: SimdExpr }
  | { readonly op: 'sqrt'; readonly a: SimdExpr };

/** A statement of a kernel's body, run once per lane group in order. */
export type SimdStatement =
  | { readonly kind: 'let'; readonly local: number; readonly value: SimdExpr }
  | { readonly kind: 'store'; readonly vector: string; readonly local: number; readonly value: SimdExpr };

/** `a + b` in the dtype. */
export const add = (a: SimdExpr, b: SimdExpr): SimdExpr => ({ op: 'add', a, b });
/** `a - b` in the dtype. */
export const sub = (a: SimdExpr, b: SimdExpr): SimdExpr => ({ op: 'sub', a, b });
/** `a * b` in the dtype. */
export const mul = (a: SimdExpr, b: SimdExpr): SimdExpr => ({ op: 'mul', a, b });
/** `a / b` in the dtype. */
export const div = (a: SimdExpr, b: SimdExpr): SimdExpr => ({ op: 'div', a, b });
/** `np.sqrt(a)` in the dtype. */
export const sqrt = (a: SimdExpr): SimdExpr => ({ op: 'sqrt', a });

/** What a kernel body writes with: element reads and writes at the current index, scalars, named values. */
export interface SimdBuilder<N extends string> {
  /** `vector[i]`: `x`, `dx` (already rounded to the dtype) or a state vector. */
  load(vector: string): SimdExpr;
  /** A per-step scalar the rule's `prepare` returns, the same in every lane. */
  scalar(name: N): SimdExpr;
  /** Evaluates `value` once and names it (a rule's `const`). */
  let(value: SimdExpr): SimdExpr;
  /** `vector[i] = value`; returns the stored value, as reading `vector[i]` back would. */
  store(vector: string, value: SimdExpr): SimdExpr;
}

/**
 * A rule's element-wise update as a SIMD kernel: the vectors it reads and writes
 * besides `x` and `dx` (named as in the rule's state), the scalars it takes (named as
 * in the rule's `prepare` result), and its body. `id` names the rule and variant; the
 * compiled module is cached under it.
 */
export interface SimdKernel<N extends string = string> {
  readonly id: string;
  readonly state: readonly string[];
  readonly scalars: readonly N[];
  readonly statements: readonly SimdStatement[];
  readonly locals: number;
}

/**
 * Records a kernel body written with {@link SimdBuilder}. Throws on a vector or
 * scalar the kernel does not declare: a typo must not read another vector.
 */
export function defineSimdKernel<N extends string>(
  id: string,
  state: readonly string[],
  scalars: readonly N[],
  body: (k: SimdBuilder<N>) => void,
): SimdKernel<N> {
  const vectors = new Set(['x', 'dx', ...state]);
  const statements: SimdStatement[] = [];
  let locals = 0;
  const requireVector = (v: string): void => {
    if (!vectors.has(v))
      throw new RangeError(
        `SIMD kernel ${id}: vector must be one of ${[...vectors].join(', ')}, got ${JSON.stringify(v)}`,
      );
  };
  body({
    load(vector) {
      requireVector(vector);
      return { op: 'load', vector };
    },
    scalar(name) {
      if (!scalars.includes(name))
        throw new RangeError(
          `SIMD kernel ${id}: scalar must be one of ${scalars.join(', ')}, got ${JSON.stringify(name)}`,
        );
      return { op: 'scalar', name };
    },
    let(value) {
      const local = locals++;
      statements.push({ kind: 'let', local, value });
      return { op: 'local', index: local };
    },
    store(vector, value) {
      requireVector(vector);
      const local = locals++;
      statements.push({ kind: 'store', vector, local, value });
      return { op: 'local', index: local };
    },
  });
  return { id, state, scalars, statements, locals };
}

/** Bytes per lane group: one v128. */
export const SIMD_BYTES = 16;

/**
 * The header at address 0 of a kernel's memory: its scalars from byte 0 (f32 or f64,
 * at most {@link MAX_SCALARS}), then the byte addresses of its vectors (i32: x, dx, then
 * the state) from {@link BASES_AT}. The vectors start at {@link HEADER_BYTES}. Scalars
 * and addresses in memory keep the call to two small integers: no number is boxed per call.
 */
const MAX_SCALARS = 8;
/** Where the vector addresses start in the header. */
export const BASES_AT = 64;
/** The header's size, a multiple of 16 so that the vectors after it are aligned. */
export const HEADER_BYTES = 128;

/**
 * The kernel as a WebAssembly module exporting `run(offset, end)`: it updates the bytes
 * `[0, end)` (`end` a multiple of 16) of x and dx, and `[offset, offset + end)` of each
 * state vector, at the addresses the header gives, with the header's scalars.
 */
export function compileSimdKernel(kernel: SimdKernel, dtype: Dtype): Uint8Array {
  if (kernel.scalars.length > MAX_SCALARS)
    throw new RangeError(`SIMD kernel ${kernel.id}: at most ${MAX_SCALARS} scalars, got ${kernel.scalars.length}`);
  const vectors = ['x', 'dx', ...kernel.state];
  if (BASES_AT + 4 * vectors.length > HEADER_BYTES)
    throw new RangeError(
      `SIMD kernel ${kernel.id}: at most ${(HEADER_BYTES - BASES_AT) / 4} vectors, got ${vectors.length}`,
    );
  const lanes = dtype === 'float32' ? simdOp.f32x4 : simdOp.f64x2;
  const scalarBytes = dtype === 'float32' ? 4 : 8;
  const offsetParam = 0;
  const endParam = 1;
  const params: ValueType[] = [valueType.i32, valueType.i32];
  // Locals after the parameters: the index, one address per vector, one splat per scalar, one v128 per named value.
  const index = params.length;
  const base = (v: number) => index + 1 + v;
  const splat = (j: number) => index + 1 + vectors.length + j;
  const named = (local: number) => index + 1 + vectors.length + kernel.scalars.length + local;
  const locals: ValueType[] = [
    valueType.i32,
    ...vectors.map(() => valueType.i32),
    ...kernel.scalars.map(() => valueType.v128),
    ...Array.from({ length: kernel.locals }, () => valueType.v128),
  ];

  const simd = (code: number) => [op.simdPrefix, ...unsignedLeb(code)];
  // memarg: alignment 2^4 = 16 bytes (every vector starts on a 16-byte boundary), offset 0.
  const memarg = [4, 0];
  const address = (vector: string) => [
    op.localGet,
    ...unsignedLeb(base(vectors.indexOf(vector))),
    op.localGet,
    ...unsignedLeb(index),
    op.i32Add,
  ];
  const emit = (e: SimdExpr): number[] => {
    switch (e.op) {
      case 'load':
        return [...address(e.vector), ...simd(simdOp.v128Load), ...memarg];
      case 'scalar':
        return [op.localGet, ...unsignedLeb(splat(kernel.scalars.indexOf(e.name)))];
      case 'local':
        return [op.localGet, ...unsignedLeb(named(e.index))];
      case 'sqrt':
        return [...emit(e.a), ...simd(lanes.sqrt)];
      default:
        return [...emit(e.a), ...emit(e.b), ...simd(lanes[e.op])];
    }
  };
  const body: number[] = [];
  vectors.forEach((_, v) => {
    // base_v = header address of v (+ offset for a state vector)
    body.push(op.i32Const, 0, op.i32Load, 2, ...unsignedLeb(BASES_AT + 4 * v));
    if (v >= 2) body.push(op.localGet, offsetParam, op.i32Add);
    body.push(op.localSet, ...unsignedLeb(base(v)));
  });
  kernel.scalars.forEach((_, j) => {
    const load = dtype === 'float32' ? [op.f32Load, 2] : [op.f64Load, 3];
    body.push(
      op.i32Const,
      0,
      ...load,
      ...unsignedLeb(scalarBytes * j),
      ...simd(lanes.splat),
      op.localSet,
      ...unsignedLeb(splat(j)),
    );
  });
  body.push(op.block, op.emptyBlockType, op.loop, op.emptyBlockType);
  body.push(op.localGet, ...unsignedLeb(index), op.localGet, endParam, op.i32GeU, op.brIf, 1);
  for (const s of kernel.statements) {
    if (s.kind === 'let') {
      body.push(...emit(s.value), op.localSet, ...unsignedLeb(named(s.local)));
    } else {
      body.push(
        ...address(s.vector),
        ...emit(s.value),
        op.localTee,
        ...unsignedLeb(named(s.local)),
        ...simd(simdOp.v128Store),
        ...memarg,
      );
    }
  }
  body.push(op.localGet, ...unsignedLeb(index), op.i32Const, SIMD_BYTES, op.i32Add, op.localSet, ...unsignedLeb(index));
  body.push(op.br, 0, op.end, op.end);
  return encodeModule([{ exportName: 'run', params, locals, body }]);
}

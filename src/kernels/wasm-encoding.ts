/**
 * The few pieces of the WebAssembly binary format (core spec 5, SIMD proposal opcodes)
 * the SIMD kernels need, so that they are built from source at load time instead of
 * being committed as opaque binaries.
 */

/** Value type codes (binary format 5.3.1). */
export const valueType = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b } as const;

/** A value type code of {@link valueType}. */
export type ValueType = (typeof valueType)[keyof typeof valueType];

/** Unsigned LEB128 (binary format 5.2.2): section sizes, indices, counts. */
export function unsignedLeb(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`unsignedLeb: value must be a non-negative safe integer, got ${value}`);
  const out: number[] = [];
  let v = value;
  do {
    let byte = v % 128;
    v = Math.floor(v / 128);
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer: the immediate of `i32.const`. */
export function signedLeb(value: number): number[] {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 31)
    throw new RangeError(`signedLeb: value must be a 32-bit integer, got ${value}`);
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A UTF-8 name prefixed by its length. */
function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...unsignedLeb(bytes.length), ...bytes];
}

/** A vector: its length, then its items. */
function vector(items: readonly number[][]): number[] {
  return [...unsignedLeb(items.length), ...items.flat()];
}

function section(id: number, content: number[]): number[] {
  return [id, ...unsignedLeb(content.length), ...content];
}

/** One exported function: its signature, its locals beyond the parameters, and its body (without the final `end`). */
export interface WasmFunction {
  readonly exportName: string;
  readonly params: readonly ValueType[];
  readonly locals: readonly ValueType[];
  readonly body: readonly number[];
}

/**
 * A module that imports its memory as `env.memory` (so that each optimizer owns one,
 * sized to its vectors) and exports `functions`, none of which returns a value.
 */
export function encodeModule(functions: readonly WasmFunction[]): Uint8Array {
  const types = section(1, vector(functions.map((f) => [0x60, ...unsignedLeb(f.params.length), ...f.params, 0x00])));
  // import "env" "memory" (memory, limits: min 0, no max)
  const imports = section(2, vector([[...name('env'), ...name('memory'), 0x02, 0x00, 0x00]]));
  const funcs = section(3, vector(functions.map((_, i) => unsignedLeb(i))));
  const exports = section(7, vector(functions.map((f, i) => [...name(f.exportName), 0x00, ...unsignedLeb(i)])));
  const code = section(
    10,
    vector(
      functions.map((f) => {
        const locals = vector(f.locals.map((t) => [...unsignedLeb(1), t]));
        const content = [...locals, ...f.body, 0x0b];
        return [...unsignedLeb(content.length), ...content];
      }),
    ),
  );
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...funcs,
    ...exports,
    ...code,
  ]);
}

/** Instruction opcodes the kernels use (core: 5.4; SIMD: prefix 0xfd then an unsigned LEB128 opcode). */
export const op = {
  block: 0x02,
  loop: 0x03,
  br: 0x0c,
  brIf: 0x0d,
  end: 0x0b,
  emptyBlockType: 0x40,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  f32Load: 0x2a,
  f64Load: 0x2b,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  simdPrefix: 0xfd,
} as const;

/** SIMD opcodes (after the 0xfd prefix) per lane type. */
export const simdOp = {
  v128Load: 0x00,
  v128Store: 0x0b,
  f32x4: { splat: 0x13, sqrt: 0xe3, add: 0xe4, sub: 0xe5, mul: 0xe6, div: 0xe7 },
  f64x2: { splat: 0x14, sqrt: 0xef, add: 0xf0, sub: 0xf1, mul: 0xf2, div: 0xf3 },
} as const;

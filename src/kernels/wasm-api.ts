/** The part of the WebAssembly JavaScript API the SIMD kernels use: the project's `lib` (ES2022, no DOM) declares none of it. */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => { readonly exports: Record<string, unknown> };
}

/** A compiled module (opaque). */
export interface WasmModule {
  readonly __wasmModule?: never;
}

/** A linear memory: its current buffer. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** The engine's WebAssembly object, or undefined where there is none. */
export const wasm: WasmApi | undefined = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

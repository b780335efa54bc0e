import { describe, expect, it } from 'vitest';
import type { Adapter, Stepper } from '../src/adapter/contract.js';

/**
 * examples/tfjs.mjs takes TF.js's backend as a parameter (`tfjsAdapter(backend)`, the
 * matrix's tfjs and tfjs-wasm rows): an unknown backend is refused by name, and a CPU and
 * a WASM adapter used side by side each step on its own backend.
 */
type TfjsModule = { tfjsAdapter(backend?: string): Promise<Adapter> };
const load = async (): Promise<TfjsModule> =>
  (await import(new URL('../examples/tfjs.mjs', import.meta.url).href)) as TfjsModule;

describe('examples/tfjs.mjs on a chosen backend', () => {
  it('refuses a backend it does not know, naming it and the ones it knows', async () => {
    const { tfjsAdapter } = await load();
    await expect(tfjsAdapter('webgpu')).rejects.toThrow(/backend must be one of cpu, wasm, got "webgpu"/);
  });

  it('a CPU and a WASM adapter stepped in turn each run on their own backend and agree bit for bit (both correctly rounded float32)', async () => {
    const { tfjsAdapter } = await load();
    const cpu = await tfjsAdapter('cpu');
    const wasm = await tfjsAdapter('wasm');
    expect(cpu.name).toMatch(/\(cpu backend\)$/);
    expect(wasm.name).toMatch(/\(wasm backend\)$/);
    const config = { optimizer: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 } as const;
    const x0 = Float64Array.from([0.5, -1.25, 3]);
    const a = (await cpu.create(config, x0)) as Stepper;
    const b = (await wasm.create(config, x0)) as Stepper;
    const tf = (await import('@tensorflow/tfjs-core')) as { getBackend(): string };
    for (const g of [
      [0.3, -2, 1e-3],
      [1, 0.5, -7],
      [-0.25, 4, 2],
    ]) {
      const xa = Array.from(await a.step(Float64Array.from(g)));
      expect(tf.getBackend()).toBe('cpu');
      const xb = Array.from(await b.step(Float64Array.from(g)));
      expect(tf.getBackend()).toBe('wasm');
      expect(xb).toEqual(xa);
    }
    await a.dispose?.();
    await b.dispose?.();
  });
});

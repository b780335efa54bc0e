import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openInBrowser } from '../src/browser/index.js';
import { checkConformance } from '../src/conformance/index.js';
import type { IsolatedAdapter } from '../src/isolation/index.js';
import type { Stepper } from '../src/adapter/index.js';

// The matrix row `tfjs-webgl` (scripts/matrix.ts): examples/tfjs-webgl.mjs, TF.js 4.22's WebGL
// backend in headless Chromium, where WebGL 2 renders through SwiftShader without a GPU.

const root = fileURLToPath(new URL('..', import.meta.url));
/** SwiftShader compiles each new shader on the CPU: a first call takes seconds on the loaded machine. */
const CALL_MS = 120_000;

let adapter: IsolatedAdapter;

beforeAll(async () => {
  adapter = await openInBrowser('examples/tfjs-webgl.mjs', { cwd: root, timeoutMs: CALL_MS, loadTimeoutMs: CALL_MS });
}, 200_000);

afterAll(async () => {
  await adapter?.close();
});

async function stepOnce(config: Parameters<IsolatedAdapter['create']>[0], x0: number[], g: number[]) {
  const stepper: Stepper = await adapter.create(config, Float64Array.from(x0));
  try {
    return Array.from(await stepper.step(Float64Array.from(g)));
  } finally {
    await stepper.dispose?.();
  }
}

describe('TF.js 4.22 on its WebGL backend in headless Chromium', () => {
  test('starts WebGL 2 with float32 textures and declares GLSL ES 3.00 highp float32 arithmetic', () => {
    expect(adapter.name).toMatch(/^TensorFlow\.js 4\.22\.0 \(webgl backend, float32 textures\)$/);
    expect(adapter.dtype).toBe('float32');
    expect(adapter.arithmetic).toBe('glsl-es-3.00-highp');
  });

  test('its division shader answers 1 for 0 / 0 (RealDiv.js: if (a == b) return 1.0): Adam with eps = 0 and a zero gradient moves x by -lr', async () => {
    const config = { optimizer: 'adam' as const, learningRate: 0.5, beta1: 0.9, beta2: 0.999, epsilon: 0 };
    expect(await stepOnce(config, [2], [0])).toEqual([1.5]);
  }, 200_000);

  test('its SGD conforms on the arithmetic it declares', async () => {
    const report = await checkConformance(adapter, { only: ['sgd'], seed: 1, runs: 0.2, stepTimeoutMs: CALL_MS });
    const sgd = report.results[0]!;
    expect(sgd.verdict, JSON.stringify(sgd.findings.filter((f) => f.status !== 'pass'))).toBe('conforms');
  }, 600_000);
});

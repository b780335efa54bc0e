import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * `npm run test:libraries`: the verdicts on third-party optimizers (spec/*.library.spec.ts): TF.js,
 * deeplearn.js, convnetjs, toygrad and brain.js, each fully checked through its examples/ adapter and
 * every verdict justified by the library's source, as the matrix (docs/matrix.md) states them. A full
 * check of a real library costs seconds of CPU (TF.js's CPU backend allocates tensors for every op), 22 s
 * for the five; .ci/run runs them right after `npm test`, which leaves them out to stay within 60 s on two cores.
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['spec/**/*.library.spec.ts'],
    exclude: ['**/node_modules/**'],
  },
});

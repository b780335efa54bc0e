// A hand-written Adam that computes in float32 (every value rounded with Math.fround,
// as a Float32Array would) but declares float64: its values are off by float32
// rounding, no formula is wrong. The named export `float32Moments` keeps only m and
// v in float32 (in Float32Arrays) and computes the rest in float64.
import type { Adapter } from '../../src/adapter/contract.js';
import type { AdamConfig } from '../../src/reference/types.js';

function adam(name: string, moments: boolean): Adapter {
  const r = moments ? (v: number) => v : Math.fround;
  return {
    name,
    dtype: 'float64',
    optimizers: ['adam'],
    create(c, x0) {
      const config = c as AdamConfig;
      const x = Float64Array.from(x0, r);
      const m = moments ? new Float32Array(x.length) : new Float64Array(x.length);
      const v = moments ? new Float32Array(x.length) : new Float64Array(x.length);
      const [b1, b2, eps] = [r(config.beta1), r(config.beta2), r(config.epsilon)];
      let lr = r(config.learningRate);
      let t = 0;
      return {
        step(grad: Float64Array, learningRate?: number) {
          if (learningRate !== undefined) lr = r(learningRate);
          t++;
          const c1 = r(1 - r(b1 ** t));
          const c2 = r(1 - r(b2 ** t));
          for (let i = 0; i < x.length; i++) {
            const g = r(grad[i]!);
            m[i] = r(r(b1 * m[i]!) + r(r(1 - b1) * g));
            v[i] = r(r(b2 * v[i]!) + r(r(1 - b2) * r(g * g)));
            const mHat = r(m[i]! / c1);
            const vHat = r(v[i]! / c2);
            x[i] = r(x[i]! - r(r(lr * mHat) / r(r(Math.sqrt(vHat)) + eps)));
          }
          return x;
        },
      };
    },
  };
}

export default adam('adam in float32, declared float64', false);
export const float32Moments = adam('adam with float32 moments, declared float64', true);

import type { Adapter } from '../../../src/adapter/contract.js';
import { type Precision, rounderFor } from '../../../src/numerics/dtype.js';
import type { AdamConfig, Dtype } from '../../../src/reference/types.js';

/** Options of {@link handAdam}. */
export interface HandAdamOptions {
  name: string;
  /** The declared dtype: gradients and x0 are values of it. */
  dtype: Dtype;
  /** The declared mixed precision, where it differs from `dtype`. */
  precision?: Partial<Precision>;
  /** The dtype the state is really kept in (default: as declared): the bug `state-downcast` when narrower. */
  keptState?: Dtype;
  /** Epsilon flushed to 0 where it is below the dtype's smallest normal (a float16 texture without subnormals, TensorFlow.js issue 425). */
  flushEpsilon?: boolean;
}

/**
 * A hand-written Adam in the lecture's order, for any precision: every operation rounded to the
 * arithmetic's dtype, hyperparameters and `1 - beta ** t` rounded once from the double (D10), the
 * moments stored in the state's dtype and x in the parameters' (each rounded where it is stored,
 * and read back as stored). Planted bugs: the state kept narrower than declared, epsilon flushed.
 */
export function handAdam(options: HandAdamOptions): Adapter {
  const arithmetic = options.precision?.arithmetic ?? options.dtype;
  const a = rounderFor(arithmetic);
  const p = rounderFor(options.precision?.parameters ?? options.dtype);
  const s = rounderFor(options.keptState ?? options.precision?.state ?? options.dtype);
  const smallestNormal = arithmetic === 'float16' ? 2 ** -14 : 2 ** -126;
  return {
    name: options.name,
    dtype: options.dtype,
    ...(options.precision === undefined ? {} : { precision: options.precision }),
    optimizers: ['adam'],
    create(config, x0) {
      const c = config as AdamConfig;
      const x = Float64Array.from(x0, p);
      const m = new Float64Array(x.length);
      const v = new Float64Array(x.length);
      const [b1, b2, k1, k2] = [a(c.beta1), a(c.beta2), a(1 - c.beta1), a(1 - c.beta2)];
      const eps = options.flushEpsilon === true && Math.abs(a(c.epsilon)) < smallestNormal ? 0 : a(c.epsilon);
      let lr = c.learningRate;
      let t = 0;
      return {
        step(grad, learningRate) {
          if (learningRate !== undefined) lr = learningRate;
          t++;
          const [c1, c2] = [a(1 - c.beta1 ** t), a(1 - c.beta2 ** t)];
          for (let i = 0; i < x.length; i++) {
            const g = a(grad[i]!);
            m[i] = s(a(a(b1 * m[i]!) + a(k1 * g)));
            v[i] = s(a(a(b2 * v[i]!) + a(a(k2 * g) * g)));
            const mHat = a(m[i]! / c1);
            const vHat = a(v[i]! / c2);
            x[i] = p(a(x[i]! - a(a(a(lr) * mHat) / a(a(Math.sqrt(vHat)) + eps))));
          }
          return x;
        },
      };
    },
  };
}

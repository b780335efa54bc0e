import type { Adapter, Stepper } from '../../../src/adapter/contract.js';
import { referenceAdapter } from '../../../src/adapter/contract.js';
import type { OptimizerConfig, OptimizerName } from '../../../src/reference/types.js';

/** The ways an in-process adapter misbehaves that issue 4 lists. */
export type Misbehaviour =
  | 'throws'
  | 'rejects'
  | 'hangs'
  | 'wrong-length'
  | 'garbage'
  | 'create-returns-nothing'
  | 'scribbles-later';

/**
 * The float64 reference, except that `victim` misbehaves in the given way; every
 * other optimizer stays correct, so a test can see the run go on after the error.
 * `scribbles-later` is not an error: it returns its own buffer and overwrites it
 * after the step has answered, which the checker must survive by copying at once.
 */
export function misbehaving(how: Misbehaviour, victim: OptimizerName = 'adam'): Adapter {
  const reference = referenceAdapter({ dtype: 'float64' });
  return {
    name: `misbehaving (${how} on ${victim})`,
    dtype: 'float64',
    optimizers: reference.optimizers,
    async create(config: OptimizerConfig, x0: Float64Array): Promise<Stepper> {
      const inner = (await reference.create(config, x0)) as Stepper;
      if (config.optimizer !== victim) return inner;
      if (how === 'create-returns-nothing') return undefined as unknown as Stepper;
      let count = 0;
      return {
        step(grad: Float64Array, learningRate?: number) {
          count++;
          switch (how) {
            case 'throws':
              if (count === 3) throw new Error('planted failure: out of memory at step 3');
              break;
            case 'rejects':
              return Promise.reject(new Error('planted rejection: device lost'));
            case 'hangs':
              return new Promise<never>(() => undefined);
            case 'wrong-length':
              return new Float64Array(x0.length + 1);
            case 'garbage':
              return Array.from({ length: x0.length }, () => 'NaN') as unknown as number[];
            default:
              break;
          }
          const out = inner.step(grad, learningRate) as Float64Array;
          if (how === 'scribbles-later') {
            const own = new Float64Array(out);
            setTimeout(() => own.fill(12345), 0);
            return own;
          }
          return out;
        },
      };
    },
  };
}

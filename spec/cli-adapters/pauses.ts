// The reference (float64, SGD and Momentum) as a user's module that pauses: at its step call number
// OPTIMSPEC_PAUSE_AT it writes the file OPTIMSPEC_PAUSE_FILE and never answers that call (correct, only slow),
// so that a test can interrupt the checker while a subject's check is surely in progress (spec/interrupted.spec.ts).
import { writeFileSync } from 'node:fs';
import { type Adapter, referenceAdapter } from '../../src/adapter/contract.js';

const reference = referenceAdapter({ dtype: 'float64' });
const pauseAt = Number(process.env.OPTIMSPEC_PAUSE_AT);
let steps = 0;

const adapter: Adapter = {
  name: 'pauses (reference)',
  dtype: 'float64',
  optimizers: ['sgd', 'momentum'],
  create(config, x0) {
    const inner = reference.create(config, x0);
    return {
      step(grad, learningRate) {
        if (++steps === pauseAt) {
          writeFileSync(process.env.OPTIMSPEC_PAUSE_FILE!, String(steps));
          return new Promise<never>(() => undefined);
        }
        return inner.step(grad, learningRate);
      },
    };
  },
};
export default adapter;

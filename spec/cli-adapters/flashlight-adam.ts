// flashlight's AdamOptimizer before its issue 143 was fixed, as a user's TypeScript module over several tensors:
// one step counter advanced once per tensor inside a step (spec/support/planted/tensors.ts).
import type { Adapter } from '../../src/adapter/index.js';
import { tensorImplementation } from '../support/planted/tensors.js';

const adapter: Adapter = tensorImplementation({
  name: 'flashlight-like Adam',
  dtype: 'float32',
  bug: 'step-counter-counts-tensors',
  optimizers: ['adam'],
  schedules: [],
});
export default adapter;

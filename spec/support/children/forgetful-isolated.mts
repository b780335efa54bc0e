// A caller that isolates an adapter, steps it, and ends without close(): Node must still exit
// (spec/isolation.spec.ts). Prints the step's result.
import { fileURLToPath } from 'node:url';
import { isolateAdapter } from '../../../src/isolation/isolate-adapter.js';

const module = fileURLToPath(new URL('../../cli-adapters/sgd-only.mjs', import.meta.url));
const adapter = await isolateAdapter(module);
const stepper = await adapter.create({ optimizer: 'sgd', learningRate: 0.5 }, new Float64Array([1]));
process.stdout.write(`${(await stepper.step(new Float64Array([1])))[0]}\n`);

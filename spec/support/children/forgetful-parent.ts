// A caller that starts a child which survives SIGTERM and end of stdin, then
// ends without close(): Node must still exit, and the child must not outlive it
// (spec/protocol-misbehaving.spec.ts). Prints the child's pid.
import { fileURLToPath } from 'node:url';
import { spawnAdapter } from '../../../src/protocol/spawn-adapter.js';

const child = fileURLToPath(new URL('./misbehaving.mjs', import.meta.url));
const adapter = await spawnAdapter([process.execPath, child, 'ignore-shutdown']);
const stepper = await adapter.create({ optimizer: 'sgd', learningRate: 1 }, new Float64Array([1]));
await stepper.step(new Float64Array([1]));
process.stdout.write(`${adapter.pid}\n`);

// Run by spec/isolation.spec.ts in a process of its own, so that its RSS is this probe's alone:
// a child writes a `<MiB>` MiB line with no newline against a cap of `<cap MiB>`; prints the peak RSS growth and the error.
import { fileURLToPath } from 'node:url';
import { spawnAdapter } from '../../../src/protocol/spawn-adapter.js';

const [mib, capMib] = process.argv.slice(2).map(Number) as [number, number];
const child = fileURLToPath(new URL('./isolation-child.mjs', import.meta.url));
const before = process.memoryUsage().rss;
let peak = before;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 5);
const adapter = await spawnAdapter([process.execPath, child, 'long-line', String(mib)], {
  maxLineLength: capMib * 1024 * 1024,
  timeoutMs: 60_000,
});
let message = '';
try {
  await adapter.create({ optimizer: 'sgd', learningRate: 0.1 }, new Float64Array([1]));
} catch (error) {
  message = (error as Error).message;
}
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await adapter.close();
process.stdout.write(JSON.stringify({ growth: peak - before, message }));

// A correct float64 SGD over the stdio protocol (docs/protocol.md) that pauses: at its `step` request number
// argv[3] it writes its pid to the file argv[2] and answers nothing more (it stays correct, only slow), so that
// a test can interrupt the checker while a subject's check is surely in progress (spec/interrupted.spec.ts).
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const [marker, pauseAt] = process.argv.slice(2);
const write = (answer) => process.stdout.write(`${JSON.stringify(answer)}\n`);
const decode = (v) =>
  v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : v === '-0' ? -0 : v;
const encode = (v) =>
  Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : Object.is(v, -0) ? '-0' : v;
const instances = new Map();
let handles = 0;
let steps = 0;
let paused = false;

createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  const { id, op } = request;
  if (paused) return;
  if (op === 'hello')
    return write({ id, ok: true, protocol: 1, name: 'pausing sgd', dtype: 'float64', optimizers: ['sgd', 'momentum'] });
  if (op === 'create') {
    if (request.config.optimizer !== 'sgd') return write({ id, ok: false, error: 'only sgd is implemented' });
    handles++;
    instances.set(handles, { lr: decode(request.config.learningRate), x: request.x0.map(decode) });
    return write({ id, ok: true, handle: handles });
  }
  if (op === 'step' || op === 'steps') {
    if (++steps === Number(pauseAt)) {
      paused = true;
      return writeFileSync(marker, String(process.pid));
    }
    const instance = instances.get(request.handle);
    const grads = op === 'step' ? [request.grad] : request.grads;
    const rates = op === 'step' ? [request.learningRate] : (request.learningRates ?? []);
    const xs = grads.map((g, k) => {
      if (rates[k] !== undefined && rates[k] !== null) instance.lr = decode(rates[k]);
      instance.x = instance.x.map((xi, i) => xi - instance.lr * decode(g[i]));
      return instance.x.map(encode);
    });
    return write(op === 'step' ? { id, ok: true, x: xs[0] } : { id, ok: true, xs });
  }
  if (op === 'dispose') {
    instances.delete(request.handle);
    return write({ id, ok: true });
  }
  if (op === 'shutdown') {
    write({ id, ok: true });
    process.exit(0);
  }
  write({ id, ok: false, error: `unknown op ${op}` });
});

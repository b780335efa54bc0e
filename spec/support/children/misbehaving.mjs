// A protocol child that misbehaves in the way named by its first argument
// (spec/protocol-misbehaving.spec.ts). Otherwise it is a correct float64 SGD.
// `marks-answers <file>`: a correct SGD that creates <file> once it has written a step's answer.
// `tensors-*`: it also declares several tensors (docs/spec.md section 9), whose steps misbehave.
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const mode = process.argv[2] ?? 'correct';
const write = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const hello = {
  protocol: 1,
  name: `misbehaving (${mode})`,
  dtype: 'float64',
  optimizers: ['sgd'],
  schedules: ['inverse-time'],
};

process.stderr.write(`misbehaving child starting in mode ${mode}\n`);
if (mode === 'crash-at-start') {
  process.stderr.write('Traceback: ImportError: no module named optimizer\n');
  process.exit(3);
}
if (mode === 'ignore-shutdown' || mode === 'hang-on-step') {
  // Survive SIGTERM and the end of stdin: only SIGKILL ends this child.
  process.on('SIGTERM', () => {});
  setInterval(() => {}, 1000);
}

const instances = new Map();
let nextHandle = 1;
createInterface({ input: process.stdin }).on('line', (line) => {
  const request = JSON.parse(line);
  const { id, op } = request;
  if (op === 'hello') {
    if (mode === 'silent') return;
    if (mode === 'bad-dtype') return write({ id, ok: true, ...hello, dtype: 'float8' });
    if (mode === 'bad-optimizer') return write({ id, ok: true, ...hello, optimizers: ['sgd', 'lion'] });
    if (mode === 'bad-protocol') return write({ id, ok: true, ...hello, protocol: 2 });
    if (mode === 'hello-garbage') return process.stdout.write('Loading model weights...\n');
    if (mode === 'close-stdin') {
      // Stay alive with stdin closed: every later write of the parent meets EPIPE.
      write({ id, ok: true, ...hello });
      process.stdin.destroy();
      setInterval(() => {}, 1000);
      return;
    }
    if (mode.startsWith('tensors-')) return write({ id, ok: true, ...hello, tensors: { tensors: true } });
    return write({ id, ok: true, ...hello });
  }
  if (op === 'createTensors') {
    const handle = nextHandle++;
    instances.set(handle, { xs: request.groups.flatMap((g) => g.x0.map((x) => x.map(Number))) });
    return write({ id, ok: true, handle });
  }
  if (op === 'stepTensors') {
    const { xs } = instances.get(request.handle);
    if (mode === 'tensors-not-arrays') return write({ id, ok: true, xs: 7 });
    if (mode === 'tensors-wrong-length') return write({ id, ok: true, xs: xs.map((x) => [...x, 0]) });
    return write({ id, ok: true, xs });
  }
  if (op === 'create') {
    if (mode === 'endless-line') {
      const chunk = 'x'.repeat(65536);
      setInterval(() => process.stdout.write(chunk), 1);
      return;
    }
    if (mode === 'garbage-on-create') return process.stdout.write('debug: creating optimizer\n');
    const handle = nextHandle++;
    instances.set(handle, { lr: Number(request.config.learningRate), x: request.x0.map(Number) });
    return write({ id, ok: true, handle });
  }
  if (op === 'step' || op === 'steps') {
    const instance = instances.get(request.handle);
    if (mode === 'crash-mid-run') {
      process.stderr.write('Fatal error: segmentation fault in step\n');
      process.exit(139);
    }
    if (mode === 'hang-on-step') return;
    if (mode === 'ok-false') return write({ id, ok: false, error: 'ZeroDivisionError: float division by zero' });
    if (mode === 'wrong-id') return write({ id: id + 100, ok: true, x: instance.x });
    if (mode === 'no-ok') return write({ id, x: instance.x });
    if (mode === 'json-array') return process.stdout.write('[1,2,3]\n');
    if (mode === 'unreadable') return write({ id: null, ok: false, error: 'cannot read request: truncated' });
    if (mode === 'blank-lines') process.stdout.write('\n  \n');
    const grads = op === 'step' ? [request.grad] : request.grads;
    const xs = grads.map((g) => {
      instance.x = instance.x.map((xi, i) => xi - instance.lr * g[i]);
      return instance.x;
    });
    if (mode === 'wrong-length') return write({ id, ok: true, x: xs[0].slice(1), xs: xs.slice(1) });
    if (mode === 'not-arrays') return write({ id, ok: true, x: { 0: 1 }, xs: 7 });
    if (mode === 'non-number')
      return write({ id, ok: true, x: ['1.5', ...xs[0].slice(1)], xs: xs.map((x) => [null, ...x.slice(1)]) });
    if (mode === 'split-lines') {
      // One answer in three writes, with CR LF: the parent must reassemble it.
      const text = JSON.stringify(op === 'step' ? { id, ok: true, x: xs[0] } : { id, ok: true, xs });
      process.stdout.write(text.slice(0, 5));
      setTimeout(() => process.stdout.write(text.slice(5, 9)), 5);
      setTimeout(() => process.stdout.write(`${text.slice(9)}\r\n`), 10);
      return;
    }
    write(op === 'step' ? { id, ok: true, x: xs[0] } : { id, ok: true, xs });
    // A write to a pipe is synchronous on Linux: the answer is in the pipe before the file exists.
    if (mode === 'marks-answers') writeFileSync(process.argv[3], '');
    return;
  }
  if (op === 'schedule') {
    if (mode === 'hang-on-schedule' && request.t.length > 0) return;
    if (mode === 'schedule-limit' && request.t.some((t) => t > 300))
      return write({ id, ok: false, error: 'ValueError: t beyond 300' });
    if (mode === 'values-short' && request.t.length > 0) return write({ id, ok: true, values: request.t.slice(1) });
    const { initial, k } = request.config;
    return write({ id, ok: true, values: request.t.map((t) => initial / (1 + k * t)) });
  }
  if (op === 'dispose') {
    instances.delete(request.handle);
    return write({ id, ok: true });
  }
  if (op === 'shutdown') {
    if (mode === 'ignore-shutdown') return write({ id, ok: true });
    write({ id, ok: true });
    process.exit(0);
  }
});

// Protocol children for spec/isolation.spec.ts, by the mode in argv[2]:
// - `long-line <MiB>`: answers hello, then writes one stdout line of that many MiB with no newline, and waits.
// - `grandchild <pidfile>`: starts a grandchild that sleeps holding stdout, writes its pid to the file, then hangs on hello.
// - `hang-on-step <pidfile>`: a float64 SGD that writes its own pid to the file at its first step, and never answers it.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const [mode, arg] = process.argv.slice(2);
setInterval(() => {}, 1000);
if (mode === 'grandchild') {
  const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  writeFileSync(arg, String(sleeper.pid));
}
createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, op } = JSON.parse(line);
  if (mode === 'hang-on-step') {
    if (op === 'hello')
      return process.stdout.write(
        `${JSON.stringify({ id, ok: true, protocol: 1, name: 'hangs on step', dtype: 'float64', optimizers: ['sgd'] })}\n`,
      );
    if (op === 'create') return process.stdout.write(`${JSON.stringify({ id, ok: true, handle: 1 })}\n`);
    if (op === 'step' || op === 'steps') return writeFileSync(arg, String(process.pid));
    return process.stdout.write(`${JSON.stringify({ id, ok: true })}\n`);
  }
  if (op !== 'hello' || mode === 'grandchild') return;
  process.stdout.write(
    `${JSON.stringify({ id, ok: true, protocol: 1, name: 'long line', dtype: 'float64', optimizers: ['sgd'] })}\n`,
  );
  const mib = 'x'.repeat(1024 * 1024);
  let left = Number(arg);
  const more = () => {
    while (left > 0) {
      left--;
      if (!process.stdout.write(mib)) return process.stdout.once('drain', more);
    }
  };
  more();
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, test } from 'vitest';
import type { CliIo } from '../src/cli/index.js';
import { type Adapter, referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import { validateAdapter } from '../src/adapter/load-adapter.js';
import { spawnAdapter } from '../src/protocol/spawn-adapter.js';
import { built, importBuilt } from './support/built.js';
import { hangGuard } from './support/slowdown.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const exec = promisify(execFile);

/** A holey array of length 2^32 - 1 with only [0] set. */
function holey(first: string): string[] {
  const list = [first];
  list.length = 2 ** 32 - 1;
  return list;
}

function thrown(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    return (error as Error).message;
  }
  return 'nothing thrown';
}

describe('an adapter whose name lists are holey arrays of length 2^32 - 1', () => {
  const good = { name: 'a', dtype: 'float64', optimizers: ['sgd'], create() {} };

  test('validateAdapter refuses them from their length, naming the field, without walking them', () => {
    expect(thrown(() => validateAdapter({ ...good, optimizers: holey('sgd') }, 'm.js'))).toBe(
      'm.js: adapter.optimizers has length 4294967295, more than the 6 names there are (sgd, momentum, nesterov, adagrad, rmsprop, adam): each is listed at most once',
    );
    expect(thrown(() => validateAdapter({ ...good, schedules: holey('step'), schedule() {} }, 'm.js'))).toBe(
      'm.js: adapter.schedules has length 4294967295, more than the 3 names there are (step, exponential, inverse-time): each is listed at most once',
    );
    // A short holey list: the hole is an entry, and it is not a name.
    const short = ['sgd'];
    short.length = 3;
    expect(thrown(() => validateAdapter({ ...good, optimizers: short }, 'm.js'))).toBe(
      'm.js: adapter.optimizers[1] must be one of sgd, momentum, nesterov, adagrad, rmsprop, adam, got undefined',
    );
  });

  test('checkConformance refuses them the same way (an adapter object of a library caller)', async () => {
    const reference = referenceAdapter({ dtype: 'float64' });
    const adapters: [Adapter, string][] = [
      [{ ...reference, optimizers: holey('sgd') as never }, 'adapter.optimizers has length 4294967295'],
      [{ ...reference, schedules: holey('step') as never }, 'adapter.schedules has length 4294967295'],
    ];
    for (const [adapter, message] of adapters)
      await expect(checkConformance(adapter, { only: ['sgd'] })).rejects.toThrow(message);
  });

  test('the CLI answers a module with one at once: exit 1, the field and its length', async () => {
    let stderr = '';
    const io: CliIo = {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (stderr += s) },
      env: { PATH: process.env.PATH },
      cwd: root,
    };
    // The compiled CLI (spec/support/built.ts): the module's worker starts from JavaScript, not through tsx.
    const { runCheckCommand } =
      await importBuilt<typeof import('../src/cli/check-command.js')>('src/cli/check-command.ts');
    const code = await runCheckCommand(['spec/cli-adapters/hostile/holey-optimizers.mjs', '--quiet'], io);
    expect(code).toBe(1);
    expect(stderr).toContain(
      'holey-optimizers.mjs: adapter.optimizers has length 4294967295, more than the 6 names there are',
    );
  });
});

/** What spec/support/children/flood-probe.mts reports per mode: peak RSS growth of its checker, the verdict, the error. */
interface Probe {
  growth: number;
  verdict: string;
  message?: string;
}

/** The default line cap of spawnAdapter (src/protocol/spawn-adapter.ts), in bytes. */
const CAP = 8 * 1024 * 1024;
/** The bound on the checker's memory whatever a child writes: 100 MB above its baseline. */
const MEMORY_BOUND = 100 * 1000 * 1000;

describe('an --exec child that floods stdout: an error naming what it did, memory bounded', () => {
  const modes = ['objects', 'brace-line', 'line-200', 'spaces-200', 'spaces-48', 'whitespace', 'blank'];
  let probes: Record<string, Probe>;
  // In a process of its own, so that its peak RSS is the probe's alone; no call has a timeout that could end a flood
  // first (the probe gives each 600 s): only the line cap does, and the hook's timeout is the only clock. The modes
  // run one after the other, each from a garbage-collected baseline: glibc is told to map every block over 16 kB on
  // its own and to give freed memory back, so that what one mode freed does not hide what the next one takes.
  beforeAll(async () => {
    const { stdout } = await exec(
      process.execPath,
      ['--expose-gc', built('spec/support/children/flood-probe.mts'), ...modes],
      { cwd: root, env: { ...process.env, MALLOC_MMAP_THRESHOLD_: '16384', MALLOC_TRIM_THRESHOLD_: '0' } },
    );
    probes = JSON.parse(stdout) as Record<string, Probe>;
  }, hangGuard(180_000));
  const whitespace = new RegExp(
    `it wrote (\\d+) bytes of whitespace and blank lines to stdout and no answer, more than the line cap of ${CAP} bytes`,
  );

  test.each([
    ['blank', 'blank lines, endlessly'],
    ['whitespace', 'lines of spaces, tabs and CR, endlessly'],
    ['spaces-48', 'lines of 48 MiB of spaces, endlessly'],
    ['spaces-200', 'one line of 200 MiB of spaces'],
  ])('%s (%s): they count against the line cap', (mode) => {
    const { growth, verdict, message } = probes[mode]!;
    expect(verdict).toBe('error');
    const bytes = Number(whitespace.exec(message ?? '')?.[1]);
    expect(bytes, message).toBeGreaterThan(CAP);
    expect(growth).toBeLessThan(MEMORY_BOUND);
  });

  test('one line of 200 MiB of x: cut at the cap, only its start kept', () => {
    const { growth, verdict, message } = probes['line-200']!;
    expect(verdict).toBe('error');
    expect(message).toContain(`it wrote a stdout line of more than ${CAP} bytes without a newline`);
    expect(growth).toBeLessThan(MEMORY_BOUND);
  });

  test('JSON objects of 7 MiB answering no request, endlessly: the first ends the session', () => {
    const { growth, verdict, message } = probes.objects!;
    expect(verdict).toBe('error');
    expect(message).toContain('it answered with id 0, which no request is waiting for');
    expect(growth).toBeLessThan(MEMORY_BOUND);
  });

  test('a line of 7 MiB that starts like an answer: read whole, then refused as not JSON', () => {
    const { growth, verdict, message } = probes['brace-line']!;
    expect(verdict).toBe('error');
    expect(message).toContain('it wrote a line to stdout that is not JSON: "{xxx');
    expect(growth).toBeLessThan(MEMORY_BOUND);
  });
});

describe('the line cap rises for an answer that needs it', () => {
  test('a batch of steps whose answer is over the cap is read (32 bytes per number are allowed for)', async ({
    onTestFinished,
  }) => {
    const child = fileURLToPath(new URL('./support/children/misbehaving.mjs', import.meta.url));
    const adapter = await spawnAdapter([process.execPath, child, 'correct'], { maxLineLength: 100_000 });
    onTestFinished(() => adapter.close());
    // 5000 coordinates of about 19 characters each, three steps: some 300 kB in one answer line.
    const x0 = Float64Array.from({ length: 5000 }, (_, i) => 1 / (i + 3));
    const grad = Float64Array.from({ length: 5000 }, (_, i) => 1 / (i + 7));
    const stepper = await adapter.create({ optimizer: 'sgd', learningRate: 0.1 }, x0);
    const xs = await stepper.steps([grad, grad, grad]);
    expect(xs[2]![0]).toBe(1 / 3 - 0.1 * (1 / 7) - 0.1 * (1 / 7) - 0.1 * (1 / 7));
    expect(JSON.stringify(Array.from(xs[2]!)).length * 3).toBeGreaterThan(100_000);
  });
});

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it, type TestContext } from 'vitest';
import { AdapterError } from '../src/adapter/adapter-error.js';
import { type SpawnAdapterOptions, type SpawnedAdapter, spawnAdapter } from '../src/protocol/spawn-adapter.js';
import { isRunning } from '../src/protocol/child-registry.js';
import { built } from './support/built.js';
import { hangGuard } from './support/slowdown.js';
import { testScratchFolder } from './support/scratch.js';

const child = fileURLToPath(new URL('./support/children/misbehaving.mjs', import.meta.url));
const printing = fileURLToPath(new URL('./support/children/printing_adapter.py', import.meta.url));
// Calls that must succeed get generous timeouts, scaled by the machine's load (they guard against a
// hang only); calls that must time out get 1 s, which bounds each case and is what their messages name.
const settled: SpawnAdapterOptions = {
  timeoutMs: hangGuard(5000),
  handshakeTimeoutMs: hangGuard(10_000),
  closeTimeoutMs: 1000,
};
const hanging: SpawnAdapterOptions = { ...settled, timeoutMs: 1000 };
const sgd = { optimizer: 'sgd', learningRate: 0.5 } as const;
const x0 = new Float64Array([1, 2, 3]);
const grad = new Float64Array([1, 1, 1]);

/** Starts the misbehaving child in `mode`; when the test ends, closes it and checks that it is gone. */
function opener({ onTestFinished }: TestContext) {
  return async (mode: string, options: SpawnAdapterOptions = settled): Promise<SpawnedAdapter> => {
    const adapter = await spawnAdapter([process.execPath, child, mode], options);
    const pid = adapter.pid;
    onTestFinished(async () => {
      await adapter.close();
      if (pid !== undefined) expect(isRunning(pid), `child ${pid} left running`).toBe(false);
    });
    return adapter;
  };
}

/** Awaits a rejection and returns it as an AdapterError (fails the test if it is anything else). */
async function adapterError(promise: Promise<unknown>): Promise<AdapterError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdapterError);
  return error as AdapterError;
}

/** A failed handshake leaves no child: the error names its pid, which must be gone. */
function expectGone(error: AdapterError): void {
  const pid = /\(pid (\d+)\)/.exec(error.message)?.[1];
  if (pid !== undefined) expect(isRunning(Number(pid)), `child ${pid} left running`).toBe(false);
}

describe.concurrent('spawnAdapter against misbehaving children', () => {
  it('a child that crashes at start: the handshake fails with its stderr and exit status', async () => {
    const error = await adapterError(spawnAdapter([process.execPath, child, 'crash-at-start'], settled));
    expect(error.operation).toBe('handshake');
    expectGone(error);
    expect(error.message).toContain('exited with status 3');
    expect(error.message).toContain('ImportError: no module named optimizer');
  });

  it('bad arguments are refused before anything starts, naming the option or command', async () => {
    await expect(spawnAdapter('python3 adapter.py', { timeoutMs: 0 })).rejects.toThrow(
      'options.timeoutMs must be a number > 0, got 0',
    );
    await expect(spawnAdapter('python3 adapter.py', { handshakeTimeoutMs: Number.NaN })).rejects.toThrow(
      'options.handshakeTimeoutMs must be a number > 0, got NaN',
    );
    await expect(spawnAdapter([])).rejects.toThrow(
      'command must be a command line or a non-empty array of strings, got an array of length 0',
    );
    await expect(spawnAdapter(`python3 'adapter.py`)).rejects.toThrow(TypeError);
  });

  it('a program that does not exist: a clear AdapterError, no crash', async () => {
    const error = await adapterError(spawnAdapter('/nonexistent/optimizer --flag', settled));
    expect(error.message).toContain('could not be started');
    expect(error.message).toContain('ENOENT');
  });

  it('a child that crashes mid-run: the pending step is rejected, later calls at once', async (context) => {
    const open = opener(context);
    const adapter = await open('crash-mid-run');
    const stepper = await adapter.create(sgd, x0);
    const error = await adapterError(stepper.step(grad));
    expect(error.operation).toBe('step');
    expect(error.message).toContain('exited with status 139');
    expect(error.message).toContain('segmentation fault in step');
    const later = await adapterError(adapter.create(sgd, x0));
    expect(later.message).toContain('not sent, the child is unusable');
    expect(later.message).toContain('segmentation fault in step');
  });

  it('a child that hangs on step: timed out, killed (it ignores SIGTERM), later calls rejected', async (context) => {
    const open = opener(context);
    const adapter = await open('hang-on-step', hanging);
    const pid = adapter.pid!;
    const stepper = await adapter.create(sgd, x0);
    const error = await adapterError(stepper.step(grad));
    expect(error.message).toContain('step got no answer within 1000 ms');
    expect(error.message).toContain('misbehaving child starting in mode hang-on-step');
    await adapterError(stepper.step(grad));
    await adapter.close();
    expect(isRunning(pid)).toBe(false);
  });

  it('a child silent at handshake: timed out and killed', async () => {
    // 1.5 s idle (a Node child starts and logs in 0.1 s), scaled by the machine's load (one took over
    // 4 s to start at load 12 on two cores): long enough for the child to log, so that its stderr is quoted.
    const ms = hangGuard(1500);
    const error = await adapterError(
      spawnAdapter([process.execPath, child, 'silent'], { ...settled, handshakeTimeoutMs: ms }),
    );
    expect(error.operation).toBe('handshake');
    expect(error.message).toContain(`hello got no answer within ${ms} ms`);
    expectGone(error);
    expect(error.message).toContain('starting in mode silent');
  });

  it('a child that writes a log line to stdout: fatal, named, with a hint', async (context) => {
    const open = opener(context);
    const error = await adapterError(spawnAdapter([process.execPath, child, 'hello-garbage'], settled));
    expectGone(error);
    expect(error.message).toContain('not JSON: "Loading model weights..."');
    expect(error.message).toContain('log to stderr');
    const adapter = await open('garbage-on-create');
    const created = await adapterError(adapter.create(sgd, x0));
    expect(created.operation).toBe('create');
    expect(created.message).toContain('"debug: creating optimizer"');
  });

  it('answers of the wrong length or with non-numbers: that call fails, the session goes on', async (context) => {
    const open = opener(context);
    const [short, garbage] = await Promise.all([open('wrong-length'), open('non-number')]);
    const a = await short.create(sgd, x0);
    expect((await adapterError(a.step(grad))).message).toContain('step returned length 2, expected 3');
    expect((await adapterError(a.steps([grad, grad]))).message).toContain(
      'steps returned an array of length 1, expected an array of 2 parameter vectors',
    );
    const b = await garbage.create(sgd, x0);
    expect((await adapterError(b.step(grad))).message).toContain(
      'step returned "1.5" at index 0, expected a number (a JSON number, or "NaN", "Infinity", "-Infinity" or "-0")',
    );
    expect((await adapterError(b.steps([grad]))).message).toContain(
      'steps returned null at index 0, expected a number',
    );
    await b.dispose();
  });

  it('ok:false answers carry the child message; the session goes on', async (context) => {
    const open = opener(context);
    const adapter = await open('ok-false');
    const stepper = await adapter.create(sgd, x0);
    const error = await adapterError(stepper.step(grad));
    expect(error.message).toContain('the child answered ok:false: ZeroDivisionError: float division by zero');
    expect(await adapter.scheduleValues({ schedule: 'inverse-time', initial: 1, k: 1 }, [0, 1])).toEqual(
      new Float64Array([1, 0.5]),
    );
  });

  it('an answer with an unknown id, or without ok, is refused', async (context) => {
    const open = opener(context);
    const [wrong, noOk, array, unreadable] = await Promise.all(
      ['wrong-id', 'no-ok', 'json-array', 'unreadable'].map((mode) => open(mode)),
    );
    const a = await wrong!.create(sgd, x0);
    expect((await adapterError(a.step(grad))).message).toContain(
      'answered with id 103, which no request is waiting for',
    );
    const b = await noOk!.create(sgd, x0);
    expect((await adapterError(b.step(grad))).message).toContain('has no "ok": true or false');
    const c = await array!.create(sgd, x0);
    expect((await adapterError(c.step(grad))).message).toContain('not a JSON object: "[1,2,3]"');
    const d = await unreadable!.create(sgd, x0);
    expect((await adapterError(d.step(grad))).message).toContain(
      'it could not read a request: cannot read request: truncated',
    );
  });

  it('blank lines between answers are ignored', async (context) => {
    const open = opener(context);
    const adapter = await open('blank-lines');
    const stepper = await adapter.create(sgd, x0);
    expect(await stepper.step(grad)).toEqual(new Float64Array([0.5, 1.5, 2.5]));
  });

  it('a handshake that declares an unknown dtype, optimizer or protocol version names the field and value', async () => {
    const [dtype, optimizer, protocol] = await Promise.all(
      ['bad-dtype', 'bad-optimizer', 'bad-protocol'].map((mode) =>
        adapterError(spawnAdapter([process.execPath, child, mode], settled)),
      ),
    );
    for (const error of [dtype!, optimizer!, protocol!]) {
      expect(error.operation).toBe('handshake');
      expectGone(error);
    }
    expect(dtype!.message).toContain(`dtype must be 'float16', 'bfloat16', 'float32' or 'float64', got "float8"`);
    expect(optimizer!.message).toContain(
      'optimizers[1] must be one of sgd, momentum, nesterov, adagrad, rmsprop, adam, got "lion"',
    );
    expect(protocol!.message).toContain('protocol must be 1');
  });

  it('a child that closes its stdin: writing to it (EPIPE) does not crash Node, the call times out', async (context) => {
    const open = opener(context);
    const adapter = await open('close-stdin', hanging);
    // About 200 kB a request ("0.25," per number), more than a pipe holds (64 KiB on Linux): each write is still
    // pending when the child's end of the pipe is gone, so it meets EPIPE rather than waiting in the pipe.
    const big = new Float64Array(40_000).fill(0.25);
    const results = await Promise.allSettled([
      adapter.create(sgd, big),
      adapter.create(sgd, big),
      adapter.create(sgd, big),
    ]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(AdapterError);
      expect((result as PromiseRejectedResult).reason.message).toContain('create got no answer within 1000 ms');
    }
  });

  it('a child that ignores shutdown and SIGTERM is killed by close()', async (context) => {
    const open = opener(context);
    const adapter = await open('ignore-shutdown');
    const pid = adapter.pid!;
    const stepper = await adapter.create(sgd, x0);
    expect(await stepper.step(grad)).toEqual(new Float64Array([0.5, 1.5, 2.5]));
    await adapter.close();
    expect(isRunning(pid)).toBe(false);
    expect((await adapterError(stepper.step(grad))).message).toContain('closed');
  });

  it('a caller that forgets close(): Node still exits, and the child does not outlive it', async () => {
    const forgetful = built('spec/support/children/forgetful-parent.ts');
    const { stdout } = await promisify(execFile)(process.execPath, [forgetful], { timeout: hangGuard(20_000) });
    const pid = Number(stdout.trim());
    expect(pid).toBeGreaterThan(0);
    expect(isRunning(pid)).toBe(false);
  });

  it('an endless stdout line (no newline) is cut off: the child is killed, memory stays bounded', async (context) => {
    const open = opener(context);
    const adapter = await open('endless-line', { ...settled, maxLineLength: 100_000 });
    const error = await adapterError(adapter.create(sgd, x0));
    expect(error.message).toContain('a stdout line of more than 100000 bytes without a newline');
  });

  it('answers split across writes and ending in CR LF are reassembled', async (context) => {
    const open = opener(context);
    const adapter = await open('split-lines');
    const stepper = await adapter.create(sgd, x0);
    expect(await stepper.step(grad)).toEqual(new Float64Array([0.5, 1.5, 2.5]));
    expect(await stepper.steps([grad, grad])).toEqual([
      new Float64Array([0, 1, 2]),
      new Float64Array([-0.5, 0.5, 1.5]),
    ]);
  });

  it('a Python adapter that prints and raises: prints go to stderr, the exception becomes ok:false', async ({
    onTestFinished,
  }) => {
    const adapter = await spawnAdapter(['python3', printing], settled);
    onTestFinished(() => adapter.close());
    const stepper = await adapter.create(sgd, x0);
    expect(await stepper.step(grad)).toEqual(new Float64Array([0.5, 1.5, 2.5]));
    const error = await adapterError(stepper.step(new Float64Array([1, Number.NaN, 1])));
    expect(error.message).toContain('ValueError: gradient contains NaN');
    expect(error.message).toContain('stepping with [1.0, nan, 1.0]');
    expect(adapter.stderr()).toContain("creating {'optimizer': 'sgd', 'learningRate': 0.5}");
  });
});

// Not concurrent: a synchronous lookup blocks the whole thread, other tests' timers included.
describe('spawnAdapter: synchronous schedule lookups', () => {
  it('a sequential scan costs a few round trips and gives the child exact values', async (context) => {
    const open = opener(context);
    const sent: string[] = [];
    const adapter = await open('correct', {
      ...settled,
      onTraffic: (direction, line) => direction === 'send' && sent.push(line),
    });
    const schedule = adapter.schedule!({ schedule: 'inverse-time', initial: 1, k: 0.25 });
    for (let t = 0; t < 1000; t++) expect(schedule(t)).toBe(1 / (1 + 0.25 * t));
    // One validation (t = []), t = 0 alone, then batches of 256 from t = 1: 1, 257, 513, 769.
    expect(sent.filter((line) => line.includes('"op":"schedule"'))).toHaveLength(6);
  });

  it('a batch the child refuses falls back to single lookups; a refused t still fails', async (context) => {
    const open = opener(context);
    const adapter = await open('schedule-limit');
    const schedule = adapter.schedule!({ schedule: 'inverse-time', initial: 1, k: 1 });
    for (let t = 0; t <= 300; t++) expect(schedule(t)).toBe(1 / (1 + t));
    expect(() => schedule(301)).toThrow('ok:false: ValueError: t beyond 300');
  });

  it('a synchronous schedule lookup times out instead of blocking forever', async (context) => {
    const open = opener(context);
    const adapter = await open('hang-on-schedule', hanging);
    const schedule = adapter.schedule!({ schedule: 'inverse-time', initial: 1, k: 1 });
    let thrown: unknown;
    try {
      schedule(3);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AdapterError);
    expect((thrown as Error).message).toContain('schedule got no answer within 1000 ms');
  });
});

describe('spawnAdapter: a busy caller', () => {
  it('an answer that arrived while the event loop was blocked is taken, not reported as a timeout', async ({
    onTestFinished,
  }) => {
    const answered = join(testScratchFolder('optimspec-busy-'), 'answered');
    const adapter = await spawnAdapter([process.execPath, child, 'marks-answers', answered], hanging);
    onTestFinished(() => adapter.close());
    const stepper = await adapter.create(sgd, x0);
    const pending = stepper.step(grad);
    // Block this thread (a synchronous sleep) past the 1 s timeout and until the child has written
    // its answer, so that the timer and the answer are both due when the loop resumes, and the
    // timer phase runs first. The relay thread, which is not blocked, meanwhile reads the answer
    // from the pipe: 500 ms more leave it dozens of scheduling slices of a busy machine.
    const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    sleep(hanging.timeoutMs! + 100);
    for (let polls = 0; !existsSync(answered) && polls < 6000; polls++) sleep(5);
    expect(existsSync(answered), 'the child wrote its answer within 30 s').toBe(true);
    sleep(500);
    expect(await pending).toEqual(new Float64Array([0.5, 1.5, 2.5]));
  });
});

import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { importBuilt } from './support/built.js';

// From this run's compiled copy of src/ (spec/support/built.ts): the workers start from JavaScript, not
// through tsx. Every value below comes from that one copy (its AdapterError is the one its adapters throw).
const [{ AdapterError }, { guardAdapter, guarded }, { isolateAdapter }, { spawnAdapter }] = await Promise.all([
  importBuilt<typeof import('../src/adapter/adapter-error.js')>('src/adapter/adapter-error.ts'),
  importBuilt<typeof import('../src/conformance/guard.js')>('src/conformance/guard.ts'),
  importBuilt<typeof import('../src/isolation/isolate-adapter.js')>('src/isolation/isolate-adapter.ts'),
  importBuilt<typeof import('../src/protocol/spawn-adapter.js')>('src/protocol/spawn-adapter.ts'),
]);

const root = fileURLToPath(new URL('..', import.meta.url));
const misbehaving = fileURLToPath(new URL('./support/children/misbehaving.mjs', import.meta.url));
const sgd = { optimizer: 'sgd', learningRate: 0.5 } as const;

async function rejection(promise: Promise<unknown>): Promise<InstanceType<typeof AdapterError>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AdapterError);
  return error as InstanceType<typeof AdapterError>;
}

describe('a correct adapter is not cut because the checker was busy', () => {
  test('in the same thread: an answer due with the timer (the checker held the thread past the limit) is taken', async () => {
    const stepTimeoutMs = 20;
    // The adapter answers on the next turn of the event loop; the checker then keeps the thread past the limit,
    // so that the timer and the answer come due together. Without the extra turn, the timer fires first.
    const answer = guarded('step', { stepTimeoutMs, deadline: Number.POSITIVE_INFINITY }, () => {
      return new Promise<string>((resolve) => setImmediate(() => resolve('answer')));
    });
    const busyUntil = Date.now() + 3 * stepTimeoutMs;
    while (Date.now() < busyUntil);
    expect(await answer).toBe('answer');
  });

  test('a batch of quick steps through the worker is timed per step there, not as one call by the guard', async () => {
    // slow-steps: each step holds its thread for 20 ms, so ten in one batch take 200 ms or more, above the guard's 100 ms.
    const adapter = await isolateAdapter('spec/cli-adapters/slow-steps.mjs', { cwd: root, timeoutMs: 20_000 });
    try {
      const guard = guardAdapter(adapter, { stepTimeoutMs: 100, deadline: Number.POSITIVE_INFINITY });
      const stepper = await guard.createGuarded(sgd, Float64Array.of(1));
      const xs = await stepper.steps(Array.from({ length: 10 }, () => Float64Array.of(0.25)));
      expect(xs.map((x) => x[0])).toEqual(Array.from({ length: 10 }, (_, k) => 1 - 0.125 * (k + 1)));
    } finally {
      await adapter.close();
    }
  });
});

describe.concurrent('a deadline error names the deadline and the flag that changes it', () => {
  test('in the worker: a hung step and a hung load', async () => {
    // timer-hang: a step that never answers (it waits on a timer of eleven days), without spinning a core until the limit.
    const adapter = await isolateAdapter('spec/cli-adapters/timer-hang.mjs', { cwd: root, timeoutMs: 300 });
    try {
      const stepper = await adapter.create(sgd, Float64Array.of(1));
      const error = await rejection(Promise.resolve(stepper.step(Float64Array.of(1))));
      expect(error.message).toMatch(
        /step: no answer within 300 ms \(a hang, or a synchronous infinite loop\); the adapter's worker was terminated \(--timeout sets the limit\)$/,
      );
    } finally {
      await adapter.close();
    }
    const load = await isolateAdapter('spec/cli-adapters/hostile/never-loads.mjs', { cwd: root, timeoutMs: 300 }).catch(
      (e: Error) => e.message,
    );
    expect(load).toMatch(/failed to load: load: no answer within 300 ms .*\(--timeout sets the limit\)/);
  });

  test('over --exec: a hung step and a silent handshake', async ({ onTestFinished }) => {
    const adapter = await spawnAdapter([process.execPath, misbehaving, 'hang-on-step'], {
      timeoutMs: 300,
      handshakeTimeoutMs: 20_000,
    });
    onTestFinished(() => adapter.close());
    const stepper = await adapter.create(sgd, Float64Array.of(1));
    expect((await rejection(stepper.step(Float64Array.of(1)))).message).toContain(
      'step got no answer within 300 ms (--timeout); the child is considered hung and was killed',
    );
    const silent = await rejection(
      spawnAdapter([process.execPath, misbehaving, 'silent'], { handshakeTimeoutMs: 300 }),
    );
    expect(silent.message).toContain('hello got no answer within 300 ms (--timeout)');
  });
});

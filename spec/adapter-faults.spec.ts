import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { AdapterError } from '../src/adapter/adapter-error.js';
import type { Adapter } from '../src/adapter/contract.js';
import type { TensorStepper } from '../src/adapter/tensor-contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport } from '../src/conformance/types.js';
import { checkLaw, lawsFor } from '../src/laws/index.js';
import { type SpawnedAdapter, spawnAdapter } from '../src/protocol/spawn-adapter.js';
import { importBuilt } from './support/built.js';
import { hangGuard } from './support/slowdown.js';

/**
 * One wording for each fault of an implementation under test (src/adapter/checked-call.ts),
 * whichever way it runs: in-process (checkConformance with the module's object, through
 * the guard), its laws alone (checkLaw, through the script engine), in the worker
 * (isolateAdapter, the CLI's way), and over the stdio protocol (spawnAdapter: the faults
 * an answer on the wire can have). The modules are spec/cli-adapters/faults/*.mjs.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const child = fileURLToPath(new URL('./support/children/misbehaving.mjs', import.meta.url));

/** Generous, and scaled by the machine's load (spec/support/slowdown.ts): no hang is tested here. */
const SETTLED_MS = hangGuard(20_000);

// The worker path from this run's compiled copy of src/ (spec/support/built.ts): its workers start from
// JavaScript, not through tsx (0.1 s of CPU each rather than 0.6). Its checker with it: one copy's symbols.
const [{ isolateAdapter }, { checkConformance: checkIsolated }] = await Promise.all([
  importBuilt<typeof import('../src/isolation/isolate-adapter.js')>('src/isolation/isolate-adapter.ts'),
  importBuilt<typeof import('../src/conformance/check.js')>('src/conformance/check.ts'),
]);

/** Each fault module, its subject, and the fault's one wording (sizes vary with the scenario or law that meets it). */
const faults: [string, 'sgd' | 'schedule:step' | 'tensors:several' | 'tensors:save-restore', RegExp][] = [
  ['create-throws', 'sgd', /^create threw: no device$/],
  ['create-null', 'sgd', /^create returned null, expected an object with a step method$/],
  ['step-throws', 'sgd', /^step threw: out of memory$/],
  ['step-object', 'sgd', /^step returned an object, expected an array-like of \d+ numbers$/],
  ['step-short', 'sgd', /^step returned length \d+, expected \d+$/],
  ['step-string', 'sgd', /^step returned "0\.5" at index 0, expected a number$/],
  ['steps-number', 'sgd', /^steps returned 7, expected an array of \d+ parameter vectors$/],
  ['schedule-number', 'schedule:step', /^schedule returned 5, expected a function of t$/],
  ['schedule-throws', 'schedule:step', /^schedule threw: no such schedule$/],
  ['value-string', 'schedule:step', /^schedule\(3\) returned "a", expected a number$/],
  ['value-throws', 'schedule:step', /^schedule\(3\) threw: t too large$/],
];

/** The faults over several tensors (docs/spec.md section 9): no law drives them, the subject's probes do. */
const tensorFaults: typeof faults = [
  ['tensors-create-null', 'tensors:several', /^createTensors returned null, expected an object with a step method$/],
  ['tensors-step-number', 'tensors:several', /^step returned 7, expected an array of \d+ tensors' values$/],
  ['tensors-step-long', 'tensors:several', /^step \(tensor 0\) returned length (\d+), expected (?!\1)\d+$/],
  [
    'tensors-save-function',
    'tensors:save-restore',
    /^save returned a function at state\.step, which a JSON checkpoint cannot hold \(objects, arrays, numbers, strings, booleans and null only\)$/,
  ],
];

/** The first line of the first error of the report (the worker adds the adapter's file:line on the lines after). */
function firstError(report: ConformanceReport): string {
  const finding = report.results[0]!.findings.find((f) => f.status === 'error');
  expect(finding, 'an error finding').toBeDefined();
  return finding!.message.split('\n')[0]!;
}

const modulePath = (name: string) => `spec/cli-adapters/faults/${name}.mjs`;

describe.concurrent('each adapter fault has one wording on every path', () => {
  test.each([...faults, ...tensorFaults])('%s (%s): in-process', async (name, subject, wording) => {
    const { default: adapter } = (await import(`./cli-adapters/faults/${name}.mjs?in-process`)) as { default: Adapter };
    expect(firstError(await checkConformance(adapter, { only: [subject], seed: 1 }))).toMatch(wording);
  });

  test.each(faults)('%s (%s): its laws alone', async (name, subject, wording) => {
    const { default: adapter } = (await import(`./cli-adapters/faults/${name}.mjs?laws`)) as { default: Adapter };
    // A law that reaches the third step (and t = 3): SGD's closed form, the schedules' 31-value windows from t <= 50.
    const law = lawsFor(subject).find((l) => l.id === 'sgd/closed-form' || l.id === 'schedule:step/non-increasing')!;
    const result = await checkLaw(law, adapter, { seed: 1 });
    expect(result.status).toBe('error');
    expect(result.message).toMatch(wording);
  });

  test.each([...faults, ...tensorFaults])('%s (%s): in the worker', async (name, subject, wording) => {
    const adapter = await isolateAdapter(modulePath(name), { cwd: root, timeoutMs: SETTLED_MS });
    try {
      const report = await checkIsolated(adapter, { only: [subject], seed: 1, stepTimeoutMs: SETTLED_MS });
      expect(firstError(report)).toMatch(wording);
    } finally {
      await adapter.close();
    }
  });
});

describe.concurrent('over the stdio protocol, an answer has the same faults in the same words, naming the child', () => {
  const sgd = { optimizer: 'sgd', learningRate: 0.5 } as const;
  const x0 = new Float64Array([1, 2, 3]);
  const grad = new Float64Array([1, 1, 1]);
  const wire = ' (a JSON number, or "NaN", "Infinity", "-Infinity" or "-0")';

  async function faultOf(mode: string, call: (adapter: SpawnedAdapter) => Promise<unknown>): Promise<string> {
    const adapter = await spawnAdapter([process.execPath, child, mode], { timeoutMs: SETTLED_MS });
    try {
      const error = await call(adapter).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AdapterError);
      const [first, ...rest] = (error as AdapterError).message.split('\n');
      expect(first).toMatch(/^child ".*misbehaving\.mjs .*" \(pid \d+\): /);
      expect(rest[0]).toBe('last lines of its stderr:');
      return first!.replace(/^child ".*" \(pid \d+\): /, '');
    } finally {
      await adapter.close();
    }
  }

  test.each([
    ['not-arrays', 'step', 'step returned an object, expected an array-like of 3 numbers'],
    ['wrong-length', 'step', 'step returned length 2, expected 3'],
    ['non-number', 'step', `step returned "1.5" at index 0, expected a number${wire}`],
    ['not-arrays', 'steps', 'steps returned 7, expected an array of 2 parameter vectors'],
    ['non-number', 'steps', `steps returned null at index 0, expected a number${wire}`],
    ['values-short', 'schedule', 'schedule returned length 1, expected 2'],
    ['tensors-not-arrays', 'stepTensors', "step returned 7, expected an array of 1 tensors' values"],
    ['tensors-wrong-length', 'stepTensors', 'step (tensor 0) returned length 4, expected 3'],
  ] as const)('%s: %s', async (mode, op, wording) => {
    const message = await faultOf(mode, async (adapter) => {
      if (op === 'schedule') return adapter.scheduleValues({ schedule: 'inverse-time', initial: 1, k: 1 }, [0, 1]);
      if (op === 'stepTensors') {
        const stepper = (await adapter.createTensors!({ groups: [{ config: sgd, x0: [x0] }] })) as TensorStepper;
        return stepper.step([grad]);
      }
      const stepper = await adapter.create(sgd, x0);
      return op === 'step' ? stepper.step(grad) : stepper.steps([grad, grad]);
    });
    expect(message).toBe(wording);
  });
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { type Adapter, referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport, SubjectResult } from '../src/conformance/types.js';
import { isolateAdapter } from '../src/isolation/isolate-adapter.js';
import { AdapterLoadError } from '../src/adapter/load-adapter.js';
import { AdapterError } from '../src/adapter/adapter-error.js';
import { runScripts, type Script, type ScriptCall, scriptInProgress } from '../src/adapter/script.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const hostile = (name: string) => `spec/cli-adapters/hostile/${name}.mjs`;

/**
 * Every hang below is cut by a 500 ms timeout. Bounds on wall time are that timeout per
 * hang plus a start-up allowance of 8 s: a worker loads the checker's modules through tsx
 * (about 0.3 s measured alone), and the 2-core machine runs other suites at the same time.
 */
const HANG_MS = 500;
const STARTUP_ALLOWANCE_MS = 8000;

/** A generous per-call limit for cases that test no hang: a TypeScript module's first load through tsx on a loaded machine. */
const SETTLED_MS = 20_000;

async function check(
  module: string,
  only: string[],
  extra: { totalTimeoutMs?: number; timeoutMs?: number } = {},
): Promise<{ report: ConformanceReport; ms: number; bySubject: (s: string) => SubjectResult }> {
  const t0 = Date.now();
  const deadline = extra.totalTimeoutMs === undefined ? undefined : t0 + extra.totalTimeoutMs;
  const timeoutMs = extra.timeoutMs ?? HANG_MS;
  const adapter = await isolateAdapter(module, {
    cwd: root,
    timeoutMs,
    ...(deadline === undefined ? {} : { deadline }),
  });
  let report: ConformanceReport;
  try {
    const total = extra.totalTimeoutMs === undefined ? {} : { totalTimeoutMs: extra.totalTimeoutMs };
    report = await checkConformance(adapter, {
      only,
      seed: 1,
      stepTimeoutMs: timeoutMs,
      beforeSubject: () => adapter.renew(),
      ...total,
    });
  } finally {
    await adapter.close();
  }
  return { report, ms: Date.now() - t0, bySubject: (s) => report.results.find((r) => r.subject === s)! };
}

function firstError(result: SubjectResult): string {
  const finding = result.findings.find((f) => f.status === 'error');
  expect(finding, `${result.subject} has an error finding`).toBeDefined();
  return finding!.message;
}

// Concurrent: most of each case is waiting (a hang's timeout, a worker's start-up).
describe.concurrent('an in-process adapter runs isolated in a worker thread: nothing it does takes the checker down', () => {
  test.each([
    ['sync-loop', /no answer within 500 ms/, undefined, ['sgd', 'momentum']],
    ['microtask-loop', /no answer within 500 ms/, undefined, ['sgd']],
    ['exits', /the adapter called process\.exit\(0\)/, /exits\.mjs:\d+:\d+/, ['sgd', 'momentum']],
    [
      'stray-rejection',
      /unhandled rejection in the adapter: stray rejection from step 3/,
      /stray-rejection\.mjs:\d+:\d+/,
      ['sgd'],
    ],
    ['uncaught', /uncaught exception in the adapter: thrown from a timer/, /uncaught\.mjs:\d+:\d+/, ['sgd']],
  ] as const)(
    "%s: an error for the subject with the adapter's file:line; the next subject runs in a fresh worker",
    async (name, message, where, subjects) => {
      const { bySubject, ms } = await check(hostile(name), [...subjects]);
      // The adapter misbehaves at its 3rd step; a fresh worker for momentum starts counting again, so momentum errors the same way.
      for (const subject of subjects) {
        const result = bySubject(subject);
        expect(result.verdict).toBe('error');
        const text = firstError(result);
        expect(text).toMatch(message);
        if (where !== undefined) expect(text).toMatch(where);
      }
      expect(ms).toBeLessThan(subjects.length * HANG_MS + STARTUP_ALLOWANCE_MS);
    },
  );

  test.each([
    ['null-proto', /step threw: an object that cannot be converted to a string/],
    ['throwing-length', /step threw: length getter/],
    ['throwing-element', /step threw: element getter/],
    ['throwing-dispose', /dispose threw: an object that cannot be converted to a string/],
    ['throwing-step-getter', /create threw: step getter/],
  ] as const)(
    '%s: hostile values stay in the worker; the error names them and the run goes on, isolated and in-process alike',
    async (name, message) => {
      const { bySubject } = await check(hostile(name), ['sgd', 'adam'], { timeoutMs: SETTLED_MS });
      expect(bySubject('sgd').verdict).toBe('error');
      expect(firstError(bySubject('sgd'))).toMatch(message);
      expect(bySubject('adam').verdict).toBe('unsupported');
      // In-process (checkConformance with the module's object, as the vitest binding runs it): the guard's reads are guarded too.
      const { default: adapter } = (await import(`./cli-adapters/hostile/${name}.mjs`)) as { default: Adapter };
      const direct = await checkConformance(adapter, { only: ['sgd'], seed: 1 });
      expect(direct.results[0]!.verdict).toBe('error');
      expect(firstError(direct.results[0]!)).toMatch(message);
    },
  );

  test.each([
    ['mutates-gradient', /modified the gradient/],
    ['mutates-x0', /modified the x0/],
  ] as const)(
    '%s: the worker reports what the adapter changed of what it was handed: the immutability check still fails',
    async (name, message) => {
      const { bySubject } = await check(hostile(name), ['sgd'], { timeoutMs: SETTLED_MS });
      const immutability = bySubject('sgd').findings.find((f) => f.check === 'immutability')!;
      expect(immutability.status).toBe('fail');
      expect(immutability.message).toMatch(message);
    },
  );

  test('the reference as a TypeScript module gets the same verdicts and checks isolated as in-process', async () => {
    const { report } = await check(
      'spec/cli-adapters/reference64.ts',
      ['sgd', 'adam', 'schedule:step', 'schedule:inverse-time'],
      { timeoutMs: SETTLED_MS },
    );
    const direct = await checkConformance(referenceAdapter({ dtype: 'float64' }), {
      only: ['sgd', 'adam', 'schedule:step', 'schedule:inverse-time'],
      seed: 1,
    });
    expect(report.results.map((r) => r.verdict)).toEqual(['conforms', 'conforms', 'conforms', 'conforms']);
    expect(report.results.map((r) => r.findings.map((f) => `${f.check}:${f.status}`))).toEqual(
      direct.results.map((r) => r.findings.map((f) => `${f.check}:${f.status}`)),
    );
  });

  test('a module that refuses a configuration (unsupported()) gets the same skipped checks and verdicts isolated as in-process', async () => {
    const subjects = ['nesterov'];
    const { report } = await check('spec/cli-adapters/refuses-nesterov-rho-zero.ts', subjects, {
      timeoutMs: SETTLED_MS,
    });
    const { default: module } = await import('./cli-adapters/refuses-nesterov-rho-zero.js');
    const direct = await checkConformance(module, { only: subjects, seed: 1 });
    const shape = (r: ConformanceReport) =>
      r.results.map((x) => [x.verdict, x.findings.map((f) => `${f.check}:${f.status}`)]);
    expect(shape(report)).toEqual(shape(direct));
    const nesterov = report.results.find((r) => r.subject === 'nesterov')!;
    expect(nesterov.verdict).toBe('conforms');
    expect(nesterov.findings.some((f) => f.status === 'skipped' && /nesterov requires rho > 0/.test(f.message))).toBe(
      true,
    );
  });

  test('the timeout is per call, also inside a batch: many 20 ms steps in one request are no hang; one step that never ends is, and is named', async () => {
    const timeoutMs = 400;
    const adapter = await isolateAdapter('spec/cli-adapters/slow-steps.mjs', { cwd: root, timeoutMs });
    try {
      const steps = (grads: number[]): Script => ({
        calls: [
          { op: 'create', config: { optimizer: 'sgd', learningRate: 0.5 }, x0: Float64Array.of(1) },
          ...grads.map((g): ScriptCall => ({ op: 'step', instance: 0, grad: Float64Array.of(g) })),
          { op: 'dispose', instance: 0 },
        ],
      });
      // 30 steps of 20 ms: 600 ms in one request, longer than the 400 ms timeout, each call well within it.
      const t0 = Date.now();
      const [quick] = await runScripts(adapter, [steps(Array.from({ length: 30 }, () => 1))]);
      expect(Date.now() - t0).toBeGreaterThan(timeoutMs);
      expect(quick!.ok).toBe(true);
      const t1 = Date.now();
      const hung = await runScripts(adapter, [steps([1, 1]), steps([1, 1e9, 1])]).catch((e: unknown) => e);
      expect(Date.now() - t1).toBeLessThan(timeoutMs + STARTUP_ALLOWANCE_MS);
      expect(hung).toBeInstanceOf(AdapterError);
      expect((hung as Error).message).toMatch(
        /^step: no answer within 400 ms \(a hang, or a synchronous infinite loop\); the adapter's worker was terminated/,
      );
      // The batch's second script was the one running.
      expect(scriptInProgress(hung)).toBe(1);
    } finally {
      await adapter.close();
    }
  });

  test('module load is bounded: a top-level await that never settles, process.exit and throwing getters while loading', async () => {
    const t0 = Date.now();
    const never = await isolateAdapter(hostile('never-loads'), { cwd: root, timeoutMs: HANG_MS }).catch(
      (e: unknown) => e,
    );
    expect(Date.now() - t0).toBeLessThan(HANG_MS + STARTUP_ALLOWANCE_MS);
    expect(never).toBeInstanceOf(AdapterLoadError);
    expect((never as AdapterLoadError).reason).toBe('import');
    expect((never as Error).message).toMatch(/never-loads\.mjs" failed to load: load: no answer within 500 ms/);

    const exits = await isolateAdapter(hostile('exits-on-load'), { cwd: root, timeoutMs: SETTLED_MS }).catch(
      (e: unknown) => e,
    );
    expect((exits as AdapterLoadError).reason).toBe('import');
    expect((exits as Error).message).toMatch(
      /the adapter called process\.exit\(0\)\n {2}at .*exits-on-load\.mjs:2:\d+/,
    );

    const getter = await isolateAdapter(hostile('throwing-adapter-getter'), { cwd: root, timeoutMs: SETTLED_MS }).catch(
      (e: unknown) => e,
    );
    expect((getter as AdapterLoadError).reason).toBe('invalid');
    expect((getter as Error).message).toMatch(
      /throwing-adapter-getter\.mjs": reading its default export threw: an object that cannot be converted to a string/,
    );
  });

  test('--total-timeout cuts a slow adapter between requests: the rest is `error: total timeout`, within the bound', async () => {
    // 5 s: the worker's start-up on a loaded machine fits in it, and the checks of two subjects at 40 ms a step do not.
    const total = 5000;
    const { report, ms } = await check(hostile('slow'), ['sgd', 'momentum'], {
      totalTimeoutMs: total,
      timeoutMs: SETTLED_MS,
    });
    for (const result of report.results) {
      expect(result.verdict).toBe('error');
      expect(firstError(result)).toMatch(/total timeout/);
    }
    // The last request started before the deadline is cut at the deadline (a step takes 40 ms).
    expect(ms).toBeLessThan(total + STARTUP_ALLOWANCE_MS);
  });
});

describe('bounded by the deadline, not by --runs', () => {
  test('--runs 1e9 ends at the total timeout, with scenarios drawn lazily (heap growth bounded)', async () => {
    // 4e9 drawn scenarios would need terabytes if built up front; drawn in chunks of 64 the heap stays small.
    // Bound: 300 MB, far below the first chunk's ~1 MB times anything --runs could ask, and above what a 2 s run keeps.
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = Date.now();
    const report = await checkConformance(referenceAdapter({ dtype: 'float64' }), {
      only: ['sgd'],
      runs: 1e9,
      seed: 1,
      totalTimeoutMs: 2000,
    });
    const ms = Date.now() - t0;
    const sgd = report.results[0]!;
    expect(sgd.verdict).toBe('error');
    expect(firstError(sgd)).toMatch(/total timeout/);
    expect(ms).toBeLessThan(2000 + STARTUP_ALLOWANCE_MS);
    expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(300e6);
  });
});

const exec = promisify(execFile);

describe('an isolated adapter nobody closes', () => {
  test("does not keep Node alive: the worker and its port are unref'd", async () => {
    const t0 = Date.now();
    const { stdout } = await exec(
      process.execPath,
      ['--import', 'tsx', 'spec/support/children/forgetful-isolated.mts'],
      { cwd: root, timeout: 30_000 },
    );
    expect(stdout).toBe('0.5\n');
    expect(Date.now() - t0).toBeLessThan(STARTUP_ALLOWANCE_MS);
  });
});

describe('a stdout line without end from a protocol child', () => {
  test('is cut at the cap in linear time, with RSS under twice the cap', async () => {
    // In a process of its own, so that RSS is the probe's alone: 200 MiB against a 16 MiB cap.
    const { stdout } = await exec(
      process.execPath,
      ['--import', 'tsx', 'spec/support/children/line-cap-probe.mts', '200', '16'],
      { cwd: root, timeout: 60_000 },
    );
    const probe = JSON.parse(stdout) as { ms: number; growth: number; message: string };
    expect(probe.message).toContain('a stdout line of more than 16777216 bytes without a newline');
    expect(probe.growth).toBeLessThan(2 * 16 * 1024 * 1024);
    // Linear: 16 MiB through a pipe takes well under a second alone; the quadratic join took 35 s for 200 MB.
    expect(probe.ms).toBeLessThan(STARTUP_ALLOWANCE_MS);
  });
});

import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import type { Adapter } from '../src/adapter/contract.js';
import type { ConformanceReport, SubjectResult } from '../src/conformance/types.js';
import type { Script, ScriptCall } from '../src/adapter/script.js';
import { built, importBuilt } from './support/built.js';
import { hangGuard } from './support/slowdown.js';
import { scratchFolder } from './support/scratch.js';

// The checker from this run's compiled copy of src/ (spec/support/built.ts): its workers start
// from JavaScript, not through tsx. Every value below comes from that one copy.
const [
  { referenceAdapter },
  { checkConformance },
  { isolateAdapter },
  { AdapterLoadError },
  { AdapterError },
  script,
  { runCheckCommand },
] = await Promise.all([
  importBuilt<typeof import('../src/adapter/contract.js')>('src/adapter/contract.ts'),
  importBuilt<typeof import('../src/conformance/check.js')>('src/conformance/check.ts'),
  importBuilt<typeof import('../src/isolation/isolate-adapter.js')>('src/isolation/isolate-adapter.ts'),
  importBuilt<typeof import('../src/adapter/load-adapter.js')>('src/adapter/load-adapter.ts'),
  importBuilt<typeof import('../src/adapter/adapter-error.js')>('src/adapter/adapter-error.ts'),
  importBuilt<typeof import('../src/adapter/script.js')>('src/adapter/script.ts'),
  importBuilt<typeof import('../src/cli/check-command.js')>('src/cli/check-command.ts'),
]);
const { runScripts, scriptInProgress } = script;

const root = fileURLToPath(new URL('..', import.meta.url));
const hostile = (name: string) => `spec/cli-adapters/hostile/${name}.mjs`;
const scratch = scratchFolder('optimspec-isolation-');

/**
 * The per-call timeout of the cases whose subject is a hang: the hang is cut by it and its
 * message names it. Every call before the hang (the module's load, two steps of a plain
 * SGD) answers in milliseconds, 500 ms leaves two orders of magnitude for a busy machine.
 */
const HANG_MS = 500;

/** A per-call limit for cases that test no hang: far above any call's time, so that only a misbehaviour ends a call. */
const SETTLED_MS = hangGuard(20_000);

/**
 * A quarter of the default law runs, for the cases that compare the isolated checks with the in-process ones (both
 * at the same runs): every check still runs (the fixtures, the scenarios, each law), and so every kind of call the
 * worker serves; more drawn runs only add more cases of the same calls.
 */
const RUNS = 0.25;

/** Checks the module isolated, as the CLI does: a fresh worker before a subject if the last one ended. */
async function check(
  module: string,
  only: string[],
  { timeoutMs, runs }: { timeoutMs: number; runs?: number },
): Promise<{ report: ConformanceReport; bySubject: (s: string) => SubjectResult }> {
  const adapter = await isolateAdapter(module, { cwd: root, timeoutMs });
  let report: ConformanceReport;
  try {
    report = await checkConformance(adapter, {
      only,
      seed: 1,
      ...(runs === undefined ? {} : { runs }),
      stepTimeoutMs: timeoutMs,
      beforeSubject: () => adapter.renew(),
    });
  } finally {
    await adapter.close();
  }
  return { report, bySubject: (s) => report.results.find((r) => r.subject === s)! };
}

/** `optimspec check <args>` in-process (the compiled CLI), quiet. */
async function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const io = {
    stdout: { write: () => true },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: root,
  };
  const code = await runCheckCommand([...args, '--quiet'], io);
  return { code, stderr };
}

function firstError(result: SubjectResult): string {
  const finding = result.findings.find((f) => f.status === 'error');
  expect(finding, `${result.subject} has an error finding`).toBeDefined();
  return finding!.message;
}

const HOSTILE_TITLE =
  "%s: an error for the subject with the adapter's file:line; the next subject runs in a fresh worker";

/** The adapter misbehaves at its 3rd step; a fresh worker for momentum starts counting again, so momentum errors the same way. */
async function expectEveryError(
  name: string,
  subjects: readonly string[],
  timeoutMs: number,
  message: RegExp,
  where: RegExp | undefined,
): Promise<void> {
  const { bySubject } = await check(hostile(name), [...subjects], { timeoutMs });
  for (const subject of subjects) {
    const result = bySubject(subject);
    expect(result.verdict).toBe('error');
    const text = firstError(result);
    expect(text).toMatch(message);
    if (where !== undefined) expect(text).toMatch(where);
  }
}

// One at a time: each hang spins a core until its timeout, and a case beside it should not wait behind two.
describe('an in-process adapter that hangs, isolated in a worker thread: the timeout ends it', () => {
  test.each([
    ['sync-loop', ['sgd', 'momentum']],
    ['microtask-loop', ['sgd']],
  ] as const)(HOSTILE_TITLE, async (name, subjects) => {
    // The message names the timeout: the hang was cut by it, the test's own timeout (60 s) never came.
    await expectEveryError(name, subjects, HANG_MS, /no answer within 500 ms/, undefined);
  });
});

// Concurrent: most of each case is waiting (a worker's start-up, a child process).
describe.concurrent('an in-process adapter runs isolated in a worker thread: nothing it does takes the checker down', () => {
  test.each([
    ['exits', /the adapter called process\.exit\(0\)/, /exits\.mjs:\d+:\d+/, ['sgd', 'momentum']],
    [
      'stray-rejection',
      /unhandled rejection in the adapter: stray rejection from step 3/,
      /stray-rejection\.mjs:\d+:\d+/,
      ['sgd'],
    ],
    ['uncaught', /uncaught exception in the adapter: thrown from a timer/, /uncaught\.mjs:\d+:\d+/, ['sgd']],
  ] as const)(HOSTILE_TITLE, async (name, message, where, subjects) => {
    await expectEveryError(name, subjects, SETTLED_MS, message, where);
  });

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
    // An optimizer with state (Adam) and a schedule: every kind of call the worker serves.
    const subjects = ['adam', 'schedule:step'];
    const { report } = await check('spec/cli-adapters/reference64.ts', subjects, { timeoutMs: SETTLED_MS, runs: RUNS });
    const direct = await checkConformance(referenceAdapter({ dtype: 'float64' }), {
      only: subjects,
      seed: 1,
      runs: RUNS,
    });
    expect(report.results.map((r) => r.verdict)).toEqual(['conforms', 'conforms']);
    expect(report.results.map((r) => r.findings.map((f) => `${f.check}:${f.status}`))).toEqual(
      direct.results.map((r) => r.findings.map((f) => `${f.check}:${f.status}`)),
    );
  });

  test('a module that refuses a configuration (unsupported()) gets the same skipped checks and verdicts isolated as in-process', async () => {
    const subjects = ['nesterov'];
    const { report } = await check('spec/cli-adapters/refuses-nesterov-rho-zero.mjs', subjects, {
      timeoutMs: SETTLED_MS,
      runs: RUNS,
    });
    const { default: module } = (await import(
      new URL('./cli-adapters/refuses-nesterov-rho-zero.mjs', import.meta.url).href
    )) as {
      default: Adapter;
    };
    const direct = await checkConformance(module, { only: subjects, seed: 1, runs: RUNS });
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
    // The load has a limit of its own: on a busy machine importing the worker's modules may take longer than 400 ms.
    // A step with a gradient of 1e9 never ends: it sleeps for ever, holding the worker's thread without spinning a core.
    const adapter = await isolateAdapter('spec/cli-adapters/slow-steps.mjs', {
      cwd: root,
      timeoutMs,
      loadTimeoutMs: SETTLED_MS,
    });
    try {
      const steps = (grads: number[]): Script => ({
        calls: [
          { op: 'create', config: { optimizer: 'sgd', learningRate: 0.5 }, x0: Float64Array.of(1) },
          ...grads.map((g): ScriptCall => ({ op: 'step', instance: 0, grad: Float64Array.of(g) })),
          { op: 'dispose', instance: 0 },
        ],
      });
      // 30 steps of at least 20 ms each (the adapter sleeps): 600 ms in one request, longer than the
      // 400 ms timeout, each call well within it.
      const [quick] = await runScripts(adapter, [steps(Array.from({ length: 30 }, () => 1))]);
      expect(quick!.ok).toBe(true);
      // The hung step is cut by the timeout: its message names it (the test's own timeout, 60 s, never came).
      const hung = await runScripts(adapter, [steps([1, 1]), steps([1, 1e9, 1])]).catch((e: unknown) => e);
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

  test('bad options are refused before a worker starts, naming the option and the value', async () => {
    const module = 'spec/cli-adapters/sgd-only.mjs';
    await expect(isolateAdapter(module, { cwd: root, timeoutMs: -1 })).rejects.toThrow(
      'options.timeoutMs must be a number > 0, got -1',
    );
    await expect(isolateAdapter(module, { cwd: root, loadTimeoutMs: Number.NaN })).rejects.toThrow(
      'options.loadTimeoutMs must be a number > 0, got NaN',
    );
    await expect(isolateAdapter(module, { cwd: root, deadline: Number.NaN })).rejects.toThrow(
      'options.deadline must be epoch milliseconds, got NaN',
    );
  });

  test('a call whose limit has passed when the checker first looks is rejected, not left pending (the CLI ended with exit 13)', async () => {
    const { HostConnection } = await importBuilt<typeof import('../src/isolation/host-connection.js')>(
      'src/isolation/host-connection.ts',
    );
    const connection = new HostConnection(join(root, 'spec/cli-adapters/timer-hang.mjs'), root);
    const settled = { timeoutMs: SETTLED_MS, deadline: Number.POSITIVE_INFINITY };
    try {
      await connection.ready(SETTLED_MS, Number.POSITIVE_INFINITY);
      await connection.request({ op: 'load' }, settled, 'load');
      const config = { optimizer: 'sgd', learningRate: 0.1 } as const;
      await connection.request({ op: 'create', handle: 1, config, x0: Float64Array.of(1) }, settled, 'create');
      // A limit of 0 ms has passed at the first look (a busy machine makes a few milliseconds look the same), on a
      // step that never answers (its timer is 1e9 ms): the timeout must settle the request; pending, the test hangs.
      const late = await connection
        .request(
          { op: 'step', handle: 1, grad: Float64Array.of(1) },
          { timeoutMs: 0, deadline: Number.POSITIVE_INFINITY },
          'step',
          false,
        )
        .catch((e: unknown) => e);
      expect(late).toBeInstanceOf(AdapterError);
      expect((late as Error).message).toMatch(/^step: no answer within 0 ms \(a hang/);
    } finally {
      await connection.end('the test is over');
    }
  });

  test('module load is bounded: a top-level await that never settles, process.exit and throwing getters while loading', async () => {
    const never = await isolateAdapter(hostile('never-loads'), { cwd: root, timeoutMs: HANG_MS }).catch(
      (e: unknown) => e,
    );
    expect(never).toBeInstanceOf(AdapterLoadError);
    expect((never as InstanceType<typeof AdapterLoadError>).reason).toBe('import');
    expect((never as Error).message).toMatch(/never-loads\.mjs" failed to load: load: no answer within 500 ms/);

    const exits = await isolateAdapter(hostile('exits-on-load'), { cwd: root, timeoutMs: SETTLED_MS }).catch(
      (e: unknown) => e,
    );
    expect((exits as InstanceType<typeof AdapterLoadError>).reason).toBe('import');
    expect((exits as Error).message).toMatch(
      /the adapter called process\.exit\(0\)\n {2}at .*exits-on-load\.mjs:2:\d+/,
    );

    const getter = await isolateAdapter(hostile('throwing-adapter-getter'), { cwd: root, timeoutMs: SETTLED_MS }).catch(
      (e: unknown) => e,
    );
    expect((getter as InstanceType<typeof AdapterLoadError>).reason).toBe('invalid');
    expect((getter as Error).message).toMatch(
      /throwing-adapter-getter\.mjs": reading its default export threw: an object that cannot be converted to a string/,
    );
  });

  test('--total-timeout cuts a slow adapter between requests: the rest is `error: total timeout`', async () => {
    // Through the CLI, which starts the deadline before the worker. 2 s holds a few dozen 40 ms steps, far fewer
    // than the checks of two subjects make (minutes), so only the deadline can end them before the test's timeout.
    // A worker that cannot even start within the deadline (a very busy machine) ends the run without a report:
    // then the allowance doubles, so that it is calibrated by what the machine needs, up to 32 s.
    const json = join(scratch, 'slow.json');
    const args = [hostile('slow'), '--only', 'sgd,momentum', '--json', json];
    let run = { code: -1, stderr: '' };
    for (let total = 2000; total <= 32_000 && !existsSync(json); total *= 2)
      run = await runCli([...args, '--total-timeout', String(total)]);
    expect(existsSync(json), run.stderr).toBe(true);
    expect(run.code).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8')) as ConformanceReport;
    expect(report.results.map((r) => r.subject)).toEqual(['sgd', 'momentum']);
    for (const result of report.results) {
      expect(result.verdict).toBe('error');
      expect(firstError(result)).toMatch(/total timeout/);
    }
  });
});

describe('bounded by the deadline, not by --runs', () => {
  test('--runs 1e9 ends at the total timeout, with scenarios drawn lazily (heap growth bounded)', async () => {
    // 4e9 drawn scenarios would need terabytes if built up front; drawn in chunks of 64 the heap stays small.
    // Bound: 300 MB, far below the first chunk's ~1 MB times anything --runs could ask, and above what a 0.5 s run keeps.
    const heap0 = process.memoryUsage().heapUsed;
    const report = await checkConformance(referenceAdapter({ dtype: 'float64' }), {
      only: ['sgd'],
      runs: 1e9,
      seed: 1,
      totalTimeoutMs: 500,
    });
    // Ended by the deadline (its error), not by the runs: 4e9 scenarios would outlast the test's timeout.
    const sgd = report.results[0]!;
    expect(sgd.verdict).toBe('error');
    expect(firstError(sgd)).toMatch(/total timeout/);
    expect(process.memoryUsage().heapUsed - heap0).toBeLessThan(300e6);
  });
});

const exec = promisify(execFile);

describe('an isolated adapter nobody closes', () => {
  test("does not keep Node alive: the worker and its port are unref'd", async () => {
    // The child ends by itself after printing; a worker that kept Node alive would run until exec's timeout kills it (a rejection).
    const { stdout } = await exec(process.execPath, [built('spec/support/children/forgetful-isolated.mts')], {
      cwd: root,
      timeout: hangGuard(30_000),
    });
    expect(stdout).toBe('0.5\n');
  });
});

describe('a stdout line without end from a protocol child', () => {
  test('is cut at the cap, with RSS under twice the cap', async () => {
    // In a process of its own, so that RSS is the probe's alone: 200 MiB against a 16 MiB cap. The cut is
    // reported (not the whole 200 MiB read) and the probe ends by itself, before exec's timeout kills it.
    const { stdout } = await exec(process.execPath, [built('spec/support/children/line-cap-probe.mts'), '200', '16'], {
      cwd: root,
      timeout: hangGuard(60_000),
    });
    const probe = JSON.parse(stdout) as { growth: number; message: string };
    expect(probe.message).toContain('a stdout line of more than 16777216 bytes without a newline');
    expect(probe.growth).toBeLessThan(2 * 16 * 1024 * 1024);
  });
});

import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type { CliIo } from '../src/cli/index.js';
import { isRunning } from '../src/protocol/child-registry.js';
import { cliArgs, importBuilt } from './support/built.js';
import { startInProcess } from './support/in-process-cli.js';
import { hangGuard } from './support/slowdown.js';
import { parseXml } from './report-xml-reader.js';
import { scratchFolder } from './support/scratch.js';

// The CLI of this run's compiled copy of src/ (spec/support/built.ts): its processes and its
// adapters' workers start from JavaScript, not through tsx.
const { runCheckCommand } = await importBuilt<typeof import('../src/cli/check-command.js')>('src/cli/check-command.ts');

const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = scratchFolder('optimspec-robust-');
const hostile = (name: string) => `spec/cli-adapters/hostile/${name}.mjs`;
const isolationChild = 'spec/support/children/isolation-child.mjs';
const misbehaving = 'spec/support/children/misbehaving.mjs';
/**
 * The sentinel of the cases where a signal or a deadline must end the run: every other way
 * out (the adapter's hang, a 60 s --timeout) takes at least as long as the test's own
 * timeout, so a run that ended with the expected exit status and report was ended by that
 * signal or deadline.
 */
const SENTINEL_TIMEOUT = '60000';
/** How long a killed process may take to disappear from the process table: a sentinel, not a bound the test waits for when all is well. */
const GONE_WITHIN_MS = hangGuard(20_000);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function inProcess(args: string[]): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { PATH: process.env.PATH },
    cwd: root,
  };
  const code = await runCheckCommand(args, io);
  return { code, stdout, stderr };
}

/** The real CLI in a child process; `ready` resolves once its stderr contains `marker`. */
function start(args: string[], marker: string): { child: ChildProcess; ready: Promise<void>; done: Promise<Ran> } {
  const child = spawn(process.execPath, cliArgs(['check', ...args]), {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
    if (stderr.includes(marker)) markReady();
  });
  // 'close': stdout and stderr are read to their end.
  const done = new Promise<Ran>((resolve) =>
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === null ? -1 : 128), stdout, stderr })),
  );
  return { child, ready, done };
}

/** Polls `predicate` every 20 ms; false if it still fails after `ms` (a sentinel far above the expected wait). */
async function waitFor(predicate: () => boolean, ms: number): Promise<boolean> {
  for (let waited = 0; waited < ms; waited += 20) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return predicate();
}

// Each run's only way out is the signal: the adapter hangs and --timeout is the 60 s sentinel, so
// exit 130 or 143 with a report marked interrupted shows that the signal stopped it.
describe.concurrent('signals: SIGINT and SIGTERM stop the run, with a partial report', () => {
  test('SIGINT during a synchronous infinite loop in a module: exit 130, the report is written and marked interrupted', async () => {
    const json = join(scratch, 'sigint.json');
    const run = start([hostile('sync-loop'), '--timeout', SENTINEL_TIMEOUT, '--json', json], 'entering the loop');
    await run.ready;
    run.child.kill('SIGINT');
    const { code, stdout, stderr } = await run.done;
    expect(code, stderr).toBe(130);
    expect(stdout).toMatch(/^FAIL sync-loop \(float64\): .*; interrupted by SIGINT: the results are partial$/m);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.interrupted).toBe('SIGINT');
    expect(report.passed).toBe(false);
    expect(report.reason).toBe('interrupted by SIGINT: the results are partial');
    expect(report.results[0].verdict).toBe('interrupted');
  });

  test('a second SIGINT during the handshake exits at once: neither the child nor its grandchild survives', async () => {
    const pidFile = join(scratch, 'grandchild.pid');
    const run = start(
      ['--exec', `node ${isolationChild} grandchild ${pidFile}`, '--timeout', SENTINEL_TIMEOUT],
      'optimspec',
    );
    // The child writes its grandchild's pid, then never answers hello.
    expect(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', hangGuard(30_000))).toBe(
      true,
    );
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    run.child.kill('SIGINT');
    run.child.kill('SIGINT');
    const { code, stderr } = await run.done;
    expect(code, stderr).toBe(130);
    expect(await waitFor(() => !isRunning(grandchild), GONE_WITHIN_MS)).toBe(true);
  });
});

// In-process (spec/support/in-process-cli.ts), the signal delivered to the command's own listener: a real
// SIGTERM to a real process over --exec is spec/interrupted.spec.ts's, real SIGINTs to a module are the cases
// above and there. Not concurrent: one listener per run.
describe('signals in-process: SIGTERM stops a hung --exec step, SIGINT a module that never loads', () => {
  test('SIGTERM during a hung --exec step: exit 143, the child is gone, the report is written', async () => {
    const json = join(scratch, 'sigterm.json');
    const pidFile = join(scratch, 'hung-step.pid');
    const run = startInProcess(
      runCheckCommand,
      ['--exec', `node ${isolationChild} hang-on-step ${pidFile}`, '--timeout', SENTINEL_TIMEOUT, '--json', json],
      { cwd: root, env: { PATH: process.env.PATH } },
    );
    // The child writes its pid when it receives its first step, which it never answers.
    expect(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', hangGuard(30_000))).toBe(
      true,
    );
    const pid = Number(readFileSync(pidFile, 'utf8'));
    run.deliver('SIGTERM');
    expect(await run.done, run.stderr()).toBe(143);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.interrupted).toBe('SIGTERM');
    expect(report.results[0].verdict).toBe('interrupted');
    expect(await waitFor(() => !isRunning(pid), GONE_WITHIN_MS)).toBe(true);
  });

  test('SIGINT while a module loads (a top-level await that never settles): exit 130 at once, no report (nothing was loaded)', async () => {
    const json = join(scratch, 'never.json');
    const loading = join(scratch, 'never-loads.marker');
    // The worker's environment is a copy of this thread's as it starts: the marker's path is set for the run
    // and removed after it (no other run shares this thread meanwhile: the tests here are sequential).
    process.env.OPTIMSPEC_LOADING_FILE = loading;
    try {
      const run = startInProcess(
        runCheckCommand,
        [hostile('never-loads'), '--timeout', SENTINEL_TIMEOUT, '--json', json],
        {
          cwd: root,
          env: { PATH: process.env.PATH },
        },
      );
      // The module writes the marker at its top level, just before the await that never settles.
      expect(await waitFor(() => existsSync(loading), hangGuard(30_000))).toBe(true);
      run.deliver('SIGINT');
      expect(await run.done, run.stderr()).toBe(130);
      expect(run.stderr()).toMatch(/SIGINT, stopping the adapter/);
      expect(existsSync(json)).toBe(false);
    } finally {
      delete process.env.OPTIMSPEC_LOADING_FILE;
    }
  });
});

describe.concurrent('report paths are checked before anything runs', () => {
  test('a report over the adapter module is a usage error naming both, and the module is untouched', async () => {
    const dir = join(scratch, 'own');
    mkdirSync(dir, { recursive: true });
    const module = join(dir, 'adapter.mjs');
    copyFileSync(join(root, 'spec/cli-adapters/sgd-only.mjs'), module);
    const before = readFileSync(module, 'utf8');
    const { code, stderr } = await inProcess([module, '--json', module]);
    expect(code).toBe(2);
    expect(stderr).toContain(
      `--json "${module}" is the adapter module "${module}": the report would overwrite an input of the run`,
    );
    expect(readFileSync(module, 'utf8')).toBe(before);
  });

  test('a report over the --exec program or one of its files is a usage error', async () => {
    const { code, stderr } = await inProcess(['--exec', `node ${misbehaving}`, '--markdown', misbehaving]);
    expect(code).toBe(2);
    expect(stderr).toContain(`--markdown "${misbehaving}" is the --exec argument "${misbehaving}"`);
  });

  test('two reports at one path, a directory, a path under /proc: usage errors at once', async () => {
    const same = join(scratch, 'same.out');
    const both = await inProcess([hostile('sync-loop'), '--json', same, '--junit', same]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(`--junit "${same}" and --json "${same}" name the same file`);
    expect(existsSync(same)).toBe(false);

    const dir = await inProcess([hostile('sync-loop'), '--json', scratch]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toContain(`--json "${scratch}": is a directory`);

    // mkdir({ recursive: true }) spun forever here; folders are now made one at a time.
    const proc = await inProcess([hostile('sync-loop'), '--json', '/proc/nope/r.json']);
    expect(proc.code).toBe(2);
    expect(proc.stderr).toContain('--json "/proc/nope/r.json": cannot write the report there');
    // Refused before the adapter (which hangs) was loaded: nothing of a run was printed.
    for (const r of [both, dir, proc]) expect(r.stdout).toBe('');
  });
});

describe.concurrent('one truth per run, and deadlines for every phase', () => {
  test('nothing checked: exit 1, passed false with the same reason in JSON, Markdown, JUnit and on the console', async () => {
    const out = join(scratch, 'nothing');
    const { code, stdout, stderr } = await inProcess([
      'spec/cli-adapters/sgd-only.mjs',
      '--only',
      'adam',
      '--quiet',
      '--json',
      join(out, 'r.json'),
      '--junit',
      join(out, 'r.xml'),
      '--markdown',
      join(out, 'r.md'),
    ]);
    const reason = 'nothing was checked: the adapter supports none of the requested optimizers and schedules';
    expect(code).toBe(1);
    expect(stdout).toMatch(new RegExp(`^FAIL .*; ${reason}\\n$`));
    expect(stderr).toContain(reason);
    const json = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8'));
    expect(json.passed).toBe(false);
    expect(json.reason).toBe(reason);
    expect(readFileSync(join(out, 'r.md'), 'utf8')).toContain(`❌ failed`);
    expect(readFileSync(join(out, 'r.md'), 'utf8')).toContain(reason);
    const xml = parseXml(readFileSync(join(out, 'r.xml'), 'utf8'));
    expect(Number(xml.attrs.errors)).toBe(1);
  });

  test('process.exit(0) in a module: exit 1 (not 0), an error finding with file:line, and the report is written', async () => {
    const json = join(scratch, 'exits.json');
    const { code } = await inProcess([hostile('exits'), '--only', 'sgd', '--quiet', '--json', json]);
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.results[0].verdict).toBe('error');
    expect(report.results[0].findings.find((f: { status: string }) => f.status === 'error').message).toMatch(
      /process\.exit\(0\)\n {2}at .*exits\.mjs:\d+:\d+/,
    );
  });

  test('--total-timeout bounds a slow synchronous schedule child: error: total timeout, report written', async () => {
    const json = join(scratch, 'slow-schedule.json');
    const args = ['--exec', `node ${misbehaving} hang-on-schedule`, '--only', 'schedule:inverse-time', '--quiet'];
    // The deadline covers the child's start and handshake too: a machine too busy to start it within
    // the deadline ends the run without a report, and then the allowance doubles (up to 32 s).
    let run = { code: -1, stdout: '', stderr: '' };
    for (let total = 2000; total <= 32_000 && !existsSync(json); total *= 2)
      run = await inProcess([...args, '--timeout', SENTINEL_TIMEOUT, '--total-timeout', String(total), '--json', json]);
    expect(existsSync(json), run.stderr).toBe(true);
    expect(run.code).toBe(1);
    // Cut by the deadline: its message, not the hang's 60 s timeout.
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.results[0].verdict).toBe('error');
    expect(report.results[0].findings.find((f: { status: string }) => f.status === 'error').message).toMatch(
      /total timeout: the time limit of the whole check \(--total-timeout\) expired/,
    );
  });

  test('--timeout bounds the handshake: a child that never answers hello exits 1 after it, and its grandchild does not survive', async () => {
    const pidFile = join(scratch, 'handshake-grandchild.pid');
    // The child starts its grandchild and writes its pid before it reads hello; a machine too busy for
    // that within the timeout leaves no pid file, and then the timeout doubles (up to 16 s).
    let timeout = 1000;
    let run = await inProcess(['--exec', `node ${isolationChild} grandchild ${pidFile}`, '--timeout', String(timeout)]);
    while (!existsSync(pidFile) && timeout < 16_000) {
      timeout *= 2;
      run = await inProcess(['--exec', `node ${isolationChild} grandchild ${pidFile}`, '--timeout', String(timeout)]);
    }
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`hello got no answer within ${timeout} ms`);
    // The grandchild held the child's stdout open; the child's process group went with the child.
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(grandchild).toBeGreaterThan(0);
    expect(await waitFor(() => !isRunning(grandchild), GONE_WITHIN_MS)).toBe(true);
  });
});

writeFileSync(join(scratch, 'README'), 'scratch files of spec/cli-robustness.spec.ts\n');

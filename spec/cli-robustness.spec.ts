import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { runCheckCommand } from '../src/cli/check-command.js';
import type { CliIo } from '../src/cli/index.js';
import { parseXml } from './report-xml-reader.js';
import { isRunning } from '../src/protocol/child-registry.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'optimspec-robust-'));
const hostile = (name: string) => `spec/cli-adapters/hostile/${name}.mjs`;
const isolationChild = 'spec/support/children/isolation-child.mjs';
const misbehaving = 'spec/support/children/misbehaving.mjs';
/** Start-up of a CLI process or an adapter's worker through tsx, on the loaded 2-core machine: the allowance on top of each bound. */
const STARTUP_ALLOWANCE_MS = 8000;

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
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
  const t0 = Date.now();
  const code = await runCheckCommand(args, io);
  return { code, stdout, stderr, ms: Date.now() - t0 };
}

/** The real CLI in a child process; `ready` resolves once its stderr contains `marker`. */
function start(
  args: string[],
  marker: string,
): { child: ChildProcess; ready: Promise<void>; done: Promise<Ran>; sent: () => number } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'spec/cli-entry.mts', 'check', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalledAt = 0;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
    if (stderr.includes(marker)) markReady();
  });
  const done = new Promise<Ran>((resolve) =>
    child.on('exit', (code, signal) =>
      resolve({ code: code ?? (signal === null ? -1 : 128), stdout, stderr, ms: Date.now() - signalledAt }),
    ),
  );
  const originalKill = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number) => {
    signalledAt ||= Date.now();
    return originalKill(signal);
  };
  return { child, ready, done, sent: () => signalledAt };
}

async function waitFor(predicate: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (predicate()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return predicate();
}

describe.concurrent('signals: SIGINT and SIGTERM stop the run within 2 s, with a partial report', () => {
  test('SIGINT during a synchronous infinite loop in a module: exit 130, the report is written and marked interrupted', async () => {
    const json = join(scratch, 'sigint.json');
    const run = start([hostile('sync-loop'), '--timeout', '60000', '--json', json], 'entering the loop');
    await run.ready;
    run.child.kill('SIGINT');
    const { code, ms, stdout } = await run.done;
    expect(code).toBe(130);
    expect(ms).toBeLessThan(2000);
    expect(stdout).toMatch(/^FAIL sync-loop \(float64\): .*; interrupted by SIGINT: the results are partial$/m);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.interrupted).toBe('SIGINT');
    expect(report.passed).toBe(false);
    expect(report.reason).toBe('interrupted by SIGINT: the results are partial');
    expect(report.results[0].verdict).toBe('interrupted');
  });

  test('SIGTERM during a hung --exec step: exit 143, the child is gone, the report is written', async () => {
    const json = join(scratch, 'sigterm.json');
    const pidFile = join(scratch, 'hung-step.pid');
    const run = start(
      ['--exec', `node ${isolationChild} hang-on-step ${pidFile}`, '--timeout', '60000', '--json', json],
      'never printed',
    );
    // The child writes its pid when it receives its first step, which it never answers.
    expect(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 20_000)).toBe(true);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    run.child.kill('SIGTERM');
    const { code, ms } = await run.done;
    expect(code).toBe(143);
    expect(ms).toBeLessThan(2000);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.interrupted).toBe('SIGTERM');
    expect(report.results[0].verdict).toBe('interrupted');
    expect(await waitFor(() => !isRunning(pid), 2000)).toBe(true);
  });

  test('SIGINT while a module loads (a top-level await that never settles): exit 130 at once, no report (nothing was loaded)', async () => {
    const json = join(scratch, 'never.json');
    const run = start(
      [hostile('never-loads'), '--timeout', '60000', '--json', json],
      'waiting forever at the top level',
    );
    await run.ready;
    run.child.kill('SIGINT');
    const { code, ms, stderr } = await run.done;
    expect(code).toBe(130);
    expect(ms).toBeLessThan(2000);
    expect(stderr).toMatch(/SIGINT, stopping the adapter/);
    expect(existsSync(json)).toBe(false);
  });

  test('a second SIGINT during the handshake exits at once: neither the child nor its grandchild survives', async () => {
    const pidFile = join(scratch, 'grandchild.pid');
    const run = start(['--exec', `node ${isolationChild} grandchild ${pidFile}`, '--timeout', '60000'], 'optimspec');
    // The child writes its grandchild's pid, then never answers hello.
    expect(await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', 20_000)).toBe(true);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    run.child.kill('SIGINT');
    run.child.kill('SIGINT');
    const { code, ms } = await run.done;
    expect(code).toBe(130);
    expect(ms).toBeLessThan(2000);
    expect(await waitFor(() => !isRunning(grandchild), 2000)).toBe(true);
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
    // The adapter (which hangs) never ran: every one of these took no adapter time.
    for (const r of [both, dir, proc]) expect(r.ms).toBeLessThan(STARTUP_ALLOWANCE_MS);
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
    const total = 2000;
    const t0 = Date.now();
    const { code } = await inProcess([
      '--exec',
      `node ${misbehaving} hang-on-schedule`,
      '--only',
      'schedule:inverse-time',
      '--timeout',
      '60000',
      '--total-timeout',
      String(total),
      '--quiet',
      '--json',
      json,
    ]);
    expect(code).toBe(1);
    expect(Date.now() - t0).toBeLessThan(total + STARTUP_ALLOWANCE_MS);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.results[0].verdict).toBe('error');
    expect(report.results[0].findings.find((f: { status: string }) => f.status === 'error').message).toMatch(
      /total timeout: the time limit of the whole check \(--total-timeout\) expired/,
    );
  });

  test('--timeout bounds the handshake: a child that never answers hello exits 1 after it, and its grandchild does not survive', async () => {
    const pidFile = join(scratch, 'handshake-grandchild.pid');
    const t0 = Date.now();
    const { code, stderr } = await inProcess([
      '--exec',
      `node ${isolationChild} grandchild ${pidFile}`,
      '--timeout',
      '1000',
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/hello got no answer within 1000 ms/);
    expect(Date.now() - t0).toBeLessThan(1000 + STARTUP_ALLOWANCE_MS);
    // The grandchild held the child's stdout open; the child's process group went with the child.
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(grandchild).toBeGreaterThan(0);
    expect(await waitFor(() => !isRunning(grandchild), 2000)).toBe(true);
  });
});

writeFileSync(join(scratch, 'README'), 'scratch files of spec/cli-robustness.spec.ts\n');
